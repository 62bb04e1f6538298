"""``/api/babillard/v1/boards``: curated boards, their items, sections, curators,
suggestion queue and newsletter.

Reading takes ``read:lists`` (or no token, for public and unlisted boards); writing takes
``write:lists``. Curators change a board; its owner alone changes its visibility, its
curators, and deletes it. A private board answers 404 to anybody but its curators.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from babillard.accounts.models import Account
from babillard.api import schemas, serializers
from babillard.api.base import as_int, as_list, as_str, params, require, viewer
from babillard.boards import queries, services
from babillard.boards.models import Board, Item, Section, Suggestion
from babillard.core import links
from babillard.statuses.models import Status
from babillard.statuses.queries import get_visible_status
from babillard.watch.queries import get_antenna

router = Router(tags=["boards"])

ERRORS: dict[int, type[schemas.Entity]] = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    422: schemas.Error,
}


class SectionEntity(schemas.Entity):
    id: str
    title: str
    position: int


class BoardEntity(schemas.Entity):
    id: str
    title: str
    description: str
    visibility: str
    url: str
    feed_url: str
    rss_url: str
    account: schemas.Account
    owner: schemas.Account
    curators: list[schemas.Account]
    sections: list[SectionEntity]
    newsletter: str
    items_count: int
    created_at: str
    updated_at: str


class ItemEntity(schemas.Entity):
    id: str
    type: str
    status: schemas.Status | None
    url: str | None
    title: str
    excerpt: str
    comment: str
    section_id: str | None
    position: int
    added_at: str
    added_by: schemas.Account | None


class SuggestionEntity(schemas.Entity):
    id: str
    state: str
    source: str
    status: schemas.Status | None
    url: str | None
    title: str
    excerpt: str
    note: str
    suggested_by: schemas.Account | None
    created_at: str


def responses(entity: Any) -> dict[int, Any]:
    return {200: entity, **ERRORS}


def board_entity(board: Board) -> dict[str, Any]:
    return {
        "id": str(board.pk),
        "title": board.title,
        "description": board.description,
        "visibility": board.visibility,
        "url": links.absolute(f"/boards/{board.pk}"),
        "feed_url": links.absolute(f"/boards/{board.pk}/feed.atom"),
        "rss_url": links.absolute(f"/boards/{board.pk}/feed.rss"),
        "account": serializers.account(board.account),
        "owner": serializers.account(board.owner),
        "curators": [serializers.account(a) for a in queries.curators(board)],
        "sections": [
            {"id": str(s.pk), "title": s.title, "position": s.position}
            for s in board.sections.all()
        ],
        "newsletter": board.newsletter,
        "items_count": board.items.count(),
        "created_at": serializers.iso(board.created_at),
        "updated_at": serializers.iso(board.updated_at),
    }


def _statuses(me: Account | None, found: list[Status]) -> dict[int, Any]:
    return {s.pk: e for s, e in zip(found, serializers.statuses(me, found), strict=True)}


def item_entities(me: Account | None, found: list[Item]) -> list[dict[str, Any]]:
    rendered = _statuses(me, [i.status for i in found if i.status is not None])
    return [
        {
            "id": str(item.pk),
            "type": "status" if item.status_id else "link",
            "status": rendered.get(item.status_id) if item.status_id else None,
            "url": item.url or None,
            "title": item.title,
            "excerpt": item.excerpt,
            "comment": item.comment,
            "section_id": str(item.section_id) if item.section_id else None,
            "position": item.position,
            "added_at": serializers.iso(item.added_at),
            "added_by": serializers.account(item.added_by) if item.added_by else None,
        }
        for item in found
    ]


def suggestion_entities(me: Account, found: list[Suggestion]) -> list[dict[str, Any]]:
    rendered = _statuses(me, [s.status for s in found if s.status is not None])
    return [
        {
            "id": str(s.pk),
            "state": s.state,
            "source": "antenna" if s.antenna_id else "reader",
            "status": rendered.get(s.status_id) if s.status_id else None,
            "url": s.url or None,
            "title": s.title,
            "excerpt": s.excerpt,
            "note": s.note,
            "suggested_by": serializers.account(s.suggested_by) if s.suggested_by else None,
            "created_at": serializers.iso(s.created_at),
        }
        for s in found
    ]


def _section_id(data: dict[str, Any]) -> int | None:
    if data.get("section_id") in (None, ""):
        return None
    number = as_int(data["section_id"])
    if number is None:
        raise ValidationError(_("%(field)s must be a whole number.") % {"field": "section_id"})
    return number


def _local_account(account_id: Any) -> Account:
    found = Account.objects.filter(pk=as_int(account_id) or 0, domain="").first()
    if found is None:
        raise ValidationError(_("Unknown account in %(field)s.") % {"field": "account_id"})
    return found


def _item_source(me: Account, data: dict[str, Any]) -> dict[str, Any]:
    """``status_id`` or ``url`` (with ``title`` and ``excerpt``) of an item or suggestion."""
    status = None
    if data.get("status_id") not in (None, ""):
        status = get_visible_status(me, as_str(data["status_id"]))
    return {
        "status": status,
        "url": as_str(data.get("url")),
        "title": as_str(data.get("title")),
        "excerpt": as_str(data.get("excerpt")),
    }


# --- boards --------------------------------------------------------------------------


@router.get("/boards", response=responses(list[BoardEntity]))
def list_boards(request: HttpRequest) -> list[dict[str, Any]]:
    """The boards an account curates (``account_id``), by default the caller's own."""
    me = viewer(request, "read:lists")
    account_id = params(request).get("account_id")
    if account_id not in (None, ""):
        owner = Account.objects.filter(pk=as_int(account_id) or 0).first()
        if owner is None:
            return []
    elif me is not None:
        owner = me
    else:
        me = require(request, "read:lists")
        owner = me
    return [board_entity(b) for b in queries.boards_of(owner, me)[:80]]


