"""Events over ActivityPub, the way Mobilizon writes them.

Out: a local event is an ``Event`` object whose id is its page (``/events/:id``),
with Mobilizon's extension properties (``joinMode``, ``maximumAttendeeCapacity``,
``participantCount``, ``timezone``, ``ical:status``, ``isOnline``, a ``location``
``Place`` with a ``PostalAddress``) and schema.org's ``eventStatus`` for the states
iCalendar has no word for (postponed, moved online). ``Create``, ``Update`` and
``Delete`` go to the organiser's remote followers and to every remote
participant's server. Mastodon shows an ``Event`` as a post with its name and a
link, so the local announcement post itself stays on this instance.

In: ``Create``/``Update`` of an ``Event`` (Mobilizon, Gancio, Babillard) is stored
as a remote event with its announcement post; ``Join`` is answered with ``Accept``
(``TentativeAccept`` while on the waiting list, ``Reject`` when full); ``Leave`` and
``Undo{Join}`` remove the participant; ``Accept``/``TentativeAccept``/``Reject`` of
our ``Join`` (Mobilizon embeds the whole ``Join``) settle a local reader's pending
participation. ``event_handler`` is the one entry the inbox asks.
"""

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.html import escape

from babillard.accounts.models import Account
from babillard.core import links
from babillard.core.errors import Forbidden
from babillard.events import queries, services
from babillard.events.models import (
    Event,
    EventState,
    Participation,
    ParticipationState,
    Registration,
)
from babillard.federation import activities, outbox
from babillard.federation.remote import (
    InvalidDocument,
    as_list,
    author_uri,
    host_of,
    id_of,
    is_local_uri,
    note_fields,
    resolve_actor,
)
from babillard.statuses.formatting import sanitize

PUBLIC = activities.PUBLIC
CONTEXT: list[Any] = [
    "https://www.w3.org/ns/activitystreams",
    "https://w3id.org/security/v1",
    {
        "sc": "http://schema.org#",
        "ical": "http://www.w3.org/2002/12/cal/ical#",
        "mz": "https://joinmobilizon.org/ns#",
        "Hashtag": "as:Hashtag",
        "PostalAddress": "sc:PostalAddress",
        "address": {"@id": "sc:address", "@type": "sc:PostalAddress"},
        "addressCountry": "sc:addressCountry",
        "addressLocality": "sc:addressLocality",
        "postalCode": "sc:postalCode",
        "streetAddress": "sc:streetAddress",
        "location": {"@id": "sc:location", "@type": "sc:Place"},
        "maximumAttendeeCapacity": "sc:maximumAttendeeCapacity",
        "remainingAttendeeCapacity": "sc:remainingAttendeeCapacity",
        "eventStatus": {"@id": "sc:eventStatus", "@type": "@id"},
        "audience": "sc:audience",
        "accessibilityFeature": "sc:accessibilityFeature",
        "joinMode": {"@id": "mz:joinMode", "@type": "mz:joinModeType"},
        "joinModeType": {"@id": "mz:joinModeType", "@type": "rdfs:Class"},
        "participantCount": {"@id": "mz:participantCount", "@type": "sc:Number"},
        "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
        "isOnline": {"@id": "mz:isOnline", "@type": "sc:Boolean"},
        "externalParticipationUrl": {"@id": "mz:externalParticipationUrl", "@type": "sc:URL"},
        "anonymousParticipationEnabled": {
            "@id": "mz:anonymousParticipationEnabled",
            "@type": "sc:Boolean",
        },
    },
]

