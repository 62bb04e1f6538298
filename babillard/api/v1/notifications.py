"""``/api/v1/notifications``."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.accounts.models import Account
from babillard.api import schemas, serializers
from babillard.api.base import (
    as_int,
    as_list,
    as_str,
    link_header,
    paginate_response,
    params,
    require,
)
from babillard.core.errors import NotFound
from babillard.core.pagination import clamp_limit, paginate
from babillard.notifications import queries as notification_queries
from babillard.notifications import services as notification_services
from babillard.notifications.models import Notification

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


# Grouped notifications (v2). Favourites, boosts, follows and sign-ups of the same
# post are one group, keyed ``<type>-<status id>`` (``follow`` alone for follows);
# any other notification is its own group, ``ungrouped-<id>``, as Mastodon names it.
GROUPABLE = ("favourite", "reblog", "follow", "admin.sign_up")
NOT_GROUPED = "ungrouped-"


def _grouped_types(data: dict[str, Any]) -> set[str]:
    asked = [as_str(t) for t in as_list(data.get("grouped_types"))]
    return set(asked) & set(GROUPABLE) if asked else set(GROUPABLE)


def _key(item: Notification, grouped: set[str]) -> str:
    if item.type not in grouped:
        return f"{NOT_GROUPED}{item.pk}"
    return f"{item.type}-{item.status_id}" if item.status_id else item.type


def _grouped_results(me: Account, items: list[Notification], grouped: set[str]) -> dict[str, Any]:
    groups: dict[str, list[Notification]] = {}
    for item in items:
        groups.setdefault(_key(item, grouped), []).append(item)
    accounts: dict[int, Any] = {}
    statuses: dict[int, Any] = {}
    for item in items:
        accounts.setdefault(item.from_account_id, item.from_account)
        if item.status_id and item.status is not None:
            statuses.setdefault(item.status_id, item.status)
    renderer = serializers.StatusRenderer(me, list(statuses.values()), "notifications")
    return {
        "accounts": [serializers.account(a) for a in accounts.values()],
        "statuses": [renderer.render(s) for s in statuses.values()],
        "notification_groups": [
            {
                "group_key": key,
                "notifications_count": len(members),
                "type": members[0].type,
                "most_recent_notification_id": str(members[0].pk),
                "page_min_id": str(members[-1].pk),
                "page_max_id": str(members[0].pk),
                "latest_page_notification_at": serializers.iso(members[0].created_at),
                "sample_account_ids": list(dict.fromkeys(str(m.from_account_id) for m in members))[
                    :8
                ],
                "status_id": str(members[0].status_id) if members[0].status_id else None,
            }
            for key, members in groups.items()
        ],
    }


@router.get("/v2/notifications/unread_count", response=schemas.UnreadCount)
def unread_count_v2(request: HttpRequest) -> dict[str, int]:
    return unread_count(request)


@router.get("/v2/notifications/policy")
def policy(request: HttpRequest) -> dict[str, Any]:
    """Notification filtering by sender is not offered: everything is accepted."""
    require(request, "read:notifications")
    return {
        "for_not_following": "accept",
        "for_not_followers": "accept",
        "for_new_accounts": "accept",
        "for_private_mentions": "accept",
        "for_limited_accounts": "accept",
        "summary": {"pending_requests_count": 0, "pending_notifications_count": 0},
    }


@router.get("/v1/notifications/requests")
def requests(request: HttpRequest) -> list[Any]:
    require(request, "read:notifications")
    return []


@router.get("/v2/notifications", response=schemas.GroupedNotifications)
def grouped_notifications(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    me, found = _filtered(request)
    data = params(request)
    page = paginate(
        found,
        max_id=data.get("max_id"),
        since_id=data.get("since_id"),
        min_id=data.get("min_id"),
        limit=clamp_limit(data.get("limit"), 40, 80),
    )
    if page.items and page.oldest_key is not None:
        response["Link"] = link_header(request, next_max=page.oldest_key, prev_min=page.newest_key)
    return _grouped_results(me, page.items, _grouped_types(data))


def _group(request: HttpRequest, group_key: str, scope: str) -> tuple[Account, list[Notification]]:
    me = require(request, scope)
    found = notification_queries.notifications_for(me)
    if group_key.startswith(NOT_GROUPED):
        number = as_int(group_key.removeprefix(NOT_GROUPED))
        items = list(found.filter(pk=number)) if number is not None else []
    else:
        kind, _sep, status_id = group_key.partition("-")
        items = []
        if kind in GROUPABLE:
            matching = found.filter(type=kind)
            number = as_int(status_id)
            if status_id and number is None:
                matching = matching.none()
            items = list(
                matching.filter(status_id=number)
                if number
                else matching.filter(status__isnull=True)
            )
    if not items:
        raise NotFound(group_key)
    return me, items


@router.get("/v2/notifications/{group_key}", response=schemas.GroupedNotifications)
def notification_group(request: HttpRequest, group_key: str) -> dict[str, Any]:
    me, items = _group(request, group_key, "read:notifications")
    results = _grouped_results(me, items, set(GROUPABLE))
    results["notification_groups"] = results["notification_groups"][:1]
    return results


@router.get("/v2/notifications/{group_key}/accounts", response=list[schemas.Account])
def notification_group_accounts(request: HttpRequest, group_key: str) -> list[Any]:
    _me, items = _group(request, group_key, "read:notifications")
    seen: dict[int, Any] = {}
    for item in items:
        seen.setdefault(item.from_account_id, item.from_account)
    return [serializers.account(a) for a in seen.values()]


@router.post("/v2/notifications/{group_key}/dismiss", response=schemas.Empty)
def dismiss_group(request: HttpRequest, group_key: str) -> dict[str, Any]:
    me, items = _group(request, group_key, "write:notifications")
    for item in items:
        notification_services.dismiss(me, item.pk)
    return {}
