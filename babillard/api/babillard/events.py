"""``/api/babillard/v1/`` paths of the events domain: events, participation and the
organiser's participant list (``?format=csv`` for the export).

Reads take ``read:statuses`` (anonymous readers may read events), writes
``write:statuses``. A token acting as an institution creates the event as the
institution (audited like its posts).
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.accounts.models import Account
from babillard.api import schemas, serializers
from babillard.api.base import acting_grant, as_int, params, require, token_of, viewer
from babillard.core import links
from babillard.events import queries, services
from babillard.events.models import Event, Participation
from babillard.statuses.models import Status

router = Router(tags=["events"])

ERRORS: dict[int, type[schemas.Entity]] = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    422: schemas.Error,
}
LIST_LIMIT = 40
READ, WRITE = "read:statuses", "write:statuses"


class EventEntity(schemas.Entity):
    id: str
    uri: str
    url: str
    ics_url: str
    local: bool
    title: str
    description: str
    description_html: str
    starts_at: str
    ends_at: str
    timezone: str
    site_id: str | None
    address: str
    online_url: str
    audience: str
    accessibility_notes: str
    cover_url: str | None
    cover_alt: str
    capacity: int | None
    registration: str
    registration_url: str
    waiting_list: bool
    tags: list[str]
    status: str
    status_id: str | None
    sequence: int
    participants_count: int
    waiting_count: int
    organizer: schemas.Account
    participation: str | None


class ParticipationEntity(schemas.Entity):
    state: str
    participants_count: int
    waiting_count: int


class ParticipantEntity(schemas.Entity):
    account: schemas.Account
    state: str
    joined_at: str


def responses(entity: Any, status: int = 200) -> dict[int, Any]:
    return {status: entity, **ERRORS}


def event_entity(event: Event, me: Account | None) -> dict[str, Any]:
    """The event as the API shows it (also ``babillard.event`` on its announcement)."""
    url = services.event_url(event)
    return {
        "id": str(event.pk),
        "uri": event.uri or url,
        "url": url,
        "ics_url": links.absolute(f"/events/{event.pk}.ics"),
        "local": event.is_local,
        "title": event.title,
        "description": event.description,
        "description_html": event.description_html,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "timezone": event.time_zone,
        "site_id": str(event.site_id) if event.site_id else None,
        "address": event.address,
        "online_url": event.online_url,
        "audience": event.audience,
        "accessibility_notes": event.accessibility_notes,
        "cover_url": event.cover_url or None,
        "cover_alt": event.cover_alt,
        "capacity": event.capacity,
        "registration": event.registration,
        "registration_url": event.registration_url,
        "waiting_list": event.waiting_list,
        "tags": [tag.display_name for tag in event.tags.all()],
        "status": event.state,
        "status_id": str(event.announcement_id) if event.announcement_id else None,
        "sequence": event.sequence,
        "participants_count": event.participants_count,
        "waiting_count": event.waiting_count,
        "organizer": serializers.account(event.organizer),
        "participation": queries.participation_state(me, event) if me is not None else None,
    }


def events_of_statuses(statuses: list[Status]) -> dict[int, Event]:
    """The events announced by some statuses, by status id (one query)."""
    ids = [s.pk for s in statuses]
    found = Event.objects.select_related("organizer").filter(announcement_id__in=ids)
    return {event.announcement_id: event for event in found if event.announcement_id}


def _participation_entity(event: Event, me: Account) -> dict[str, Any]:
    event.refresh_from_db(fields=["participants_count", "waiting_count"])
    return {
        "state": queries.participation_state(me, event),
        "participants_count": event.participants_count,
        "waiting_count": event.waiting_count,
    }


def _participant_entity(participation: Participation) -> dict[str, Any]:
    return {
        "account": serializers.account(participation.account),
        "state": participation.state,
        "joined_at": serializers.iso(participation.created_at),
    }


def _fields(request: HttpRequest) -> dict[str, Any]:
    return {k: v for k, v in params(request).items() if k not in ("access_token", "cover")}


@router.post("/events", response=responses(EventEntity))
def create_event(request: HttpRequest) -> dict[str, Any]:
    """Create an event; its announcement is published in the organiser's timeline."""
    me = require(request, WRITE)
    token = token_of(request)
    grant = acting_grant(token) if token is not None else None
    fields = _fields(request)
    institution_id = fields.pop("institution_id", None)
    author = me
    if grant is not None:
        author, institution_id = grant.editor, grant.institution.pk
    event = services.create_event(
        author,
        institution_id=institution_id,
        grant=grant,
        cover=request.FILES.get("cover"),
        **fields,
    )
    return event_entity(queries.get_event(event.pk), me)


