"""Federation's own state: deliveries, remote servers, the inbox log, the instance actor.

Domain objects (accounts, statuses, follows) live in their apps; these tables
only record the protocol's work, so that operators can see it in the admin.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    RETRYING = "retrying", _("Retrying")
    ABANDONED = "abandoned", _("Given up")


class Delivery(models.Model):
    """One activity to one inbox: the unit of work, retried with growing delays."""

    # Kept when the sender is deleted, so that its farewell Delete still goes out.
    sender = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Only for a deleted account's last activity: the key to sign it with, erased once sent.
    key_id = models.URLField(max_length=2000, blank=True)
    signing_key = models.TextField(blank=True)
    activity_id = models.URLField(max_length=2000)
    activity_type = models.CharField(max_length=32)
    inbox_url = models.URLField(max_length=2000)
    domain = models.CharField(max_length=255, db_index=True)
    payload = models.JSONField()
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["activity_id", "inbox_url"], name="delivery_once_per_inbox"
            )
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.activity_type} → {self.inbox_url} ({self.state})"


class RemoteServer(models.Model):
    """What we know of a remote server's availability, as Mastodon's unavailable domains."""

    domain = models.CharField(max_length=255, unique=True)
    failures = models.PositiveIntegerField(default=0)
    unavailable_until = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    # ``software.name`` of its NodeInfo (mastodon, misskey, akkoma...), learnt when needed.
    software = models.CharField(max_length=64, blank=True)
    software_checked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.domain

    @property
    def is_unavailable(self) -> bool:
        return self.unavailable_until is not None and self.unavailable_until > timezone.now()


class InboxState(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class InboxActivity(models.Model):
    """Every accepted incoming activity, once: the log and the guard against replays."""

    activity_id = models.URLField(max_length=2000, unique=True)
    activity_type = models.CharField(max_length=32)
    actor_uri = models.URLField(max_length=2000)
    recipient = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField()
    state = models.CharField(max_length=10, choices=InboxState.choices, default=InboxState.RECEIVED)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = _("inbox activities")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.activity_type} {self.activity_id}"


class InstanceActor(models.Model):
    """The server's own actor key, which signs fetches made on nobody's behalf."""

    private_key = models.TextField()
    public_key = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)


class AccountAlias(models.Model):
    """Another actor a local account also is (``alsoKnownAs``), so that it may move here."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="aliases")
    uri = models.URLField(max_length=2000)
    acct = models.CharField(max_length=320)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = _("account aliases")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["account", "uri"], name="alias_once")]

    def __str__(self) -> str:
        return f"{self.account} = {self.acct}"
