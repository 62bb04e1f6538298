"""Creating and reading-state of notifications. Only local accounts receive them."""

from django.db.models import Q
from django.utils import timezone

from babillard.accounts.models import Account, Block, Mute, User
from babillard.core import streaming
from babillard.notifications.models import Notification, NotificationType
from babillard.statuses.models import Status
from babillard.statuses.queries import thread_muted


def _is_silenced_for(recipient: Account, sender: Account) -> bool:
    """Blocks either way and mutes with notifications hidden silence a sender."""
    if Block.objects.filter(
        Q(account=recipient, target=sender) | Q(account=sender, target=recipient)
    ).exists():
        return True
    return (
        Mute.objects.filter(account=recipient, target=sender, hide_notifications=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .exists()
    )


def notify(
    recipient: Account,
    sender: Account,
    kind: str,
    status: Status | None = None,
) -> Notification | None:
    if not recipient.is_local or (recipient == sender and kind != NotificationType.POLL):
        return None
    if kind != NotificationType.POLL and _is_silenced_for(recipient, sender):
        return None
    if status is not None and thread_muted(recipient, status):
        return None
    from babillard.triage import services as triage

    verdict = triage.notification_verdict(recipient, sender, kind, status)
    if verdict == "drop":
        return None
    notification, created = Notification.objects.get_or_create(
        recipient=recipient,
        from_account=sender,
        type=kind,
        status=status,
        defaults={"filtered": verdict == "filter"},
    )
    if created and notification.filtered:
        triage.record_filtered(notification)
    elif created:
        streaming.publish(f"user:{recipient.pk}", "notification", notification.pk)
    return notification


def notify_moderators_of_sign_up(account: Account) -> None:
    for moderator in Account.objects.filter(user__is_moderator=True):
        notify(moderator, account, NotificationType.ADMIN_SIGN_UP)


def mark_all_read(user: User) -> None:
    newest = (
        Notification.objects.filter(recipient=user.account, filtered=False).order_by("-id").first()
    )
    if newest and newest.pk > user.notifications_read_id:
        user.notifications_read_id = newest.pk
        user.save(update_fields=["notifications_read_id"])


def dismiss(recipient: Account, notification_id: int) -> None:
    Notification.objects.filter(recipient=recipient, pk=notification_id).delete()


def clear(recipient: Account) -> None:
    Notification.objects.filter(recipient=recipient).delete()
