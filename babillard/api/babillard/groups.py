"""``/api/babillard/v1/`` paths of topic groups: the directory, a group, joining and
leaving, members, the posts the group shared, and its moderation.

Reads take ``read:statuses`` (anonymous readers may read public groups), writes
``write:statuses``; moderation paths answer 403 to anyone but the group's moderators.
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.accounts.models import Account
from babillard.accounts.queries import get_account_by_id
from babillard.api import schemas, serializers
from babillard.api.base import as_bool, as_int, as_str, paginate_response, params, require, viewer
from babillard.api.v1.timelines import page_args
from babillard.core.pagination import paginate
from babillard.groups import queries, services
from babillard.groups.models import Group
from babillard.statuses.queries import get_visible_status

router = Router(tags=["groups"])

ERRORS: dict[int, type[schemas.Entity]] = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    422: schemas.Error,
}
READ, WRITE = "read:statuses", "write:statuses"


class GroupEntity(schemas.Entity):
    id: str
    username: str
    acct: str
    uri: str
    url: str
    display_name: str
    description: str
    rules: str
    join_mode: str
    hold_posts: bool
    members_count: int
    moderators: list[schemas.Account]
    membership: str | None
    moderator: bool


class MembershipEntity(schemas.Entity):
    membership: str | None


def responses(entity: Any, status: int = 200) -> dict[int, Any]:
    return {status: entity, **ERRORS}


def _membership(group: Group, me: Account | None) -> str | None:
    if queries.is_member(me, group):
        return "member"
    if queries.has_requested(me, group):
        return "requested"
    return None


def group_entity(group: Group, me: Account | None) -> dict[str, Any]:
    account = group.account
    return {
        "id": str(account.pk),
        "username": account.username,
        "acct": account.username,
        "uri": account.uri,
        "url": account.url,
        "display_name": account.display_name,
        "description": account.note,
        "rules": group.rules,
        "join_mode": group.join_mode,
        "hold_posts": group.hold_posts,
        "members_count": queries.members(group).count(),
        "moderators": [serializers.account(a) for a in queries.moderators(group)],
        "membership": _membership(group, me),
        "moderator": queries.is_moderator(me, group),
    }


def _account(account_id: str) -> Account:
    return get_account_by_id(as_int(account_id, 0) or 0)


def _moderate(
    request: HttpRequest,
    username: str,
    account_id: str,
    action: Callable[[Account, Group, Account], object],
) -> dict[str, Any]:
    """Apply one moderation ``action`` of the services to a member of the group; the
    service refuses anyone but the group's moderators."""
    action(require(request, WRITE), queries.get_group(username), _account(account_id))
    return {}


def _changes(request: HttpRequest) -> dict[str, Any]:
    data = params(request)
    changes: dict[str, Any] = {
        key: as_str(data[key])
        for key in ("display_name", "description", "rules", "join_mode")
        if key in data
    }
    if "hold_posts" in data:
        changes["hold_posts"] = as_bool(data["hold_posts"])
    return changes


@router.post("/groups", response=responses(GroupEntity))
def create_group(request: HttpRequest) -> dict[str, Any]:
    """Create a group; its creator is its first member and moderator."""
    me = require(request, WRITE)
    changes = _changes(request)
    group = services.create_group(me, as_str(params(request).get("username")), **changes)
    return group_entity(group, me)


@router.get("/groups", response=responses(list[GroupEntity]))
def list_groups(request: HttpRequest) -> list[dict[str, Any]]:
    """The groups of this instance, newest first (at most 200)."""
    me = viewer(request, READ)
    return [group_entity(group, me) for group in queries.directory()[:200]]


@router.get("/groups/{username}", response=responses(GroupEntity))
def get_group(request: HttpRequest, username: str) -> dict[str, Any]:
    me = viewer(request, READ)
    return group_entity(queries.get_group(username), me)


@router.patch("/groups/{username}", response=responses(GroupEntity))
def update_group(request: HttpRequest, username: str) -> dict[str, Any]:
    me = require(request, WRITE)
    group = services.update_group(me, queries.get_group(username), **_changes(request))
    return group_entity(group, me)


@router.post("/groups/{username}/membership", response=responses(MembershipEntity))
def join(request: HttpRequest, username: str) -> dict[str, Any]:
    """Join: ``member`` at once, or ``requested`` until a moderator approves."""
    me = require(request, WRITE)
    group = queries.get_group(username)
    services.join(me, group)
    return {"membership": _membership(group, me)}


