"""``/api/v1/notifications``."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.api import schemas, serializers
from babillard.api.base import as_int, as_list, as_str, paginate_response, params, require
from babillard.core.errors import NotFound
from babillard.core.pagination import clamp_limit, paginate
from babillard.notifications import queries as notification_queries
from babillard.notifications import services as notification_services

router = Router(tags=["notifications"])


def _filtered(request: HttpRequest) -> Any:
    me = require(request, "read:notifications")
    data = params(request)
    found = notification_queries.notifications_for(
        me,
        types=[as_str(t) for t in as_list(data.get("types"))] or None,
        exclude_types=[as_str(t) for t in as_list(data.get("exclude_types"))] or None,
    )
    account_id = as_int(data.get("account_id"))
    if account_id is not None:
        found = found.filter(from_account_id=account_id)
    return me, found


@router.get("/v1/notifications", response=list[schemas.Notification])
def notifications(request: HttpRequest, response: HttpResponse) -> list[Any]:
    me, found = _filtered(request)
    data = params(request)
    page = paginate(
        found,
        max_id=data.get("max_id"),
        since_id=data.get("since_id"),
        min_id=data.get("min_id"),
        limit=clamp_limit(data.get("limit"), 40, 80),
    )
    rendered = [serializers.notification(n, me, filters=True) for n in page.items]
    return paginate_response(request, response, page, rendered)


@router.get("/v1/notifications/unread_count", response=schemas.UnreadCount)
def unread_count(request: HttpRequest) -> dict[str, int]:
    me = require(request, "read:notifications")
    return {"count": notification_queries.unread_count(me)}


@router.post("/v1/notifications/clear", response=schemas.Empty)
def clear(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:notifications")
    notification_services.clear(me)
    return {}


@router.get("/v1/notifications/{notification_id}", response=schemas.Notification)
def get_notification(request: HttpRequest, notification_id: str) -> dict[str, Any]:
    me, found = _filtered(request)
    number = as_int(notification_id)
    item = found.filter(pk=number).first() if number is not None else None
    if item is None:
        raise NotFound(notification_id)
    return serializers.notification(item, me)


@router.post("/v1/notifications/{notification_id}/dismiss", response=schemas.Empty)
def dismiss(request: HttpRequest, notification_id: str) -> dict[str, Any]:
    me = require(request, "write:notifications")
    number = as_int(notification_id)
    if number is None:
        raise NotFound(notification_id)
    notification_services.dismiss(me, number)
    return {}
