"""E-resource platforms: reports, probes, status and incidents.

Reports and probe results come from this instance or from the peer instances that
opted in (``Peer``); ``origin`` is empty for ours and the peer's domain otherwise,
so that cities from several instances count together.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account
from babillard.statuses.models import Status


class State(models.TextChoices):
    OPERATIONAL = "operational", _("Operational")
    DEGRADED = "degraded", _("Degraded")
    PROBABLE_OUTAGE = "probable_outage", _("Probable outage")
    OUTAGE = "outage", _("Outage")
    LOCAL_PROBLEM = "local_problem", _("Local problem")
    UNKNOWN = "unknown", _("Unknown")


class Problem(models.TextChoices):
    DOWN = "down", _("Down")
    SLOW = "slow", _("Slow")
    LOGIN = "login", _("Login or proxy failure")
    PARTIAL = "partial", _("Partial content")
    OTHER = "other", _("Other")


class IncidentState(models.TextChoices):
    INVESTIGATING = "investigating", _("Investigating")
    IDENTIFIED = "identified", _("Identified")
    MONITORING = "monitoring", _("Monitoring")
    RESOLVED = "resolved", _("Resolved")


class Platform(models.Model):
    """One e-resource platform; ``actor`` is its ActivityPub ``Service`` account.

    A proposal from a member waits with ``approved`` False (and no actor) until a
    moderator approves it. ``state`` is the last computed status, kept for the
    board's order and to notice changes.
    """

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=30, unique=True)
    home_url = models.URLField(max_length=500)
    probe_urls = models.JSONField(default=list, blank=True)
    vendor = models.CharField(max_length=100, blank=True)
    vendor_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_page_url = models.URLField(max_length=500, blank=True)
    actor = models.OneToOneField(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="platform"
    )
    approved = models.BooleanField(default=True)
    proposed_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.UNKNOWN)
    state_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def urls_to_probe(self) -> list[str]:
        return [str(u) for u in self.probe_urls] or [self.home_url]


class Peer(models.Model):
    """An instance this one exchanges reports and probe results with (both must list
    each other: that is the opt-in)."""

    domain = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.domain


class Report(models.Model):
    """One account's report about one platform, placed in a city.

    ``institution_key`` identifies the institution it counts for (its actor URI, or
    the reporter's own when it belongs to none) so that several staff of one
    institution count once. A report from a peer keeps the peer's ``uri``.
    """

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="reports")
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    institution_key = models.CharField(max_length=2000)
    institution_name = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    problem = models.CharField(max_length=8, choices=Problem.choices)
    comment = models.CharField(max_length=500, blank=True)
    origin = models.CharField(max_length=255, blank=True)
    uri = models.CharField(max_length=2000, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["platform", "updated_at"]),
            models.Index(fields=["account", "platform", "updated_at"]),
        ]


class Probe(models.Model):
    """One check of one URL of a platform, from this instance or a peer."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="probes")
    url = models.URLField(max_length=500)
    origin = models.CharField(max_length=255, blank=True)
    ok = models.BooleanField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    tls_expires_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    checked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [models.Index(fields=["platform", "checked_at"])]


class Incident(models.Model):
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="incidents")
    state = models.CharField(
        max_length=16, choices=IncidentState.choices, default=IncidentState.INVESTIGATING
    )
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["platform", "resolved_at"])]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class IncidentUpdate(models.Model):
    """One step of an incident; ``post`` is what the platform actor published about it."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    state = models.CharField(max_length=16, choices=IncidentState.choices)
    message = models.CharField(max_length=400, blank=True)
    author = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    post = models.ForeignKey(
        Status, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class Subscription(models.Model):
    """A member told of every incident change of a platform (in the app, by e-mail if asked)."""

    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="subscriptions")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    email = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "account"], name="one_platform_subscription"
            )
        ]
