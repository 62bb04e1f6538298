"""Live occupancy of the spaces of a site: current state, history, sensor tokens,
idempotency keys, and the automatic posts when a space fills or frees up.

The current state lives on the ``Space`` row itself (one row read per space for
the public feed); every update also appends a ``HistoryPoint``. Points older
than eight days are folded into one point per space and quarter of an hour
(``span_seconds = 900``) keeping the peak count, so a sensor posting every ten
seconds costs about 35,000 rows per space and year instead of three million.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account
from babillard.institutions.models import Site


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MODERATE = "moderate", _("Moderate")
    HIGH = "high", _("High")
    FULL = "full", _("Full")
    CLOSED = "closed", _("Closed")
    UNKNOWN = "unknown", _("Unknown")


class Space(models.Model):
    """A room or floor of a site, with its seats and its current state."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="spaces")
    name = models.CharField(max_length=200)
    capacity = models.PositiveIntegerField(help_text=_("Seats"))
    position = models.PositiveSmallIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)
    declared_full = models.BooleanField(default=False)
    declared_closed = models.BooleanField(default=False)
    queue_minutes = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="space_capacity_positive")
        ]

    def __str__(self) -> str:
        return self.name


class HistoryPoint(models.Model):
    """The state of a space after one update, or the peak of a quarter of an hour."""

    # The (space, at) index below serves lookups by space too: no second index.
    space = models.ForeignKey(
        Space, on_delete=models.CASCADE, related_name="history", db_index=False
    )
    at = models.DateTimeField()
    count = models.PositiveIntegerField()
    full = models.BooleanField(default=False)
    closed = models.BooleanField(default=False)
    queue_minutes = models.PositiveIntegerField(null=True, blank=True)
    # 0 for a single update; 900 for a summary of a quarter of an hour starting at ``at``.
    span_seconds = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["space", "at"])]
        ordering = ["at", "id"]


class SensorToken(models.Model):
    """A bearer token for a door counter, scoped to one site. Only its hash is kept."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="sensor_tokens")
    name = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text=_("First characters, to recognise it"))
    created_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyKey(models.Model):
    """The answer to an update sent with an ``Idempotency-Key``, replayed on a retry."""

    scope = models.CharField(max_length=64, help_text=_("Who sent it: a token or an account"))
    key = models.CharField(max_length=255)
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    request_hash = models.CharField(max_length=64)
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique")
        ]


class AutoPostPolicy(models.Model):
    """Whether a site posts from the institution account when a space fills or frees up."""

    site = models.OneToOneField(Site, on_delete=models.CASCADE, related_name="auto_post_policy")
    enabled = models.BooleanField(default=False)
    max_per_day = models.PositiveSmallIntegerField(default=6)
    # {"fr": {"full": "...", "reopened": "..."}, "en": {...}}; {space} and {site} are replaced.
    templates = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=8, default="fr")


class AutoPostKind(models.TextChoices):
    FULL = "full", _("Became full")
    REOPENED = "reopened", _("Seats free again")


class AutoPost(models.Model):
    """One automatic post, kept to enforce the daily and per-space limits."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="auto_posts")
    kind = models.CharField(max_length=10, choices=AutoPostKind.choices)
    status_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["space", "-created_at"])]