# iCalendar's three words (what Mobilizon reads), and schema.org's finer ones.
ICAL_STATUS = {
    EventState.CONFIRMED: "CONFIRMED",
    EventState.TENTATIVE: "TENTATIVE",
    EventState.CANCELLED: "CANCELLED",
    EventState.POSTPONED: "TENTATIVE",
    EventState.MOVED_ONLINE: "CONFIRMED",
}
SCHEMA_STATUS = {
    EventState.CONFIRMED: "https://schema.org/EventScheduled",
    EventState.TENTATIVE: "https://schema.org/EventScheduled",
    EventState.CANCELLED: "https://schema.org/EventCancelled",
    EventState.POSTPONED: "https://schema.org/EventPostponed",
    EventState.MOVED_ONLINE: "https://schema.org/EventMovedOnline",
}
STATE_FROM_SCHEMA = {
    "EventCancelled": EventState.CANCELLED,
    "EventPostponed": EventState.POSTPONED,
    "EventMovedOnline": EventState.MOVED_ONLINE,
}
STATE_FROM_ICAL = {
    "CONFIRMED": EventState.CONFIRMED,
    "TENTATIVE": EventState.TENTATIVE,
    "CANCELLED": EventState.CANCELLED,
}


# --- out -------------------------------------------------------------------------------------


def _location(event: Event) -> dict[str, Any] | None:
    if event.site is not None:
        site = event.site
        place: dict[str, Any] = {
            "type": "Place",
            "name": site.name,
            "address": {
                "type": "PostalAddress",
                "streetAddress": site.address,
                "postalCode": site.postcode,
                "addressLocality": site.city,
                "addressCountry": "",
            },
        }
        if site.latitude is not None and site.longitude is not None:
            place["latitude"], place["longitude"] = site.latitude, site.longitude
        return place
    if event.address:
        return {
            "type": "Place",
            "name": event.address,
            "address": {"type": "PostalAddress", "streetAddress": event.address},
        }
    return None


def _attachments(event: Event) -> list[dict[str, Any]]:
    attached: list[dict[str, Any]] = []
    if event.cover_url:
        url = event.cover_url
        attached.append(
            {
                "type": "Document",
                "mediaType": "image/jpeg"
                if url.lower().endswith((".jpg", ".jpeg"))
                else "image/png",
                "url": url if url.startswith("http") else links.absolute(url),
                "name": event.cover_alt or event.title,
            }
        )
    if event.online_url:
        attached.append(
            {"type": "Link", "mediaType": "text/html", "name": "Website", "href": event.online_url}
        )
    return attached


def event_object(event: Event) -> dict[str, Any]:
    """The ``Event`` object of a local event (without ``@context``)."""
    organizer = event.organizer
    url = services.event_url(event)
    document: dict[str, Any] = {
        "id": url,
        "type": "Event",
        "url": url,
        "name": event.title,
        "content": event.description_html,
        "mediaType": "text/html",
        "startTime": activities.iso(event.starts_at),
        "endTime": activities.iso(event.ends_at),
        "timezone": event.time_zone,
        "attributedTo": organizer.uri,
        "actor": organizer.uri,
        "to": [PUBLIC],
        "cc": [activities.followers_uri(organizer)],
        "published": activities.iso(event.created_at),
        "updated": activities.iso(event.updated_at),
        "joinMode": "external" if event.registration == Registration.EXTERNAL else "free",
        "externalParticipationUrl": event.registration_url or None,
        "maximumAttendeeCapacity": event.capacity or 0,
        "participantCount": event.participants_count,
        "ical:status": ICAL_STATUS[EventState(event.state)],
        "eventStatus": SCHEMA_STATUS[EventState(event.state)],
        "isOnline": bool(event.online_url)
        and (event.state == EventState.MOVED_ONLINE or _location(event) is None),
        "anonymousParticipationEnabled": False,
        "commentsEnabled": True,
        "audience": event.audience,
        "accessibilityFeature": event.accessibility_notes or None,
        "attachment": _attachments(event),
        "tag": [
            {"type": "Hashtag", "name": f"#{tag.display_name}", "href": links.tag_url(tag.name)}
            for tag in event.tags.all()
        ],
    }
    if event.capacity is not None:
        document["remainingAttendeeCapacity"] = max(event.capacity - event.participants_count, 0)
    location = _location(event)
    if location is not None:
        document["location"] = location
    return {key: value for key, value in document.items() if value is not None}


