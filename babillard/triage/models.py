"""Author priorities, catch-up, digests and notification policies."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account
from babillard.core.ids import new_id
from babillard.core.models import SecretFeed
from babillard.statuses.models import Status


class Priority(models.TextChoices):
    CLOSE = "close", _("Close: always shown")
    GLANCE = "glance", _("At a glance: folded into a daily summary")


class AuthorPriority(models.Model):
    """How a reader wants one author's posts in their home timeline."""

    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    level = models.CharField(max_length=8, choices=Priority.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "target"], name="author_priority_unique")
        ]


class PolicyChoice(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    FILTER = "filter", _("Put in the review queue")
    DROP = "drop", _("Ignore")


def _policy_field(default: str) -> models.CharField:
    return models.CharField(max_length=8, choices=PolicyChoice.choices, default=default)


class NotificationPolicy(models.Model):
    """Which senders' notifications go straight through, wait for review, or are dropped.

    Every field starts at ``accept``: a reader's notifications are held back only once
    they choose it. (Mastodon 4.3 starts private mentions from strangers and limited
    accounts at ``filter``; here a direct message keeps notifying, as it always did,
    until the reader changes the policy.)
    """

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="+")
    for_not_following = _policy_field(PolicyChoice.ACCEPT)
    for_not_followers = _policy_field(PolicyChoice.ACCEPT)
    for_new_accounts = _policy_field(PolicyChoice.ACCEPT)
    for_private_mentions = _policy_field(PolicyChoice.ACCEPT)
    for_limited_accounts = _policy_field(PolicyChoice.ACCEPT)


class NotificationRequest(models.Model):
    """The filtered notifications of one sender, waiting for the reader to accept or dismiss."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    from_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    last_status = models.ForeignKey(
        Status, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notifications_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "from_account"], name="notification_request_unique"
            )
        ]


class NotificationPermission(models.Model):
    """A sender whose notifications the reader accepted: the policy no longer applies to them."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    from_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "from_account"], name="notification_permission_unique"
            )
        ]


class Period(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")


class DigestSubscription(SecretFeed):
    """A reader's digest of home (``list`` empty) or of one list: its e-mail and private feed.

    ``period`` is both the span the digest covers and, with ``by_email``, how often
    it is e-mailed. ``feed_token`` is the secret of the private Atom feed's address.
    """

    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    list = models.ForeignKey(
        "timelines.List", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.CharField(max_length=4, choices=Period.choices, default=Period.DAY)
    by_email = models.BooleanField(default=False)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner"],
                condition=models.Q(list__isnull=True),
                name="digest_home_unique",
            ),
            models.UniqueConstraint(fields=["owner", "list"], name="digest_list_unique"),
        ]
