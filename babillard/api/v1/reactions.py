"""Pleroma's reaction paths, which Phanpy, Elk and Pleroma's own apps call:
``/api/v1/pleroma/statuses/:id/reactions[/:emoji]``.

Writes answer the status, reads the list ``[{"name", "count", "me", "url",
"accounts"}]``; scopes as Pleroma's (``write:statuses``, ``read:statuses``). The
``emoji_reactions`` of status entities and the emoji of ``reaction`` notifications take the
same shapes, built here.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from babillard.accounts.models import Account
from babillard.api import schemas, serializers
from babillard.api.base import require, viewer
from babillard.notifications.models import Notification
from babillard.reactions import queries, services
from babillard.reactions.emoji import shortcode
from babillard.reactions.queries import Summary
from babillard.statuses.models import Status
from babillard.statuses.queries import get_visible_status

router = Router(tags=["reactions"])
PATH = "/v1/pleroma/statuses/{status_id}/reactions"


def reaction_entity(item: Summary, *, with_accounts: bool = False) -> dict[str, Any]:
    """``{"name", "count", "me", "url"}``, and ``accounts`` when asked, as Akkoma answers."""
    data: dict[str, Any] = {
        "name": item.name.strip(":") if item.image_url else item.name,
        "count": item.count,
        "me": item.me,
        "url": item.image_url or None,
    }
    if with_accounts:
        data["accounts"] = [serializers.account(a) for a in item.accounts]
    return data


def reactions_of_statuses(
    viewer: Account | None, statuses: list[Status]
) -> dict[int, list[dict[str, Any]]]:
    """The ``emoji_reactions`` of each status, by id (two queries)."""
    return {
        status_id: [reaction_entity(row) for row in rows]
        for status_id, rows in queries.summaries(viewer, statuses).items()
    }


def notification_fields(item: Notification) -> dict[str, Any]:
    """``emoji`` and ``emoji_url`` of a reaction notification, as Pleroma sends them."""
    reaction = queries.reaction_of(item.from_account, item.status) if item.status else None
    if reaction is None:
        return {"emoji": None, "emoji_url": None}
    return {"emoji": reaction.name, "emoji_url": reaction.image_url or None}


def _name(emoji: str) -> str:
    """A custom emoji may be named with or without its colons."""
    return shortcode(emoji) if emoji.isascii() else emoji


@router.put(PATH + "/{emoji}", response=schemas.Status)
def react(request: HttpRequest, status_id: str, emoji: str) -> dict[str, Any]:
    me = require(request, "write:statuses")
    services.react(me, get_visible_status(me, status_id), _name(emoji))
    return serializers.status(me, get_visible_status(me, status_id))


@router.delete(PATH + "/{emoji}", response=schemas.Status)
def unreact(request: HttpRequest, status_id: str, emoji: str) -> dict[str, Any]:
    me = require(request, "write:statuses")
    services.unreact(me, get_visible_status(me, status_id), _name(emoji))
    return serializers.status(me, get_visible_status(me, status_id))


@router.get(PATH, response=list[dict[str, Any]])
def reactions(request: HttpRequest, status_id: str) -> list[dict[str, Any]]:
    me = viewer(request, "read:statuses")
    status = get_visible_status(me, status_id)
    rows = queries.with_accounts(me, status.reblog or status)
    return [reaction_entity(row, with_accounts=True) for row in rows]


@router.get(PATH + "/{emoji}", response=list[dict[str, Any]])
def reactions_with(request: HttpRequest, status_id: str, emoji: str) -> list[dict[str, Any]]:
    me = viewer(request, "read:statuses")
    status = get_visible_status(me, status_id)
    rows = queries.with_accounts(me, status.reblog or status, _name(emoji))
    return [reaction_entity(row, with_accounts=True) for row in rows]