def event_document(event: Event) -> dict[str, Any]:
    return {"@context": CONTEXT, **event_object(event)}


def _audience(event: Event) -> list[Account]:
    followers = Account.objects.filter(following_rel__target=event.organizer).exclude(domain="")
    participants = Account.objects.filter(participations__event=event).exclude(domain="")
    return list({a.pk: a for a in [*followers, *participants]}.values())


def _send_about(event: Event, kind: str) -> None:
    if not event.is_local:
        return
    document = event_object(event)
    activity = {
        "@context": CONTEXT,
        "id": f"{document['id']}#{kind.lower()}/{event.sequence}",
        "type": kind,
        "actor": event.organizer.uri,
        "to": document["to"],
        "cc": document["cc"],
        "object": document if kind != "Delete" else {"id": document["id"], "type": "Tombstone"},
    }
    if kind == "Create":
        activity["published"] = document["published"]
    outbox.send(event.organizer, activity, _audience(event))


def deliver_event_create(event: Event) -> None:
    _send_about(event, "Create")


def deliver_event_update(event: Event) -> None:
    _send_about(event, "Update")


def deliver_event_delete(event: Event) -> None:
    _send_about(event, "Delete")


def join_id(participation: Participation) -> str:
    return f"{participation.account.uri}#joins/{participation.pk}"


def _join_document(participation: Participation) -> dict[str, Any]:
    event = participation.event
    return {
        "id": participation.uri or join_id(participation),
        "type": "Join",
        "actor": participation.account.uri,
        "object": event.uri or services.event_url(event),
        "to": [event.organizer.uri],
    }


def deliver_join(participation: Participation) -> None:
    """A local reader joins a remote event: the ``Join`` goes to its organiser."""
    outbox.send(
        participation.account,
        {"@context": CONTEXT, **_join_document(participation)},
        [participation.event.organizer],
    )


def deliver_leave(participation: Participation) -> None:
    """Mobilizon ends a participation with ``Leave``, and so do we."""
    event = participation.event
    activity = {
        "@context": CONTEXT,
        "id": f"{participation.uri or join_id(participation)}/leave",
        "type": "Leave",
        "actor": participation.account.uri,
        "object": event.uri or services.event_url(event),
        "to": [event.organizer.uri],
    }
    outbox.send(participation.account, activity, [event.organizer])


def _answer(participation: Participation, kind: str) -> None:
    event = participation.event
    join = _join_document(participation)
    activity = {
        "@context": CONTEXT,
        "id": f"{services.event_url(event)}#{kind.lower()}/{participation.pk}/{participation.state}",
        "type": kind,
        "actor": event.organizer.uri,
        "object": join,
        "to": [participation.account.uri],
    }
    outbox.send(event.organizer, activity, [participation.account])


def deliver_accept(participation: Participation) -> None:
    """``Accept`` a remote participant; ``TentativeAccept`` while on the waiting list."""
    waiting = participation.state == ParticipationState.WAITING
    _answer(participation, "TentativeAccept" if waiting else "Accept")


def deliver_reject(event: Event, actor: Account, join: dict[str, Any]) -> None:
    activity = {
        "@context": CONTEXT,
        "id": f"{services.event_url(event)}#reject/{hashlib.sha256(id_of(join).encode()).hexdigest()[:20]}",
        "type": "Reject",
        "actor": event.organizer.uri,
        "object": join,
        "to": [actor.uri],
    }
    outbox.send(event.organizer, activity, [actor])


# --- in --------------------------------------------------------------------------------------


def _moment(value: Any, field: str) -> datetime:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        raise InvalidDocument(f"Event without a valid {field}")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, ZoneInfo("UTC"))
    return moment


