from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account
from babillard.statuses.models import Status


class ReportCategory(models.TextChoices):
    SPAM = "spam", _("Spam")
    LEGAL = "legal", _("Illegal content")
    VIOLATION = "violation", _("Breaks the instance's rules")
    OTHER = "other", _("Other")


class Report(models.Model):
    reporter = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="reports_made")
    target = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="reports")
    statuses = models.ManyToManyField(Status, blank=True, related_name="+")
    category = models.CharField(
        max_length=12, choices=ReportCategory.choices, default=ReportCategory.OTHER
    )
    comment = models.TextField(blank=True, max_length=1000)
    forward = models.BooleanField(default=False)
    uri = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]


class ActionKind(models.TextChoices):
    SUSPEND = "suspend", _("Suspend")
    UNSUSPEND = "unsuspend", _("Unsuspend")
    SILENCE = "silence", _("Limit")
    UNSILENCE = "unsilence", _("Remove limit")
    DELETE_STATUS = "delete_status", _("Delete post")
    APPROVE = "approve", _("Approve sign-up")
    REJECT = "reject", _("Reject sign-up")
    RESOLVE = "resolve", _("Resolve report")
    BLOCK_DOMAIN = "block_domain", _("Block a server")
    UNBLOCK_DOMAIN = "unblock_domain", _("Lift a server block")
    VERIFY_INSTITUTION = "verify_institution", _("Verify an institution")
    UNVERIFY_INSTITUTION = "unverify_institution", _("Withdraw an institution's verification")
    APPROVE_PLATFORM = "approve_platform", _("Approve a platform")
    REJECT_PLATFORM = "reject_platform", _("Reject a platform")
    CHANGE_ROLE = "change_role", _("Change a role")
    ADMIN_CHANGE = "admin_change", _("Change in the admin")
    ADMIN_DELETE = "admin_delete", _("Deletion in the admin")


class ModerationAction(models.Model):
    """The audit log: who did what to whom, when and why.

    Written by ``moderation.services.record_action`` in the transaction of the action
    itself, so an action and its row exist together or not at all. A row is written
    once: the app offers no way to change or delete it (the Django admin shows it
    read-only). ``details`` keeps what the action concerned in words that outlive the
    rows it names (the target's address, a domain, a post's id and text).
    """

    moderator = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=24, choices=ActionKind.choices)
    target = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["moderator", "-id"], name="moderation_action_by_actor"),
            models.Index(fields=["kind", "-id"], name="moderation_action_by_kind"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("An audit log entry is written once and never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("An audit log entry is never deleted.")


class DomainSeverity(models.TextChoices):
    NOOP = "noop", _("None")
    SILENCE = "silence", _("Limit")
    SUSPEND = "suspend", _("Suspend")


class DomainBlock(models.Model):
    """An instance-wide block of a remote server, as Mastodon's: a severity plus media refusal."""

    domain = models.CharField(max_length=255, unique=True)
    severity = models.CharField(max_length=10, choices=DomainSeverity.choices)
    # Remote media of the domain are neither shown nor fetched: attachments become links.
    reject_media = models.BooleanField(default=False)
    public_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class AccountDomainBlock(models.Model):
    """One person hides a whole remote server (Mastodon's per-user domain block)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="domain_blocks")
    domain = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "domain"], name="account_domain_block_once")
        ]
        indexes = [models.Index(fields=["domain"])]
