"""Writes and rules of triage: author priorities, the home marker, digests, notification policies.

Paths served (besides the web pages): ``GET/PATCH /api/v2/notifications/policy``,
``/api/v1/notifications/requests`` (list, one, accept, dismiss, in bulk, merged),
``GET /api/babillard/v1/digest`` and ``/api/babillard/v1/priorities``.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from babillard.accounts.models import Account, Follow, Visibility
from babillard.api.models import Marker
from babillard.core import links
from babillard.core.errors import NotFound
from babillard.notifications.models import Notification, NotificationType
from babillard.statuses.formatting import plain_text
from babillard.statuses.models import Status
from babillard.timelines import services as timeline_services
from babillard.timelines.models import HomeFeedEntry, List
from babillard.triage import queries
from babillard.triage.models import (
    AuthorPriority,
    DigestSubscription,
    NotificationPermission,
    NotificationPolicy,
    NotificationRequest,
    Period,
    PolicyChoice,
    Priority,
)

# Author priorities


def set_priority(owner: Account, target: Account, level: str | None) -> AuthorPriority | None:
    """Mark an author close, at a glance, or back to normal (``None``).

    Glancing at an author takes their posts out of the home feed at once (they are
    summed up in one line instead); going back brings their recent posts back.
    """
    if owner == target:
        raise ValidationError(_("You cannot set a priority on yourself."), code="self")
    if level is not None and level not in Priority.values:
        raise ValidationError(_("A priority is either close or glance."), code="invalid")
    with transaction.atomic():
        previous = queries.priority_of(owner, target)
        if level is None:
            AuthorPriority.objects.filter(owner=owner, target=target).delete()
            saved = None
        else:
            saved, _created = AuthorPriority.objects.update_or_create(
                owner=owner, target=target, defaults={"level": level}
            )
        if level == Priority.GLANCE:
            timeline_services.fold_author(owner, target)
        elif previous != level and Follow.objects.filter(account=owner, target=target).exists():
            timeline_services.backfill(owner, target)
    return saved


# The home marker: where the reader stopped reading home.


def save_marker(account: Account, timeline: str, last_read_id: int) -> Marker:
    """Move a timeline's read marker (``home`` or ``notifications``), as Mastodon's markers."""
    with transaction.atomic():
        item, _created = Marker.objects.select_for_update().get_or_create(
            account=account, timeline=timeline
        )
        item.last_read_id = last_read_id
        item.version += 1
        item.updated_at = timezone.now()
        item.save()
    return item


def mark_home_read(account: Account, up_to: int | None = None) -> Marker:
    """Mark home read up to ``up_to`` (a status id), or up to its newest post."""
    newest = (
        HomeFeedEntry.objects.filter(owner=account)
        .order_by("-status_id")
        .values_list("status_id", flat=True)
        .first()
    ) or 0
    target = min(up_to, newest) if up_to is not None else newest
    return save_marker(account, "home", max(target, queries.last_read_id(account)))


# Digests


def _own_list(owner: Account, list_id: int | None) -> List | None:
    if list_id is None:
        return None
    found = List.objects.filter(owner=owner, pk=list_id).first()
    if found is None:
        raise NotFound(list_id)
    return found


def check_period(period: str) -> str:
    if period not in Period.values:
        raise ValidationError(_("A digest covers a day or a week."), code="period")
    return period


def subscribe_digest(
    owner: Account, *, list_id: int | None = None, period: str = Period.DAY, by_email: bool = False
) -> DigestSubscription:
    """Choose a digest's period and whether it is e-mailed; the private feed comes with it."""
    check_period(period)
    timeline = _own_list(owner, list_id)
    if by_email and (owner.user is None or not owner.user.email):
        raise ValidationError(_("Your account has no e-mail address."), code="email")
    with transaction.atomic():
        found = DigestSubscription.objects.filter(owner=owner, list=timeline).first()
        if found is None:
            found = DigestSubscription(owner=owner, list=timeline)
        found.period = period
        found.by_email = by_email
        found.save()
    return found


def digest_subscription(owner: Account, list_id: int | None = None) -> DigestSubscription:
    """The reader's digest settings for home or a list, made with the defaults on first use."""
    timeline = _own_list(owner, list_id)
    found, _created = DigestSubscription.objects.get_or_create(owner=owner, list=timeline)
    return found


