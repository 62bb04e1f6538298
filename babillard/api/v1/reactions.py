"""Pleroma's reaction paths, which Phanpy, Elk and Pleroma's own apps call:
``/api/v1/pleroma/statuses/:id/reactions[/:emoji]``.

Writes answer the status, reads the list ``[{"name", "count", "me", "url",
"accounts"}]``; scopes as Pleroma's (``write:statuses``, ``read:statuses``).
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from babillard.api import schemas, serializers
from babillard.api.babillard.reactions import reaction_entity
from babillard.api.base import require, viewer
from babillard.reactions import queries, services
from babillard.reactions.emoji import shortcode
from babillard.statuses.queries import get_visible_status

router = Router(tags=["reactions"])
PATH = "/v1/pleroma/statuses/{status_id}/reactions"


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
