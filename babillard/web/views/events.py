"""Event pages: the event (with schema.org JSON-LD; ActivityPub clients get the ``Event``
object at the same address), its forms, agendas per account, site, tag and for the whole
instance, "my events", the participant list, and the iCalendar downloads and feeds."""

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from babillard.accounts.models import Account
from babillard.accounts.queries import get_local_account
from babillard.core import links
from babillard.core.errors import NotFound
from babillard.events import ical, queries, services
from babillard.events.federation import SCHEMA_STATUS, event_document
from babillard.events.models import Audience, Event, EventState, Registration
from babillard.federation.views import activity_response, wants_activity
from babillard.institutions.models import Role
from babillard.institutions.queries import get_site, institutions_of, sites
from babillard.web.views.common import (
    add_errors,
    current_account,
    member_page,
    public_page,
    viewer_of,
)

ZONES = sorted(available_timezones())
FEED_PAST = timedelta(days=31)
PLACE_FILTERS = (
    ("", gettext_lazy("Anywhere")),
    ("on_site", gettext_lazy("On site")),
    ("online", gettext_lazy("Online")),
)


class EventForm(forms.Form):
    """Create or edit an event; times are typed in the event's own zone."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    timezone = forms.ChoiceField(
        label=gettext_lazy("Time zone"), choices=[(z, z) for z in ZONES], initial="Europe/Paris"
    )
    organizer = forms.ChoiceField(label=gettext_lazy("Organiser"), required=False)
    site_id = forms.ChoiceField(label=gettext_lazy("Site"), required=False)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300, required=False)
    online_url = forms.URLField(
        label=gettext_lazy("Online address"), required=False, assume_scheme="https"
    )
    audience = forms.ChoiceField(label=gettext_lazy("Audience"), choices=Audience.choices)
    accessibility_notes = forms.CharField(
        label=gettext_lazy("Accessibility"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    cover = forms.ImageField(label=gettext_lazy("Cover image"), required=False)
    cover_alt = forms.CharField(
        label=gettext_lazy("Description of the cover image"), max_length=1500, required=False
    )
    capacity = forms.IntegerField(label=gettext_lazy("Capacity"), min_value=1, required=False)
    registration = forms.ChoiceField(
        label=gettext_lazy("Registration"), choices=Registration.choices
    )
    registration_url = forms.URLField(
        label=gettext_lazy("Registration address"), required=False, assume_scheme="https"
    )
    waiting_list = forms.BooleanField(
        label=gettext_lazy("Waiting list when full"), required=False, initial=True
    )
    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        help_text=gettext_lazy("Separated by spaces, without #."),
    )
    state = forms.ChoiceField(label=gettext_lazy("Status"), choices=EventState.choices)

    def __init__(self, *args: Any, author: Account, event: Event | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        organizers = [author, *institutions_of(author, Role.EDITOR)]
        if event is not None:
            del self.fields["organizer"]
            organizers = [event.organizer]
        else:
            del self.fields["state"]
            choices = [(str(a.pk), a.name) for a in organizers]
            self.fields["organizer"].choices = choices  # type: ignore[attr-defined]
        site_choices = [("", "—")] + [
            (str(s.pk), f"{s.name} ({s.institution.name})")
            for s in sites().filter(institution__in=organizers).select_related("institution")
        ]
        self.fields["site_id"].choices = site_choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        zone_name = data.get("timezone")
        if zone_name in ZONES:
            zone = ZoneInfo(zone_name)
            for field in ("starts_at", "ends_at"):
                value = data.get(field)
                if isinstance(value, datetime):
                    data[field] = value.replace(tzinfo=None).replace(tzinfo=zone)
        return data


def _initial(event: Event) -> dict[str, Any]:
    zone = ZoneInfo(event.time_zone)
    return {
        "title": event.title,
        "description": event.description,
        "starts_at": event.starts_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": event.ends_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "timezone": event.time_zone,
        "site_id": str(event.site_id or ""),
        "address": event.address,
        "online_url": event.online_url,
        "audience": event.audience,
        "accessibility_notes": event.accessibility_notes,
        "cover_alt": event.cover_alt,
        "capacity": event.capacity,
        "registration": event.registration,
        "registration_url": event.registration_url,
        "waiting_list": event.waiting_list,
        "tags": " ".join(t.display_name for t in event.tags.all()),
        "state": event.state,
    }


FORM_FIELDS = {"timezone": "timezone", "site_id": "site_id", "status": "state"}


def _service_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("cover", "organizer")}


# --- the event -------------------------------------------------------------------------------


def json_ld(event: Event) -> str:
    """schema.org ``Event`` for search engines, embedded in the page."""
    location: list[dict[str, Any]] = []
    if event.site is not None or event.address:
        site = event.site
        location.append(
            {
                "@type": "Place",
                "name": site.name if site else event.address,
                "address": {
                    "@type": "PostalAddress",
                    "streetAddress": site.address if site else event.address,
                    "postalCode": site.postcode if site else "",
                    "addressLocality": site.city if site else "",
                },
            }
        )
    if event.online_url:
        location.append({"@type": "VirtualLocation", "url": event.online_url})
    online, offline = bool(event.online_url), bool(event.site_id or event.address)
    mode = (
        "MixedEventAttendanceMode"
        if online and offline and event.state != EventState.MOVED_ONLINE
        else "OnlineEventAttendanceMode"
        if online
        else "OfflineEventAttendanceMode"
    )
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": services.plain_description(event),
        "startDate": services.local_start(event).isoformat(),
        "endDate": services.local_end(event).isoformat(),
        "eventStatus": SCHEMA_STATUS[EventState(event.state)],
        "eventAttendanceMode": f"https://schema.org/{mode}",
        "url": services.event_url(event),
        "organizer": {
            "@type": "Organization" if event.organizer.kind == "institution" else "Person",
            "name": event.organizer.name,
            "url": event.organizer.url or links.account_url(event.organizer.username),
        },
        "location": location[0] if len(location) == 1 else location,
        "audience": {"@type": "Audience", "audienceType": event.audience},
    }
    if event.cover_url:
        data["image"] = [links.absolute(event.cover_url) if event.cover else event.cover_url]
    if event.capacity is not None:
        data["maximumAttendeeCapacity"] = event.capacity
        data["remainingAttendeeCapacity"] = max(event.capacity - event.participants_count, 0)
    # Escape "<" so the text can never close the script element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def event_page(request: HttpRequest, event_id: int) -> HttpResponse:
    if wants_activity(request):
        event = queries.get_event(event_id)
        if not event.is_local:
            raise Http404
        return activity_response(event_document(event))
    return _event_page(request, event_id)


@public_page
def _event_page(request: HttpRequest, event_id: int) -> HttpResponse:
    event = queries.get_event(event_id)
    context = {**_page_context(viewer_of(request), event), "error": ""}
    return render(request, "events/event.html", context)


@member_page
def new_event(request: HttpRequest) -> HttpResponse:
    author = current_account(request)
    form = EventForm(request.POST or None, request.FILES or None, author=author)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organizer_id = data.pop("organizer", "")
        institution_id = organizer_id if organizer_id and organizer_id != str(author.pk) else None
        try:
            event = services.create_event(
                author,
                institution_id=institution_id,
                cover=data.get("cover"),
                **_service_fields(data),
            )
        except ValidationError as error:
            add_errors(form, error, FORM_FIELDS)
        else:
            return HttpResponseRedirect(reverse("web:event", args=[event.pk]))
    return render(request, "events/form.html", {"form": form, "event": None})


@member_page
def edit_event(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = current_account(request)
    event = queries.get_event(event_id)
    if not services.can_manage(actor, event):
        raise Http404
    form = EventForm(
        request.POST or None,
        request.FILES or None,
        author=actor,
        event=event,
        initial=_initial(event),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.update_event(actor, event, cover=data.get("cover"), **_service_fields(data))
        except ValidationError as error:
            add_errors(form, error, FORM_FIELDS)
        else:
            return HttpResponseRedirect(reverse("web:event", args=[event.pk]))
    return render(request, "events/form.html", {"form": form, "event": event})


@member_page
def cancel_event(request: HttpRequest, event_id: int) -> HttpResponse:
    actor = current_account(request)
    event = queries.get_event(event_id)
    if request.method == "POST":
        services.cancel_event(actor, event)
        return HttpResponseRedirect(reverse("web:event", args=[event.pk]))
    if not services.can_manage(actor, event):
        raise Http404
    return render(request, "events/cancel.html", {"event": event})


@member_page
def participation(request: HttpRequest, event_id: int) -> HttpResponse:
    """Join (``join``) or leave (anything else) from the event page's form."""
    account = current_account(request)
    event = queries.get_event(event_id)
    target = reverse("web:event", args=[event.pk])
    if request.method != "POST":
        return HttpResponseRedirect(target)
    if request.POST.get("action") == "join":
        try:
            services.join_event(account, event)
        except ValidationError as error:
            return render(
                request,
                "events/event.html",
                {**_page_context(account, event), "error": " ".join(error.messages)},
                status=422,
            )
    else:
        services.leave_event(account, event)
    return HttpResponseRedirect(target)


