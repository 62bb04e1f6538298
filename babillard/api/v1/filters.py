"""``/api/v2/filters`` (with keywords and statuses) and the read side of ``/api/v1/filters``."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from babillard.accounts.models import Account
from babillard.api import schemas, serializers
from babillard.api.base import ApiError, as_bool, as_int, as_list, as_str, params, require
from babillard.core.errors import NotFound
from babillard.statuses.queries import get_visible_status
from babillard.timelines import services as timeline_services
from babillard.timelines.models import Filter, FilterKeyword, FilterStatus

router = Router(tags=["filters"])


def _own(me: Account, filter_id: str) -> Filter:
    number = as_int(filter_id)
    found = (
        Filter.objects.filter(owner=me, pk=number).prefetch_related("keywords", "statuses").first()
        if number is not None
        else None
    )
    if found is None:
        raise NotFound(filter_id)
    return found


def _own_keyword(me: Account, keyword_id: str) -> FilterKeyword:
    number = as_int(keyword_id)
    found = (
        FilterKeyword.objects.filter(filter__owner=me, pk=number).select_related("filter").first()
        if number is not None
        else None
    )
    if found is None:
        raise NotFound(keyword_id)
    return found


def _own_status(me: Account, item_id: str) -> FilterStatus:
    number = as_int(item_id)
    found = (
        FilterStatus.objects.filter(filter__owner=me, pk=number).select_related("filter").first()
        if number is not None
        else None
    )
    if found is None:
        raise NotFound(item_id)
    return found


def _contexts(data: dict[str, Any]) -> list[str] | None:
    if "context" not in data:
        return None
    return [as_str(c) for c in as_list(data["context"])]


def _expires_in(data: dict[str, Any]) -> int | None:
    value = data.get("expires_in")
    if value in (None, ""):
        return None
    number = as_int(value)
    if number is None:
        raise ApiError(422, "Validation failed: expires_in is not a number")
    return number


def _keyword_changes(data: dict[str, Any]) -> list[dict[str, Any]]:
    changes = []
    for item in as_list(data.get("keywords_attributes")):
        if not isinstance(item, dict):
            continue
        changes.append(
            {
                "id": as_int(item.get("id")),
                "keyword": as_str(item["keyword"]) if "keyword" in item else None,
                "whole_word": as_bool(item["whole_word"], True) if "whole_word" in item else None,
                "destroy": as_bool(item.get("_destroy")),
            }
        )
    return changes


@router.get("/v2/filters", response=list[schemas.Filter])
def filters(request: HttpRequest) -> list[Any]:
    me = require(request, "read:filters")
    return [serializers.filter_entity(f) for f in timeline_services.active_filters(me)]


@router.post("/v2/filters", response=schemas.Filter)
def create_filter(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:filters")
    data = params(request)
    keywords = [
        (change["keyword"] or "", True if change["whole_word"] is None else change["whole_word"])
        for change in _keyword_changes(data)
        if not change["destroy"]
    ]
    created = timeline_services.create_filter(
        me,
        as_str(data.get("title")),
        _contexts(data) or [],
        action=as_str(data.get("filter_action")) or "warn",
        expires_in=_expires_in(data),
        keywords=keywords,
    )
    return serializers.filter_entity(_own(me, str(created.pk)))


@router.get("/v2/filters/{filter_id}", response=schemas.Filter)
def get_filter(request: HttpRequest, filter_id: str) -> dict[str, Any]:
    me = require(request, "read:filters")
    return serializers.filter_entity(_own(me, filter_id))


@router.put("/v2/filters/{filter_id}", response=schemas.Filter)
def update_filter(request: HttpRequest, filter_id: str) -> dict[str, Any]:
    me = require(request, "write:filters")
    data = params(request)
    options: dict[str, Any] = {}
    if "expires_in" in data:
        options["expires_in"] = _expires_in(data)
    timeline_services.update_filter(
        me,
        _own(me, filter_id),
        title=as_str(data["title"]) if "title" in data else None,
        contexts=_contexts(data),
        action=as_str(data["filter_action"]) if "filter_action" in data else None,
        keyword_changes=_keyword_changes(data),
        **options,
    )
    return serializers.filter_entity(_own(me, filter_id))


@router.delete("/v2/filters/{filter_id}", response=schemas.Empty)
def delete_filter(request: HttpRequest, filter_id: str) -> dict[str, Any]:
    me = require(request, "write:filters")
    timeline_services.delete_filter(me, _own(me, filter_id))
    return {}


@router.get("/v2/filters/{filter_id}/keywords", response=list[schemas.FilterKeyword])
def keywords(request: HttpRequest, filter_id: str) -> list[Any]:
    me = require(request, "read:filters")
    return [serializers.filter_keyword(k) for k in _own(me, filter_id).keywords.all()]


@router.post("/v2/filters/{filter_id}/keywords", response=schemas.FilterKeyword)
def add_keyword(request: HttpRequest, filter_id: str) -> dict[str, Any]:
    me = require(request, "write:filters")
    data = params(request)
    created = timeline_services.add_filter_keyword(
        me,
        _own(me, filter_id),
        as_str(data.get("keyword")),
        as_bool(data.get("whole_word"), True),
    )
    return serializers.filter_keyword(created)


@router.get("/v2/filters/keywords/{keyword_id}", response=schemas.FilterKeyword)
def get_keyword(request: HttpRequest, keyword_id: str) -> dict[str, Any]:
    me = require(request, "read:filters")
    return serializers.filter_keyword(_own_keyword(me, keyword_id))


@router.put("/v2/filters/keywords/{keyword_id}", response=schemas.FilterKeyword)
def update_keyword(request: HttpRequest, keyword_id: str) -> dict[str, Any]:
    me = require(request, "write:filters")
    data = params(request)
    updated = timeline_services.update_filter_keyword(
        me,
        _own_keyword(me, keyword_id),
        keyword=as_str(data["keyword"]) if "keyword" in data else None,
        whole_word=as_bool(data["whole_word"]) if "whole_word" in data else None,
    )
    return serializers.filter_keyword(updated)


@router.delete("/v2/filters/keywords/{keyword_id}", response=schemas.Empty)
def delete_keyword(request: HttpRequest, keyword_id: str) -> dict[str, Any]:
    me = require(request, "write:filters")
    timeline_services.delete_filter_keyword(me, _own_keyword(me, keyword_id))
    return {}


@router.get("/v2/filters/{filter_id}/statuses", response=list[schemas.FilterStatus])
def filtered_statuses(request: HttpRequest, filter_id: str) -> list[Any]:
    me = require(request, "read:filters")
    return [serializers.filter_status(s) for s in _own(me, filter_id).statuses.all()]


@router.post("/v2/filters/{filter_id}/statuses", response=schemas.FilterStatus)
def add_status(request: HttpRequest, filter_id: str) -> dict[str, Any]:
    me = require(request, "write:filters")
    status = get_visible_status(me, as_str(params(request).get("status_id")))
    created = timeline_services.add_filter_status(me, _own(me, filter_id), status)
    return serializers.filter_status(created)


@router.get("/v2/filters/statuses/{item_id}", response=schemas.FilterStatus)
def get_status(request: HttpRequest, item_id: str) -> dict[str, Any]:
    me = require(request, "read:filters")
    return serializers.filter_status(_own_status(me, item_id))


@router.delete("/v2/filters/statuses/{item_id}", response=schemas.Empty)
def delete_status(request: HttpRequest, item_id: str) -> dict[str, Any]:
    me = require(request, "write:filters")
    timeline_services.delete_filter_status(me, _own_status(me, item_id))
    return {}


@router.get("/v1/filters", response=list[schemas.FilterV1])
def filters_v1(request: HttpRequest) -> list[Any]:
    """Version 1 filters: each keyword of a version 2 filter, as Mastodon shows them."""
    me = require(request, "read:filters")
    shown = []
    for found in timeline_services.active_filters(me):
        for keyword in found.keywords.all():
            shown.append(
                {
                    "id": str(keyword.pk),
                    "phrase": keyword.keyword,
                    "context": list(found.contexts),
                    "whole_word": keyword.whole_word,
                    "expires_at": serializers.iso(found.expires_at),
                    "irreversible": found.action == "hide",
                }
            )
    return shown