@router.get("/events", response=responses(list[EventEntity]))
def list_events(request: HttpRequest) -> list[dict[str, Any]]:
    """Events not yet over (or from ``from``), by start; ``limit`` at most 200."""
    me = viewer(request, READ)
    data = params(request)
    limit = min(max(as_int(data.get("limit"), LIST_LIMIT) or LIST_LIMIT, 1), queries.AGENDA_LIMIT)
    found = queries.agenda(
        account_id=data.get("account_id"),
        site_id=data.get("site_id"),
        tag=str(data.get("tag") or ""),
        start=queries.parse_bound(data.get("from"), "from"),
        end=queries.parse_bound(data.get("to"), "to", end=True),
        audience=str(data.get("audience") or ""),
        place=str(data.get("place") or ""),
    )
    return [event_entity(event, me) for event in found.prefetch_related("tags")[:limit]]


@router.get("/events/{event_id}", response=responses(EventEntity))
def get_event(request: HttpRequest, event_id: str) -> dict[str, Any]:
    me = viewer(request, READ)
    return event_entity(queries.get_event(event_id), me)


@router.patch("/events/{event_id}", response=responses(EventEntity))
def update_event(request: HttpRequest, event_id: str) -> dict[str, Any]:
    """Change an event (``status`` among the fields); participants hear of a new date,
    place or status, and other servers receive an ``Update``."""
    me = require(request, WRITE)
    fields = _fields(request)
    if "status" in fields:
        fields["state"] = fields.pop("status")
    event = services.update_event(
        me, queries.get_event(event_id), cover=request.FILES.get("cover"), **fields
    )
    return event_entity(queries.get_event(event.pk), me)


@router.delete("/events/{event_id}", response=responses(schemas.Empty))
def delete_event(request: HttpRequest, event_id: str) -> dict[str, Any]:
    me = require(request, WRITE)
    services.delete_event(me, queries.get_event(event_id))
    return {}


@router.post("/events/{event_id}/cancel", response=responses(EventEntity))
def cancel_event(request: HttpRequest, event_id: str) -> dict[str, Any]:
    me = require(request, WRITE)
    event = services.cancel_event(me, queries.get_event(event_id))
    return event_entity(queries.get_event(event.pk), me)


@router.get(
    "/events/{event_id}/participants",
    response=responses(list[ParticipantEntity]),
    openapi_extra={
        "parameters": [
            {
                "name": "format",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["json", "csv"]},
                "description": "csv: the list as a CSV file (handle, name, state, joined_at)",
            }
        ],
        "responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    },
)
def participants(request: HttpRequest, event_id: str) -> Any:
    """The organiser's list: participants, then the waiting list, in order of arrival."""
    me = require(request, READ)
    event = queries.get_event(event_id)
    if params(request).get("format") == "csv":
        response = HttpResponse(
            queries.participants_csv(me, event), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.csv"'
        return response
    return [_participant_entity(p) for p in queries.participants(me, event)]


@router.post("/events/{event_id}/participation", response=responses(ParticipationEntity))
def join(request: HttpRequest, event_id: str) -> dict[str, Any]:
    """Join: ``participant``, ``waiting``, or ``pending`` until a remote organiser accepts."""
    me = require(request, WRITE)
    event = queries.get_event(event_id)
    services.join_event(me, event)
    return _participation_entity(event, me)


@router.delete("/events/{event_id}/participation", response=responses(ParticipationEntity))
def leave(request: HttpRequest, event_id: str) -> dict[str, Any]:
    me = require(request, WRITE)
    event = queries.get_event(event_id)
    services.leave_event(me, event)
    return _participation_entity(event, me)