def _zone(document: dict[str, Any]) -> str:
    name = document.get("timezone")
    if isinstance(name, str):
        try:
            ZoneInfo(name)
            return name
        except (ZoneInfoNotFoundError, ValueError):
            pass
    # Gancio and others send no zone: show the event in this instance's.
    return str(settings.TIME_ZONE)


def _state(document: dict[str, Any]) -> str:
    schema = str(document.get("eventStatus") or "").rsplit("/", 1)[-1]
    if schema in STATE_FROM_SCHEMA:
        return STATE_FROM_SCHEMA[schema]
    ical = str(document.get("ical:status") or document.get("status") or "").upper()
    return STATE_FROM_ICAL.get(ical, EventState.CONFIRMED)


def _address(document: dict[str, Any]) -> str:
    location = document.get("location")
    if isinstance(location, list):
        location = next((item for item in location if isinstance(item, dict)), None)
    if not isinstance(location, dict):
        return ""
    address = location.get("address")
    parts = [str(location.get("name") or "")]
    if isinstance(address, dict):
        parts += [
            str(address.get(key) or "")
            for key in ("streetAddress", "postalCode", "addressLocality", "addressCountry")
        ]
    elif isinstance(address, str):
        parts.append(address)
    seen: list[str] = []
    for part in (p.strip() for p in parts):
        if part and part not in seen:
            seen.append(part)
    return ", ".join(seen)[:300]


def _online_url(document: dict[str, Any]) -> str:
    for item in as_list(document.get("attachment")):
        if isinstance(item, dict) and item.get("type") == "Link":
            href = item.get("href")
            if isinstance(href, str) and href.startswith(("http://", "https://")):
                return href[:2000]
    return ""


def _cover(document: dict[str, Any]) -> tuple[str, str]:
    for item in as_list(document.get("attachment")) + as_list(document.get("image")):
        if isinstance(item, dict) and item.get("type") in ("Document", "Image"):
            url = item.get("url")
            url = id_of(url[0] if isinstance(url, list) and url else url) or item.get("href", "")
            if isinstance(url, str) and url.startswith(("http://", "https://")):
                return url[:2000], str(item.get("name") or "")[:1500]
    return "", ""


def _capacity(document: dict[str, Any]) -> int | None:
    value = document.get("maximumAttendeeCapacity")
    return value if isinstance(value, int) and value > 0 else None


def event_fields(document: dict[str, Any]) -> dict[str, Any]:
    """The ``Event`` model's fields read from an incoming ``Event`` object."""
    start = _moment(document.get("startTime"), "startTime")
    end = _moment(document.get("endTime") or document.get("startTime"), "endTime")
    cover_url, cover_alt = _cover(document)
    registration_url = document.get("externalParticipationUrl")
    join_mode = str(document.get("joinMode") or "free")
    external = join_mode == "external" and isinstance(registration_url, str)
    content = document.get("content")
    audience = document.get("audience")
    return {
        "title": str(document.get("name") or "")[:200] or "—",
        "description_html": sanitize(content if isinstance(content, str) else ""),
        "starts_at": start,
        "ends_at": max(end, start),
        "time_zone": _zone(document),
        "address": _address(document),
        "online_url": _online_url(document),
        "cover_remote_url": cover_url,
        "cover_alt": cover_alt,
        "capacity": _capacity(document),
        "registration": Registration.EXTERNAL if external else Registration.BABILLARD,
        "registration_url": str(registration_url)[:2000] if external else "",
        "state": _state(document),
        "audience": audience
        if audience in ("all", "children", "teens", "adults", "professionals")
        else "all",
        "url": id_of(document.get("url")) or document["id"],
    }