@router.post("/boards", response=responses(BoardEntity))
def create_board(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:lists")
    data = params(request)
    board = services.create_board(
        me,
        as_str(data.get("title")),
        as_str(data.get("description")),
        as_str(data.get("visibility")) or "public",
    )
    return board_entity(board)


@router.get("/boards/{board_id}", response=responses(BoardEntity))
def get_board(request: HttpRequest, board_id: str) -> dict[str, Any]:
    me = viewer(request, "read:lists")
    return board_entity(queries.get_board(me, board_id))


@router.patch("/boards/{board_id}", response=responses(BoardEntity))
def update_board(request: HttpRequest, board_id: str) -> dict[str, Any]:
    me = require(request, "write:lists")
    board = queries.get_board(me, board_id)
    data = params(request)

    def given(name: str) -> str | None:
        return as_str(data[name]) if name in data else None

    services.update_board(
        me,
        board,
        title=given("title"),
        description=given("description"),
        visibility=given("visibility"),
        newsletter=given("newsletter"),
    )
    if "order" in data:
        services.reorder_items(me, board, [as_int(i) or 0 for i in as_list(data["order"])])
    return board_entity(queries.get_board(me, board.pk))


@router.delete("/boards/{board_id}", response=responses(schemas.Empty))
def delete_board(request: HttpRequest, board_id: str) -> dict[str, Any]:
    me = require(request, "write:lists")
    services.delete_board(me, queries.get_board(me, board_id))
    return {}


# --- items ---------------------------------------------------------------------------


@router.get("/boards/{board_id}/items", response=responses(list[ItemEntity]))
def list_items(request: HttpRequest, board_id: str) -> list[dict[str, Any]]:
    me = viewer(request, "read:lists")
    board = queries.get_board(me, board_id)
    return item_entities(me, queries.items(me, board))


@router.post("/boards/{board_id}/items", response=responses(ItemEntity))
def add_item(request: HttpRequest, board_id: str) -> dict[str, Any]:
    me = require(request, "write:lists")
    board = queries.get_board(me, board_id)
    data = params(request)
    item = services.add_item(
        me,
        board,
        **_item_source(me, data),
        comment=as_str(data.get("comment")),
        section_id=_section_id(data),
    )
    return item_entities(me, [item])[0]


@router.patch("/boards/{board_id}/items/{item_id}", response=responses(ItemEntity))
def update_item(request: HttpRequest, board_id: str, item_id: int) -> dict[str, Any]:
    me = require(request, "write:lists")
    board = queries.get_board(me, board_id)
    data = params(request)
    item = services.update_item(
        me,
        board,
        item_id,
        comment=as_str(data["comment"]) if "comment" in data else None,
        section_id=_section_id(data),
        clear_section="section_id" in data and data["section_id"] in (None, ""),
    )
    return item_entities(me, [item])[0]


@router.delete("/boards/{board_id}/items/{item_id}", response=responses(schemas.Empty))
def remove_item(request: HttpRequest, board_id: str, item_id: int) -> dict[str, Any]:
    me = require(request, "write:lists")
    services.remove_item(me, queries.get_board(me, board_id), item_id)
    return {}


# --- sections and curators -----------------------------------------------------------


@router.post("/boards/{board_id}/sections", response=responses(SectionEntity))
def add_section(request: HttpRequest, board_id: str) -> dict[str, Any]:
    me = require(request, "write:lists")
    section: Section = services.add_section(
        me, queries.get_board(me, board_id), as_str(params(request).get("title"))
    )
    return {"id": str(section.pk), "title": section.title, "position": section.position}


@router.delete("/boards/{board_id}/sections/{section_id}", response=responses(schemas.Empty))
def remove_section(request: HttpRequest, board_id: str, section_id: int) -> dict[str, Any]:
    me = require(request, "write:lists")
    services.remove_section(me, queries.get_board(me, board_id), section_id)
    return {}


@router.post("/boards/{board_id}/curators", response=responses(BoardEntity))
def add_curator(request: HttpRequest, board_id: str) -> dict[str, Any]:
    me = require(request, "write:lists")
    board = queries.get_board(me, board_id)
    services.add_curator(me, board, _local_account(params(request).get("account_id")))
    return board_entity(board)


@router.delete("/boards/{board_id}/curators/{account_id}", response=responses(BoardEntity))
def remove_curator(request: HttpRequest, board_id: str, account_id: str) -> dict[str, Any]:
    me = require(request, "write:lists")
    board = queries.get_board(me, board_id)
    services.remove_curator(me, board, _local_account(account_id))
    return board_entity(board)


# --- suggestions ---------------------------------------------------------------------


@router.get("/boards/{board_id}/suggestions", response=responses(list[SuggestionEntity]))
def list_suggestions(request: HttpRequest, board_id: str) -> list[dict[str, Any]]:
    """The queue, for curators: ``state`` is ``pending`` (default), ``accepted`` or ``rejected``."""
    me = require(request, "read:lists")
    board = queries.get_board(me, board_id)
    state = as_str(params(request).get("state")) or "pending"
    return suggestion_entities(me, list(services.suggestion_queue(me, board, state)[:200]))


@router.post("/boards/{board_id}/suggestions", response=responses(SuggestionEntity))
def suggest(request: HttpRequest, board_id: str) -> dict[str, Any]:
    me = require(request, "write:lists")
    board = queries.get_board(me, board_id)
    data = params(request)
    found = services.suggest(board, by=me, **_item_source(me, data), note=as_str(data.get("note")))
    return suggestion_entities(me, [found])[0]


@router.post(
    "/boards/{board_id}/suggestions/{suggestion_id}/accept", response=responses(ItemEntity)
)
def accept_suggestion(request: HttpRequest, board_id: str, suggestion_id: int) -> dict[str, Any]:
    me = require(request, "write:lists")
    board = queries.get_board(me, board_id)
    data = params(request)
    item = services.accept_suggestion(
        me,
        board,
        suggestion_id,
        comment=as_str(data.get("comment")),
        section_id=_section_id(data),
    )
    return item_entities(me, [item])[0]


@router.post(
    "/boards/{board_id}/suggestions/{suggestion_id}/reject", response=responses(SuggestionEntity)
)
def reject_suggestion(request: HttpRequest, board_id: str, suggestion_id: int) -> dict[str, Any]:
    me = require(request, "write:lists")
    found = services.reject_suggestion(me, queries.get_board(me, board_id), suggestion_id)
    return suggestion_entities(me, [found])[0]


# --- antennas ------------------------------------------------------------------------


class BoardAntennaEntity(schemas.Entity):
    id: str
    title: str
    account: schemas.Account


def _antennas(me: Account, board: Board) -> list[dict[str, Any]]:
    return [
        {"id": str(a.pk), "title": a.title, "account": serializers.account(a.owner)}
        for a in services.board_antennas(me, board)
    ]


@router.get("/boards/{board_id}/antennas", response=responses(list[BoardAntennaEntity]))
def list_antennas(request: HttpRequest, board_id: str) -> list[dict[str, Any]]:
    """The antennas whose catches go into the board's suggestion queue (curators)."""
    me = require(request, "read:lists")
    return _antennas(me, queries.get_board(me, board_id))


@router.post("/boards/{board_id}/antennas", response=responses(list[BoardAntennaEntity]))
def link_antenna(request: HttpRequest, board_id: str) -> list[dict[str, Any]]:
    """Feed the board with one of the caller's antennas (``antenna_id``)."""
    me = require(request, "write:lists")
    board = queries.get_board(me, board_id)
    services.link_antenna(me, board, get_antenna(me, params(request).get("antenna_id")))
    return _antennas(me, board)


@router.delete("/boards/{board_id}/antennas/{antenna_id}", response=responses(schemas.Empty))
def unlink_antenna(request: HttpRequest, board_id: str, antenna_id: int) -> dict[str, Any]:
    me = require(request, "write:lists")
    services.unlink_antenna(me, queries.get_board(me, board_id), antenna_id)
    return {}


# --- newsletter ----------------------------------------------------------------------


@router.post("/boards/{board_id}/newsletter", response=responses(schemas.Empty))
def send_newsletter(request: HttpRequest, board_id: str) -> dict[str, Any]:
    """Send the newsletter now (through the task worker) to the confirmed subscribers."""
    me = require(request, "write:lists")
    services.request_newsletter(me, queries.get_board(me, board_id))
    return {}