@router.delete("/groups/{username}/membership", response=responses(MembershipEntity))
def leave(request: HttpRequest, username: str) -> dict[str, Any]:
    me = require(request, WRITE)
    group = queries.get_group(username)
    services.leave(me, group)
    return {"membership": None}


@router.get("/groups/{username}/members", response=responses(list[schemas.Account]))
def members(request: HttpRequest, username: str) -> list[Any]:
    viewer(request, READ)
    group = queries.get_group(username)
    return [serializers.account(a) for a in queries.members(group)[:1000]]


@router.get("/groups/{username}/statuses", response=responses(list[schemas.Status]))
def statuses(request: HttpRequest, response: HttpResponse, username: str) -> list[Any]:
    """The posts the group shared, newest first, paginated with ``max_id``/``since_id``/
    ``min_id`` and ``Link`` headers."""
    me = viewer(request, READ)
    group = queries.get_group(username)
    page = paginate(queries.timeline(group, me), **page_args(request))
    return paginate_response(request, response, page, serializers.statuses(me, page.items))


@router.post("/groups/{username}/statuses", response=responses(schemas.Status))
def post(request: HttpRequest, username: str) -> Any:
    """A member's post to the group (a public post mentioning it)."""
    me = require(request, WRITE)
    status = services.post_to_group(
        me, queries.get_group(username), as_str(params(request).get("status"))
    )
    return serializers.status(me, status)


@router.get("/groups/{username}/requests", response=responses(list[schemas.Account]))
def join_requests(request: HttpRequest, username: str) -> list[Any]:
    """Moderators only: the accounts waiting to join."""
    me = require(request, READ)
    group = queries.get_group(username)
    services.check_moderator(me, group)
    return [serializers.account(a) for a in queries.join_requests(group)]


@router.get("/groups/{username}/pending", response=responses(list[schemas.Status]))
def pending(request: HttpRequest, username: str) -> list[Any]:
    """Moderators only: the posts waiting for a moderator."""
    me = require(request, READ)
    group = queries.get_group(username)
    services.check_moderator(me, group)
    return serializers.statuses(me, list(queries.pending_posts(group)[:200]))


@router.post("/groups/{username}/members/{account_id}/approve", response=responses(schemas.Empty))
def approve(request: HttpRequest, username: str, account_id: str) -> dict[str, Any]:
    return _moderate(request, username, account_id, services.approve_member)


@router.post("/groups/{username}/members/{account_id}/reject", response=responses(schemas.Empty))
def reject(request: HttpRequest, username: str, account_id: str) -> dict[str, Any]:
    return _moderate(request, username, account_id, services.reject_member)


@router.post("/groups/{username}/members/{account_id}/invite", response=responses(schemas.Empty))
def invite(request: HttpRequest, username: str, account_id: str) -> dict[str, Any]:
    return _moderate(request, username, account_id, services.invite)


@router.delete("/groups/{username}/members/{account_id}", response=responses(schemas.Empty))
def remove_member(request: HttpRequest, username: str, account_id: str) -> dict[str, Any]:
    return _moderate(request, username, account_id, services.remove_member)


@router.post("/groups/{username}/moderators/{account_id}", response=responses(schemas.Empty))
def add_moderator(request: HttpRequest, username: str, account_id: str) -> dict[str, Any]:
    return _moderate(request, username, account_id, services.add_moderator)


@router.delete("/groups/{username}/moderators/{account_id}", response=responses(schemas.Empty))
def remove_moderator(request: HttpRequest, username: str, account_id: str) -> dict[str, Any]:
    return _moderate(request, username, account_id, services.remove_moderator)


@router.post("/groups/{username}/statuses/{status_id}/accept", response=responses(schemas.Empty))
def accept_post(request: HttpRequest, username: str, status_id: str) -> dict[str, Any]:
    me = require(request, WRITE)
    group = queries.get_group(username)
    services.accept_post(me, group, get_visible_status(me, status_id))
    return {}


@router.delete("/groups/{username}/statuses/{status_id}", response=responses(schemas.Empty))
def remove_post(request: HttpRequest, username: str, status_id: str) -> dict[str, Any]:
    """Moderators only: the group withdraws its boost of the post everywhere."""
    me = require(request, WRITE)
    group = queries.get_group(username)
    services.remove_post(me, group, get_visible_status(me, status_id))
    return {}