def _check_event(document: dict[str, Any], actor: Account) -> None:
    if document.get("type") != "Event":
        raise InvalidDocument("not an Event")
    uri = document.get("id")
    if not isinstance(uri, str) or not uri.startswith(("http://", "https://")):
        raise InvalidDocument("Event without an id")
    if is_local_uri(uri):
        raise InvalidDocument("a remote server may not create local objects")
    organizer = author_uri(document) or id_of(document.get("actor"))
    if organizer != actor.uri and id_of(document.get("actor")) != actor.uri:
        raise Forbidden("event attributed to someone else")
    if host_of(uri) != host_of(actor.uri):
        raise InvalidDocument("event id and organiser are on different hosts")


def _announcement_html(event: Event) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        lines: list[str] = [escape(event.title), escape(services.when_text(event))]
        place = services.place_text(event)
    if place:
        lines.append(escape(place))
    link = escape(services.event_url(event))
    lines.append(f'<a href="{link}">{link}</a>')
    return f"<p>{'<br>'.join(lines)}</p>{event.description_html}"


def _relevant(actor: Account) -> bool:
    return Account.objects.filter(following_rel__target=actor, domain="").exists()


def store_event(document: dict[str, Any], actor: Account, *, force: bool = False) -> Event | None:
    """Store or refresh a remote event and its announcement; ``None`` when nobody here
    follows its organiser (unless ``force``, for a search by URL)."""
    from babillard.statuses.services import receive_remote_status, update_remote_status

    _check_event(document, actor)
    fields = event_fields(document)
    existing = Event.objects.filter(uri=document["id"]).first()
    if existing is None and not force and not _relevant(actor):
        return None
    tags = note_fields(document, actor)["tags"]
    if existing is None:
        event = Event.objects.create(organizer=actor, uri=document["id"], **fields)
        note = note_fields(document, actor)
        note.update(content=_announcement_html(event), spoiler_text="", poll=None, mentions=[])
        event.announcement = receive_remote_status(actor, **note)
        event.save(update_fields=["announcement"])
        _set_tags(event, tags)
        return event
    changed = [
        k for k in services.NOTIFIED_FIELDS if k in fields and getattr(existing, k) != fields[k]
    ]
    for key, value in fields.items():
        setattr(existing, key, value)
    existing.sequence += 1
    existing.updated_at = timezone.now()
    existing.save()
    _set_tags(existing, tags)
    if existing.announcement is not None:
        update_remote_status(existing.announcement, content=_announcement_html(existing), tags=tags)
    if changed:
        services.notify_participants(existing)
    return existing


def _set_tags(event: Event, names: list[str]) -> None:
    from babillard.statuses.services import get_or_create_tag

    event.tags.set([get_or_create_tag(name) for name in names])


def fetch_event(uri: str) -> Event | None:
    """A remote event by URL (search with ``resolve``): the stored one, or fetched now."""
    from babillard.federation.client import fetch

    found = Event.objects.filter(uri=uri).first() or Event.objects.filter(url=uri).first()
    if found is not None:
        return found
    document = fetch(uri)
    if document.get("type") != "Event" or host_of(document.get("id")) != host_of(uri):
        return None
    organizer = resolve_actor(author_uri(document) or id_of(document.get("actor")))
    return store_event(document, organizer, force=True)


def handle_event(activity: dict[str, Any], actor: Account) -> str:
    document = activity.get("object")
    if not isinstance(document, dict):
        raise InvalidDocument("Event needs the object inline")
    stored = store_event(document, actor, force=activity.get("type") == "Update")
    return "event stored" if stored is not None else "nobody here needs it"


def _local_event(uri: str) -> Event:
    event = queries.find_by_uri(uri)
    if event is None or not event.is_local:
        raise InvalidDocument("Join of an unknown event")
    return event


def handle_join(activity: dict[str, Any], actor: Account) -> str:
    event = _local_event(id_of(activity.get("object")))
    try:
        participation = services.join_event(actor, event, uri=id_of(activity))
    except ValidationError:
        deliver_reject(event, actor, {k: v for k, v in activity.items() if k != "@context"})
        return "refused: the event is full or closed"
    return f"joined: {participation.state}"


