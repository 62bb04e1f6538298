"""Reads about events shared by the front doors: one event, agendas with their
filters, "my events", the organiser's participant list and its CSV export."""

import csv
import io
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from babillard.accounts.models import Account
from babillard.core.errors import Forbidden, NotFound
from babillard.core.spreadsheets import csv_safe
from babillard.events.models import (
    Audience,
    CalendarSettings,
    Event,
    Participation,
    ParticipationState,
)
from babillard.events.services import can_manage

AGENDA_LIMIT = 200


def get_event(event_id: int | str) -> Event:
    """One event (local or received), visible to everyone while its organiser is not suspended."""
    try:
        event = Event.objects.select_related("organizer", "site", "announcement").get(
            pk=int(event_id)
        )
    except (Event.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFound(event_id) from None
    if event.organizer.is_suspended:
        raise NotFound(event_id)
    return event


def find_by_uri(uri: str) -> Event | None:
    """The event an ActivityPub id names: a local event's page, or a stored remote one."""
    from babillard.core import links

    prefix = links.absolute("/events/")
    if uri.startswith(prefix):
        try:
            return Event.objects.select_related("organizer").get(
                pk=int(uri.removeprefix(prefix)), organizer__domain=""
            )
        except (Event.DoesNotExist, ValueError, OverflowError):
            return None
    return Event.objects.select_related("organizer").filter(uri=uri).first() if uri else None


def parse_bound(value: Any, field: str, *, end: bool = False) -> datetime | None:
    """``from``/``to`` as an ISO 8601 date (the whole day, in the instance's zone) or instant."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            zone = ZoneInfo(settings.TIME_ZONE)
            return datetime.combine(day, time.max if end else time.min, tzinfo=zone)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            _("Give %(field)s as an ISO 8601 date or instant.") % {"field": field}, code=field
        ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def agenda(
    *,
    account_id: int | str | None = None,
    site_id: int | str | None = None,
    tag: str = "",
    start: datetime | None = None,
    end: datetime | None = None,
    audience: str = "",
    place: str = "",
    include_past: bool = False,
) -> QuerySet[Event]:
    """Events in time order: by default those not yet over; filters combine.

    ``place`` is ``online``, ``on_site`` or a city name (matched on the site's city
    or inside the free address).
    """
    events = Event.objects.select_related("organizer", "site", "announcement").filter(
        organizer__suspended_at__isnull=True
    )
    if account_id not in (None, ""):
        events = events.filter(organizer_id=_int(account_id, "account_id"))
    if site_id not in (None, ""):
        events = events.filter(site_id=_int(site_id, "site_id"))
    if tag:
        events = events.filter(tags__name=tag.casefold().lstrip("#"))
    if start is not None:
        events = events.filter(ends_at__gte=start)
    elif not include_past:
        events = events.filter(ends_at__gte=timezone.now())
    if end is not None:
        events = events.filter(starts_at__lte=end)
    if audience:
        if audience not in Audience.values:
            raise ValidationError(_("Unknown audience."), code="audience")
        events = events.filter(audience=audience)
    if place == "online":
        events = events.exclude(online_url="")
    elif place == "on_site":
        events = events.filter(Q(site__isnull=False) | ~Q(address=""))
    elif place:
        events = events.filter(Q(site__city__iexact=place) | Q(address__icontains=place))
    return events.order_by("starts_at", "id").distinct()


def _int(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            _("%(field)s must be a number.") % {"field": field}, code=field
        ) from None


def my_events(account: Account, *, include_past: bool = False) -> QuerySet[Event]:
    """Events the account joined or waits for."""
    events = Event.objects.select_related("organizer", "site", "announcement").filter(
        participations__account=account
    )
    if not include_past:
        events = events.filter(ends_at__gte=timezone.now())
    return events.order_by("starts_at", "id")


def participation_of(account: Account | None, event: Event) -> Participation | None:
    if account is None:
        return None
    return Participation.objects.filter(event=event, account=account).first()


def participation_state(account: Account | None, event: Event) -> str:
    found = participation_of(account, event)
    return found.state if found is not None else "none"


def participants(viewer: Account, event: Event) -> QuerySet[Participation]:
    """The organiser's list: participants first, then the waiting list, in order of arrival."""
    if not can_manage(viewer, event):
        raise Forbidden("organiser")
    return (
        Participation.objects.filter(event=event)
        .exclude(state=ParticipationState.PENDING)
        .select_related("account")
        .order_by("state", "created_at", "id")
    )


def participants_csv(viewer: Account, event: Event) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["handle", "name", "state", "joined_at"])
    for participation in participants(viewer, event):
        account = participation.account
        writer.writerow(
            [
                account.full_handle,
                csv_safe(account.name),
                participation.state,
                participation.created_at.isoformat(),
            ]
        )
    return buffer.getvalue()


def feed_owner(token: str) -> Account:
    found = (
        CalendarSettings.objects.select_related("account").filter(feed_token=token).first()
        if token
        else None
    )
    if found is None:
        raise NotFound("feed")
    return found.account