def _page_context(viewer: Account | None, event: Event) -> dict[str, Any]:
    return {
        "event": event,
        "start": services.local_start(event),
        "end": services.local_end(event),
        "place": services.place_text(event),
        "json_ld": json_ld(event),
        "participation": queries.participation_of(viewer, event),
        "can_manage": services.can_manage(viewer, event),
        "tags": list(event.tags.all()),
    }


@member_page
def participants(request: HttpRequest, event_id: int, csv: bool = False) -> HttpResponse:
    viewer = current_account(request)
    event = queries.get_event(event_id)
    if csv:
        response = HttpResponse(
            queries.participants_csv(viewer, event), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.csv"'
        return response
    listed = list(queries.participants(viewer, event))
    return render(request, "events/participants.html", {"event": event, "participants": listed})


# --- agendas ---------------------------------------------------------------------------------


def _filtered(request: HttpRequest, **scope: Any) -> tuple[QuerySet[Event], dict[str, Any], str]:
    """The agenda's events under the page's filters, the filters, and an error to show."""
    values = {key: request.GET.get(key, "") for key in ("from", "to", "audience", "place")}
    error = ""
    try:
        found = queries.agenda(
            start=queries.parse_bound(values["from"], "from"),
            end=queries.parse_bound(values["to"], "to", end=True),
            audience=values["audience"],
            place=values["place"],
            **scope,
        )
    except ValidationError as invalid:
        error = " ".join(invalid.messages)
        found = queries.agenda(**scope)
    return found.prefetch_related("tags")[: queries.AGENDA_LIMIT], values, error  # type: ignore[return-value]


def _agenda(request: HttpRequest, title: str, ics_url: str, **scope: Any) -> HttpResponse:
    found, values, error = _filtered(request, **scope)
    context = {
        "title": title,
        "events": [(event, "") for event in found],
        "filters": values,
        "audiences": Audience.choices,
        "places": PLACE_FILTERS,
        "ics_url": ics_url,
        "error": error,
    }
    return render(request, "events/agenda.html", context)


@public_page
def agenda(request: HttpRequest) -> HttpResponse:
    return _agenda(request, _("Agenda"), reverse("web:events_ics"))


@public_page
def account_agenda(request: HttpRequest, username: str) -> HttpResponse:
    account = get_local_account(username)
    return _agenda(
        request,
        _("Events of %(name)s") % {"name": account.name},
        reverse("web:account_events_ics", args=[account.username]),
        account_id=account.pk,
    )


@public_page
def site_agenda(request: HttpRequest, site_id: int) -> HttpResponse:
    site = get_site(site_id)
    return _agenda(
        request,
        _("Events at %(site)s") % {"site": site.name},
        reverse("web:site_events_ics", args=[site.pk]),
        site_id=site.pk,
    )


@public_page
def tag_agenda(request: HttpRequest, name: str) -> HttpResponse:
    return _agenda(
        request,
        _("Events tagged #%(tag)s") % {"tag": name},
        reverse("web:tag_events_ics", args=[name]),
        tag=name,
    )


@member_page
def my_events(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    if request.method == "POST":
        if request.POST.get("action") == "regenerate":
            services.regenerate_feed_token(account)
        else:
            services.set_email_reminders(account, request.POST.get("email_reminders") == "on")
        return HttpResponseRedirect(reverse("web:my_events"))
    found = list(queries.my_events(account).prefetch_related("tags"))
    states = {p.event_id: p.state for p in account.participations.filter(event__in=found)}
    preferences = services.calendar_settings(account)
    context = {
        "events": [(event, states.get(event.pk, "")) for event in found],
        "feed_url": links.absolute(reverse("web:my_events_ics", args=[preferences.feed_token])),
        "email_reminders": preferences.email_reminders,
    }
    return render(request, "events/mine.html", context)


# --- iCalendar -------------------------------------------------------------------------------


def _ics(events: Any, name: str, filename: str) -> HttpResponse:
    response = HttpResponse(
        ical.calendar(events, name), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _feed(**scope: Any) -> Any:
    """Feeds keep a month of past events, so a calendar still shows what just happened."""
    since = timezone.now() - FEED_PAST
    return queries.agenda(start=since, **scope).prefetch_related("tags")[: queries.AGENDA_LIMIT]


@public_page
def event_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    event = queries.get_event(event_id)
    return _ics([event], event.title, f"event-{event.pk}.ics")


@public_page
def events_ics(request: HttpRequest) -> HttpResponse:
    return _ics(_feed(), settings.INSTANCE_NAME, "events.ics")


@public_page
def account_events_ics(request: HttpRequest, username: str) -> HttpResponse:
    account = get_local_account(username)
    return _ics(_feed(account_id=account.pk), account.name, f"{account.username}-events.ics")


@public_page
def site_events_ics(request: HttpRequest, site_id: int) -> HttpResponse:
    site = get_site(site_id)
    return _ics(_feed(site_id=site.pk), site.name, f"site-{site.pk}-events.ics")


@public_page
def tag_events_ics(request: HttpRequest, name: str) -> HttpResponse:
    return _ics(_feed(tag=name), f"#{name}", f"{name}-events.ics")


def my_events_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: its secret address is the only credential a calendar program has."""
    try:
        account = queries.feed_owner(token)
    except NotFound:
        raise Http404 from None
    events = queries.my_events(account, include_past=True).prefetch_related("tags")
    return _ics(events[: queries.AGENDA_LIMIT], _("My events"), "my-events.ics")
