"""``/api/v1/lists``: lists and their members."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.accounts.models import Account
from babillard.api import schemas, serializers
from babillard.api.base import as_bool, as_int, as_list, as_str, params, require
from babillard.api.v1.accounts import account_page
from babillard.api.v1.timelines import own_list
from babillard.core.errors import NotFound
from babillard.timelines import services as timeline_services
from babillard.timelines.models import List

router = Router(tags=["lists"])


@router.get("/v1/lists", response=list[schemas.List])
def lists(request: HttpRequest) -> list[Any]:
    me = require(request, "read:lists")
    return [serializers.list_entity(item) for item in List.objects.filter(owner=me).order_by("pk")]


@router.post("/v1/lists", response=schemas.List)
def create_list(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:lists")
    data = params(request)
    created = timeline_services.create_list(
        me,
        as_str(data.get("title")),
        replies_policy=as_str(data.get("replies_policy")) or "list",
        exclusive=as_bool(data.get("exclusive")),
    )
    return serializers.list_entity(created)


@router.get("/v1/lists/{list_id}", response=schemas.List)
def get_list(request: HttpRequest, list_id: str) -> dict[str, Any]:
    me = require(request, "read:lists")
    return serializers.list_entity(own_list(me, list_id))


@router.put("/v1/lists/{list_id}", response=schemas.List)
def update_list(request: HttpRequest, list_id: str) -> dict[str, Any]:
    me = require(request, "write:lists")
    data = params(request)
    updated = timeline_services.update_list(
        me,
        own_list(me, list_id),
        title=as_str(data["title"]) if "title" in data else None,
        replies_policy=as_str(data["replies_policy"]) if "replies_policy" in data else None,
        exclusive=as_bool(data["exclusive"]) if "exclusive" in data else None,
    )
    return serializers.list_entity(updated)


@router.delete("/v1/lists/{list_id}", response=schemas.Empty)
def delete_list(request: HttpRequest, list_id: str) -> dict[str, Any]:
    me = require(request, "write:lists")
    timeline_services.delete_list(me, own_list(me, list_id))
    return {}


@router.get("/v1/lists/{list_id}/accounts", response=list[schemas.Account])
def list_accounts(request: HttpRequest, response: HttpResponse, list_id: str) -> list[Any]:
    me = require(request, "read:lists")
    timeline = own_list(me, list_id)
    return account_page(request, response, timeline.members.filter(suspended_at__isnull=True), "pk")


def _accounts(request: HttpRequest) -> list[Account]:
    ids = [as_int(raw) for raw in as_list(params(request).get("account_ids"))]
    found = list(Account.objects.filter(pk__in=[i for i in ids if i is not None]))
    if len(found) != len({i for i in ids if i is not None}) or not ids:
        raise NotFound(ids)
    return found


@router.post("/v1/lists/{list_id}/accounts", response=schemas.Empty)
def add_accounts(request: HttpRequest, list_id: str) -> dict[str, Any]:
    me = require(request, "write:lists")
    timeline = own_list(me, list_id)
    timeline_services.add_to_list(me, timeline, _accounts(request))
    return {}


@router.delete("/v1/lists/{list_id}/accounts", response=schemas.Empty)
def remove_accounts(request: HttpRequest, list_id: str) -> dict[str, Any]:
    me = require(request, "write:lists")
    timeline = own_list(me, list_id)
    timeline_services.remove_from_list(me, timeline, _accounts(request))
    return {}
