"""Smaller resources: markers, preferences, reports, tags, and announcements (none yet)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.accounts.models import Account
from babillard.accounts.queries import get_account_by_id
from babillard.api import schemas, serializers
from babillard.api.base import (
    ApiError,
    as_bool,
    as_int,
    as_list,
    as_str,
    paginate_response,
    params,
    require,
    viewer,
)
from babillard.api.models import Marker
from babillard.core.errors import NotFound
from babillard.core.pagination import clamp_limit, paginate
from babillard.moderation import services as moderation_services
from babillard.statuses import queries as status_queries
from babillard.statuses.models import Tag
from babillard.timelines import services as timeline_services
from babillard.timelines import trends
from babillard.timelines.models import TagFollow
from babillard.triage import services as triage_services

router = Router(tags=["misc"])
MARKER_TIMELINES = ("home", "notifications")


def _marker(item: Marker) -> dict[str, Any]:
    return {
        "last_read_id": str(item.last_read_id),
        "version": item.version,
        "updated_at": serializers.iso(item.updated_at),
    }


@router.get("/v1/markers", response=dict[str, schemas.Marker])
def markers(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "read:statuses")
    wanted = [as_str(t) for t in as_list(params(request).get("timeline"))]
    found = Marker.objects.filter(account=me, timeline__in=wanted or MARKER_TIMELINES)
    return {item.timeline: _marker(item) for item in found}


@router.post("/v1/markers", response=dict[str, schemas.Marker])
def save_markers(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:statuses")
    data = params(request)
    saved = {}
    for timeline in MARKER_TIMELINES:
        value = data.get(timeline)
        if not isinstance(value, dict):
            continue
        last_read = as_int(value.get("last_read_id"))
        if last_read is None:
            raise ApiError(422, "Validation failed: last_read_id is not a number")
        saved[timeline] = _marker(triage_services.save_marker(me, timeline, last_read))
    return saved


@router.get("/v1/preferences")
def preferences(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "read:accounts")
    user = me.user
    return {
        "posting:default:visibility": user.default_visibility if user else "public",
        "posting:default:sensitive": bool(user and user.default_sensitive),
        "posting:default:language": (user.default_language if user else None) or None,
        "reading:expand:media": "default",
        "reading:expand:spoilers": False,
    }


@router.post("/v1/reports", response=schemas.Report)
def report(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:reports")
    data = params(request)
    number = as_int(data.get("account_id"))
    if number is None:
        raise NotFound("account")
    target = get_account_by_id(number)
    statuses = []
    for raw in as_list(data.get("status_ids")):
        statuses.append(status_queries.get_visible_status(me, as_str(raw)))
    category = as_str(data.get("category")) or "other"
    created = moderation_services.report(
        me,
        target,
        statuses=statuses,
        category=category,
        comment=as_str(data.get("comment")),
        forward=as_bool(data.get("forward")),
    )
    return {
        "id": str(created.pk),
        "action_taken": False,
        "action_taken_at": None,
        "category": created.category,
        "comment": created.comment,
        "forwarded": created.forward,
        "created_at": serializers.iso(created.created_at),
        "status_ids": [str(s.pk) for s in statuses] or None,
        "rule_ids": None,
        "target_account": serializers.account(target),
    }


def _tag(me: Account | None, name: str) -> dict[str, Any]:
    found = Tag.objects.filter(name=name.lstrip("#").casefold()).first()
    if found is None:
        raise NotFound(name)
    following = TagFollow.objects.filter(account=me, tag=found).exists() if me else None
    return {
        **serializers.tag(found, following=following),
        "history": serializers.tag_history(trends.tag_history(found)),
    }


@router.get("/v1/tags/{name}", response=schemas.Tag)
def get_tag(request: HttpRequest, name: str) -> dict[str, Any]:
    me = viewer(request, "read:follows")
    return _tag(me, name)


@router.post("/v1/tags/{name}/follow", response=schemas.Tag)
def follow_tag(request: HttpRequest, name: str) -> dict[str, Any]:
    me = require(request, "write:follows")
    timeline_services.follow_tag(me, name)
    return _tag(me, name)


@router.post("/v1/tags/{name}/unfollow", response=schemas.Tag)
def unfollow_tag(request: HttpRequest, name: str) -> dict[str, Any]:
    me = require(request, "write:follows")
    timeline_services.unfollow_tag(me, name)
    return _tag(me, name)


@router.get("/v1/followed_tags", response=list[schemas.Tag])
def followed_tags(request: HttpRequest, response: HttpResponse) -> list[Any]:
    me = require(request, "read:follows")
    data = params(request)
    page = paginate(
        TagFollow.objects.filter(account=me).select_related("tag"),
        max_id=data.get("max_id"),
        since_id=data.get("since_id"),
        min_id=data.get("min_id"),
        limit=clamp_limit(data.get("limit"), 100, 200),
    )
    rendered = [serializers.tag(f.tag, following=True) for f in page.items]
    return paginate_response(request, response, page, rendered)


def _empty(scope: str | None) -> Any:
    def answer(request: HttpRequest) -> list[Any]:
        if scope:
            require(request, scope)
        return []

    return answer


@router.get("/v1/announcements")
def announcements(request: HttpRequest) -> list[Any]:
    """Babillard has no announcements yet (see docs/api.md): always an empty list."""
    return []
