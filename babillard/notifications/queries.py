from django.db.models import QuerySet

from babillard.accounts.models import Account
from babillard.accounts.queries import hidden_account_ids
from babillard.notifications.models import Notification


def notifications_for(
    account: Account,
    types: list[str] | None = None,
    exclude_types: list[str] | None = None,
    include_filtered: bool = False,
) -> QuerySet[Notification]:
    """A local account's notifications, newest first, without those of hidden accounts.

    Notifications held back by the notification policy are left out unless asked for.
    """
    found = (
        Notification.objects.filter(recipient=account)
        .exclude(from_account_id__in=hidden_account_ids(account, for_notifications=True))
        .exclude(from_account__suspended_at__isnull=False)
        .select_related("from_account", "status", "status__account")
        .order_by("-id")
    )
    if not include_filtered:
        found = found.filter(filtered=False)
    if types:
        found = found.filter(type__in=types)
    if exclude_types:
        found = found.exclude(type__in=exclude_types)
    return found


def unread_count(account: Account) -> int:
    assert account.user is not None
    return notifications_for(account).filter(id__gt=account.user.notifications_read_id).count()
