"""``/api/babillard/v1/`` paths of triage: the ranked digest, author priorities, catch-up.

Reads take ``read:statuses`` (``read:accounts`` for priorities), writes
``write:statuses`` (``write:accounts``). Digest items are Mastodon status entities
wrapped with their score: ``{"score", "favourites", "reblogs", "status"}``.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from babillard.accounts.models import Account
from babillard.accounts.queries import get_account_by_id
from babillard.api import schemas, serializers
from babillard.api.base import as_int, as_str, params, require
from babillard.core.errors import NotFound
from babillard.timelines.models import List
from babillard.triage import queries, services
from babillard.triage.models import Period

router = Router(tags=["triage"])

ERRORS: dict[int, type[schemas.Entity]] = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    422: schemas.Error,
}


def responses(entity: Any) -> dict[int, Any]:
    return {200: entity, **ERRORS}


class DigestItem(schemas.Entity):
    score: float
    favourites: int
    reblogs: int
    status: schemas.Status


class Priority(schemas.Entity):
    account: schemas.Account
    level: str


class CatchUpGroup(schemas.Entity):
    key: str
    label: str
    account: schemas.Account | None
    count: int
    interactions: int
    status_ids: list[str]


class CatchUp(schemas.Entity):
    since_id: str
    newest_id: str
    total: int
    by_author: list[CatchUpGroup]
    by_tag: list[CatchUpGroup]


@router.get("/digest", response=responses(list[DigestItem]))
def digest(request: HttpRequest) -> list[dict[str, Any]]:
    """The day's or week's posts of home (or of ``list_id``), best first, with their score."""
    me = require(request, "read:statuses")
    data = params(request)
    period = services.check_period(as_str(data.get("period")) or Period.DAY)
    timeline = None
    if data.get("list_id") not in (None, ""):
        list_id = as_int(data.get("list_id"))
        timeline = List.objects.filter(owner=me, pk=list_id).first() if list_id else None
        if timeline is None:
            raise NotFound(data.get("list_id"))
    ranked = queries.digest(me, timeline, period)
    renderer = serializers.StatusRenderer(me, [item.status for item in ranked], "home")
    return [
        {
            "score": item.score,
            "favourites": item.favourites,
            "reblogs": item.reblogs,
            "status": renderer.render(item.status),
        }
        for item in ranked
    ]


def _target(account_id: str) -> Account:
    number = as_int(account_id)
    if number is None:
        raise NotFound(account_id)
    return get_account_by_id(number)


@router.get("/priorities", response=responses(list[Priority]))
def priorities(request: HttpRequest) -> list[dict[str, Any]]:
    me = require(request, "read:accounts")
    return [
        {"account": serializers.account(item.target), "level": item.level}
        for item in queries.priorities(me)
    ]


@router.put("/priorities/{account_id}", response=responses(Priority))
def set_priority(request: HttpRequest, account_id: str) -> dict[str, Any]:
    """Mark an account ``close`` or ``glance``."""
    me = require(request, "write:accounts")
    target = _target(account_id)
    level = as_str(params(request).get("level"))
    services.set_priority(me, target, level)
    return {"account": serializers.account(target), "level": level}


@router.delete("/priorities/{account_id}", response=responses(schemas.Empty))
def clear_priority(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "write:accounts")
    services.set_priority(me, _target(account_id), None)
    return {}


def _group(group: queries.CatchUpGroup) -> dict[str, Any]:
    return {
        "key": group.key,
        "label": group.label,
        "account": serializers.account(group.account) if group.account else None,
        "count": group.count,
        "interactions": group.interactions,
        "status_ids": [str(s.pk) for s in group.statuses],
    }


@router.get("/catch_up", response=responses(CatchUp))
def catch_up(request: HttpRequest) -> dict[str, Any]:
    """Unread home posts (above the ``home`` marker), grouped by author and by hashtag."""
    me = require(request, "read:statuses")
    found = queries.catch_up(me)
    return {
        "since_id": str(found.since_id),
        "newest_id": str(found.newest_id),
        "total": found.total,
        "by_author": [_group(g) for g in found.by_author],
        "by_tag": [_group(g) for g in found.by_tag],
    }


@router.post("/catch_up/read", response=responses(schemas.Marker))
def mark_read(request: HttpRequest) -> dict[str, Any]:
    """Mark home read up to ``last_read_id`` (or up to its newest post): Mastodon's marker moves."""
    me = require(request, "write:statuses")
    up_to = params(request).get("last_read_id")
    marker = services.mark_home_read(me, as_int(up_to) if up_to not in (None, "") else None)
    return {
        "last_read_id": str(marker.last_read_id),
        "version": marker.version,
        "updated_at": serializers.iso(marker.updated_at),
    }
