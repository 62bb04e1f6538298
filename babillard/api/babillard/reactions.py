"""Reactions in API entities: the ``emoji_reactions`` of a status and the emoji of a
``reaction`` notification, in the shapes Pleroma and Akkoma give them (the client
paths themselves are Pleroma's, in ``api/v1/reactions.py``)."""

from typing import Any

from ninja import Router

from babillard.accounts.models import Account
from babillard.api import serializers
from babillard.notifications.models import Notification
from babillard.reactions import queries
from babillard.reactions.queries import Summary
from babillard.statuses.models import Status

router = Router(tags=["reactions"])


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