def _leave(actor: Account, event_uri: str) -> str:
    event = queries.find_by_uri(event_uri)
    if event is None:
        return "unknown event"
    services.leave_event(actor, event)
    return "left"


def handle_leave(activity: dict[str, Any], actor: Account) -> str:
    return _leave(actor, id_of(activity.get("object")))


def handle_undo_join(activity: dict[str, Any], actor: Account) -> str:
    inner = activity.get("object")
    if isinstance(inner, dict):
        if id_of(inner.get("actor")) not in ("", actor.uri):
            raise Forbidden("undo of someone else's join")
        return _leave(actor, id_of(inner.get("object")))
    participation = Participation.objects.filter(uri=id_of(inner), account=actor).first()
    if participation is None:
        return "unknown join"
    services.leave_event(actor, participation.event)
    return "left"


def _our_participation(activity: dict[str, Any], actor: Account) -> Participation | None:
    inner = activity.get("object")
    join_uri = id_of(inner)
    participation = (
        Participation.objects.select_related("event__organizer", "account")
        .filter(uri=join_uri, account__domain="")
        .first()
        if join_uri
        else None
    )
    if participation is None and isinstance(inner, dict):
        event = Event.objects.filter(uri=id_of(inner.get("object"))).first()
        account_uri = id_of(inner.get("actor"))
        if event is not None and is_local_uri(account_uri):
            participation = Participation.objects.filter(
                event=event, account__uri=account_uri, account__domain=""
            ).first()
    if participation is None:
        return None
    if participation.event.organizer_id != actor.pk:
        raise Forbidden("answer from someone other than the organiser")
    return participation


def handle_accept_join(activity: dict[str, Any], actor: Account) -> str:
    participation = _our_participation(activity, actor)
    if participation is None:
        return "unknown join"
    waiting = activity.get("type") == "TentativeAccept"
    state = ParticipationState.WAITING if waiting else ParticipationState.PARTICIPANT
    services.confirm_participation(participation, state)
    return f"join accepted: {state}"


def handle_reject_join(activity: dict[str, Any], actor: Account) -> str:
    participation = _our_participation(activity, actor)
    if participation is None:
        return "unknown join"
    services.refuse_participation(participation)
    return "join rejected"


def handle_delete_event(activity: dict[str, Any], actor: Account) -> str:
    from babillard.statuses.services import delete_status

    event = Event.objects.filter(uri=id_of(activity.get("object"))).first()
    if event is None:
        return "unknown object"
    if event.organizer_id != actor.pk:
        raise Forbidden("only the organiser deletes an event")
    announcement = event.announcement
    event.delete()
    if announcement is not None:
        delete_status(announcement)
    return "event deleted"


Handler = Callable[[dict[str, Any], Account], str]


def _inner_type(activity: dict[str, Any]) -> str:
    inner = activity.get("object")
    if isinstance(inner, dict):
        return str(inner.get("type") or "")
    if Participation.objects.filter(uri=id_of(inner)).exists():
        return "Join"
    return ""


def event_handler(activity: dict[str, Any]) -> Handler | None:
    """The handler for an activity about events, or ``None`` for the inbox's own."""
    kind = activity.get("type")
    if kind == "Join":
        return handle_join
    if kind == "Leave":
        return handle_leave
    if kind in ("Create", "Update") and _inner_type(activity) == "Event":
        return handle_event
    if kind in ("Accept", "TentativeAccept") and _inner_type(activity) == "Join":
        return handle_accept_join
    if kind == "Reject" and _inner_type(activity) == "Join":
        return handle_reject_join
    if kind == "Undo" and _inner_type(activity) == "Join":
        return handle_undo_join
    if kind == "Delete" and Event.objects.filter(uri=id_of(activity.get("object"))).exists():
        return handle_delete_event
    return None
