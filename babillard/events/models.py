"""Events (local or received from another server), their participants and the
private calendar feed of each reader."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account
from babillard.core.models import SecretFeed
from babillard.institutions.models import Site
from babillard.statuses.models import Status, Tag


class EventState(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    TENTATIVE = "tentative", _("Tentative")
    CANCELLED = "cancelled", _("Cancelled")
    POSTPONED = "postponed", _("Postponed")
    MOVED_ONLINE = "moved_online", _("Moved online")


class Audience(models.TextChoices):
    ALL = "all", _("Everyone")
    CHILDREN = "children", _("Children")
    TEENS = "teens", _("Teenagers")
    ADULTS = "adults", _("Adults")
    PROFESSIONALS = "professionals", _("Professionals")


class Registration(models.TextChoices):
    NONE = "none", _("Free entry")
    BABILLARD = "babillard", _("Registration here")
    EXTERNAL = "external", _("Registration elsewhere")


class Event(models.Model):
    """One event. Times are stored in UTC and shown in ``time_zone`` (an IANA name).

    ``announcement`` is the post that announced it (for a remote event, the post
    stored from its ``Create``); ``sequence`` is iCalendar's SEQUENCE, raised on
    each change.
    """

    organizer = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="events")
    created_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    announcement = models.OneToOneField(
        Status, null=True, blank=True, on_delete=models.SET_NULL, related_name="event"
    )
    uri = models.URLField(max_length=2000, unique=True, null=True, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    description_html = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default="Europe/Paris")
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    address = models.CharField(max_length=300, blank=True)
    online_url = models.URLField(max_length=2000, blank=True)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.ALL)
    accessibility_notes = models.TextField(blank=True)
    cover = models.ImageField(upload_to="events/", blank=True)
    cover_remote_url = models.URLField(max_length=2000, blank=True)
    cover_alt = models.CharField(max_length=1500, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    registration = models.CharField(
        max_length=12, choices=Registration.choices, default=Registration.NONE
    )
    registration_url = models.URLField(max_length=2000, blank=True)
    waiting_list = models.BooleanField(default=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="events")
    state = models.CharField(
        max_length=16, choices=EventState.choices, default=EventState.CONFIRMED
    )
    sequence = models.PositiveIntegerField(default=0)
    participants_count = models.PositiveIntegerField(default=0)
    waiting_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["starts_at"]),
            models.Index(fields=["organizer", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="event_order"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_local(self) -> bool:
        return self.organizer.is_local

    @property
    def is_cancelled(self) -> bool:
        return self.state == EventState.CANCELLED

    @property
    def cover_url(self) -> str:
        return str(self.cover.url) if self.cover else self.cover_remote_url


class ParticipationState(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    WAITING = "waiting", _("On the waiting list")
    PENDING = "pending", _("Awaiting the organiser")


class Participation(models.Model):
    """One account (local or remote) taking part in, or waiting for, one event.

    ``uri`` is the id of the ``Join`` activity, sent or received.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="participations")
    state = models.CharField(max_length=12, choices=ParticipationState.choices)
    uri = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "account"], name="one_participation")
        ]
        indexes = [models.Index(fields=["event", "state", "created_at"])]


class CalendarSettings(SecretFeed):
    """A reader's private "my events" feed token and whether reminders go by e-mail."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="+")
    email_reminders = models.BooleanField(default=False)