def renew_feed_token(owner: Account, subscription: DigestSubscription) -> DigestSubscription:
    """A new secret address for the private feed; the old one stops working."""
    if subscription.owner_id != owner.pk:
        raise NotFound(subscription.pk)
    subscription.regenerate_feed_token()
    return subscription


def _due(subscription: DigestSubscription, now: datetime) -> bool:
    # An hour of slack, so that the hourly check sends at about the same time each period.
    period = queries.SPAN[Period(subscription.period)] - timedelta(hours=1)
    return subscription.last_sent_at is None or now - subscription.last_sent_at >= period


def send_digest(subscription: DigestSubscription, now: datetime | None = None) -> bool:
    """E-mail one digest if it is due; returns whether a message went out."""
    now = now or timezone.now()
    user = subscription.owner.user
    if not subscription.by_email or user is None or not user.email or not _due(subscription, now):
        return False
    # Claim the period first, so that two workers never send the same digest twice.
    claimed = DigestSubscription.objects.filter(
        pk=subscription.pk, last_sent_at=subscription.last_sent_at
    ).update(last_sent_at=now)
    if not claimed:
        return False
    ranked = queries.digest(subscription.owner, subscription.list, subscription.period, now=now)
    with translation.override(getattr(user, "locale", "") or settings.LANGUAGE_CODE):
        context: dict[str, Any] = {
            "subscription": subscription,
            "ranked": [
                {
                    "author": item.status.account.name,
                    "text": plain_text(item.status.content),
                    "html": item.status.content,
                    "url": status_link(item.status),
                }
                for item in ranked
            ],
            "instance": settings.INSTANCE_NAME,
        }
        subject = (
            _("Your digest of the day on %(instance)s")
            if subscription.period == Period.DAY
            else _("Your digest of the week on %(instance)s")
        ) % {"instance": settings.INSTANCE_NAME}
        body = render_to_string("triage/digest_email.txt", context)
        html = render_to_string("triage/digest_email.html", context)
    send_mail(subject, body, None, [user.email], html_message=html)
    return True


def status_link(status: Status) -> str:
    """Where a reader opens a post: its page here when local, its own address otherwise."""
    if status.local:
        return links.status_url(status.account.username, status.pk)
    return status.url or status.uri or ""


def send_due_digests(now: datetime | None = None) -> int:
    """Send every digest whose period has passed; returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    due = DigestSubscription.objects.filter(by_email=True).select_related("owner__user", "list")
    for subscription in due:
        sent += send_digest(subscription, now)
    return sent


# Notification policies, as Mastodon 4.3's: filter or drop by who the sender is.

# Notifications about the reader's own activity or the instance's moderation are never
# held back, as in Mastodon (its NON_FILTERABLE_TYPES); neither are events' changes.
NOT_FILTERABLE = {
    NotificationType.ADMIN_SIGN_UP,
    NotificationType.ADMIN_REPORT,
    NotificationType.POLL,
    NotificationType.UPDATE,
    NotificationType.EVENT_UPDATE,
    NotificationType.EVENT_REMINDER,
    NotificationType.EVENT_PROMOTED,
    NotificationType.QUOTED_UPDATE,
}
NEW_ACCOUNT_AGE = timedelta(days=30)
POLICY_FIELDS = (
    "for_not_following",
    "for_not_followers",
    "for_new_accounts",
    "for_private_mentions",
    "for_limited_accounts",
)


def policy_of(account: Account) -> NotificationPolicy:
    """The reader's policy (everything accepted until they change it; not saved until then)."""
    return NotificationPolicy.objects.filter(account=account).first() or NotificationPolicy(
        account=account
    )


def update_policy(account: Account, **changes: str) -> NotificationPolicy:
    for name, value in changes.items():
        if name not in POLICY_FIELDS:
            raise ValidationError(_("Unknown notification policy."), code="invalid")
        if value not in PolicyChoice.values:
            raise ValidationError(
                _("A notification policy is accept, filter or drop."), code="invalid"
            )
    with transaction.atomic():
        policy = policy_of(account)
        for name, value in changes.items():
            setattr(policy, name, value)
        policy.save()
    return policy


def _unsolicited_private_mention(recipient: Account, kind: str, status: Status | None) -> bool:
    """A direct post mentioning the reader that does not answer one of the reader's posts."""
    return (
        kind == NotificationType.MENTION
        and status is not None
        and status.visibility == Visibility.DIRECT
        and status.in_reply_to_account_id != recipient.pk
    )


def notification_verdict(
    recipient: Account, sender: Account, kind: str, status: Status | None = None
) -> str:
    """``accept``, ``filter`` or ``drop`` for a notification about to be made.

    Each condition the sender meets names a policy field; the strictest of their
    choices wins (drop over filter over accept). A sender the reader accepted
    before, and notifications about the reader's own things, always go through.
    """
    if kind in NOT_FILTERABLE or recipient == sender:
        return PolicyChoice.ACCEPT
    policy = NotificationPolicy.objects.filter(account=recipient).first()
    if policy is None:
        policy = NotificationPolicy(account=recipient)
    choices = {getattr(policy, name) for name in POLICY_FIELDS}
    if choices == {PolicyChoice.ACCEPT}:
        return PolicyChoice.ACCEPT
    if NotificationPermission.objects.filter(account=recipient, from_account=sender).exists():
        return PolicyChoice.ACCEPT
    following = Follow.objects.filter(account=recipient, target=sender).exists()
    met: list[str] = []
    if not following:
        met.append(policy.for_not_following)
        if sender.silenced_at is not None:
            met.append(policy.for_limited_accounts)
        if _unsolicited_private_mention(recipient, kind, status):
            met.append(policy.for_private_mentions)
    if not Follow.objects.filter(account=sender, target=recipient).exists():
        met.append(policy.for_not_followers)
    if sender.created_at > timezone.now() - NEW_ACCOUNT_AGE:
        met.append(policy.for_new_accounts)
    if PolicyChoice.DROP in met:
        return PolicyChoice.DROP
    if PolicyChoice.FILTER in met:
        return PolicyChoice.FILTER
    return PolicyChoice.ACCEPT


def record_filtered(notification: Notification) -> NotificationRequest:
    """File a filtered notification under its sender's request (made on the first one)."""
    with transaction.atomic():
        request, created = NotificationRequest.objects.select_for_update().get_or_create(
            account_id=notification.recipient_id,
            from_account_id=notification.from_account_id,
            defaults={"notifications_count": 1, "last_status_id": notification.status_id},
        )
        if not created:
            NotificationRequest.objects.filter(pk=request.pk).update(
                notifications_count=F("notifications_count") + 1,
                last_status_id=notification.status_id or request.last_status_id,
                updated_at=timezone.now(),
            )
            request.refresh_from_db()
    return request


def get_request(owner: Account, request_id: str) -> NotificationRequest:
    found = (
        queries.notification_requests(owner).filter(pk=int(request_id)).first()
        if request_id.isdigit()
        else None
    )
    if found is None:
        raise NotFound(request_id)
    return found


def accept_request(owner: Account, request: NotificationRequest) -> None:
    """Let this sender's notifications through, the held ones and the next ones."""
    if request.account_id != owner.pk:
        raise NotFound(request.pk)
    with transaction.atomic():
        NotificationPermission.objects.get_or_create(
            account=owner, from_account_id=request.from_account_id
        )
        Notification.objects.filter(
            recipient=owner, from_account_id=request.from_account_id, filtered=True
        ).update(filtered=False)
        request.delete()


def dismiss_request(owner: Account, request: NotificationRequest) -> None:
    """Throw away this sender's held notifications; the next ones are filtered again."""
    if request.account_id != owner.pk:
        raise NotFound(request.pk)
    with transaction.atomic():
        Notification.objects.filter(
            recipient=owner, from_account_id=request.from_account_id, filtered=True
        ).delete()
        request.delete()


def pending_summary(owner: Account) -> dict[str, int]:
    found = queries.notification_requests(owner)
    return {
        "pending_requests_count": found.count(),
        "pending_notifications_count": sum(found.values_list("notifications_count", flat=True)),
    }
