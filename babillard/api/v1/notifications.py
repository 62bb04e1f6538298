"""``/api/v1/notifications``."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.accounts.models import Account
from babillard.api import schemas, serializers
from babillard.api.base import (
    as_bool,
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
from babillard.statuses.queries import can_see
from babillard.triage import queries as triage_queries
from babillard.triage import services as triage_services
from babillard.triage.models import NotificationRequest

router = Router(tags=["notifications"])


def _filtered(request: HttpRequest) -> Any:
    me = require(request, "read:notifications")
    data = params(request)
    found = notification_queries.notifications_for(
        me,
        types=[as_str(t) for t in as_list(data.get("types"))] or None,
        exclude_types=[as_str(t) for t in as_list(data.get("exclude_types"))] or None,
        include_filtered=as_bool(data.get("include_filtered")),
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


# Notification policies and requests (Mastodon 4.3). Declared before
# ``/v1/notifications/{notification_id}``, which would otherwise take ``requests`` as an id.


def _policy(me: Account) -> dict[str, Any]:
    policy = triage_services.policy_of(me)
    data: dict[str, Any] = {name: getattr(policy, name) for name in triage_services.POLICY_FIELDS}
    data["summary"] = triage_services.pending_summary(me)
    return data


@router.get("/v2/notifications/policy", response=schemas.NotificationPolicy)
def policy(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "read:notifications")
    return _policy(me)


@router.patch("/v2/notifications/policy", response=schemas.NotificationPolicy)
def update_policy(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:notifications")
    data = params(request)
    triage_services.update_policy(
        me,
        **{
            name: as_str(data[name])
            for name in triage_services.POLICY_FIELDS
            if data.get(name) not in (None, "")
        },
    )
    return _policy(me)


def _request_entity(me: Account, item: NotificationRequest) -> dict[str, Any]:
    return {
        "id": str(item.pk),
        "created_at": serializers.iso(item.created_at),
        "updated_at": serializers.iso(item.updated_at),
        "account": serializers.account(item.from_account),
        "notifications_count": str(item.notifications_count),
        "last_status": (
            serializers.status(me, item.last_status, "notifications")
            if item.last_status is not None and can_see(me, item.last_status)
            else None
        ),
    }


@router.get("/v1/notifications/requests", response=list[schemas.NotificationRequest])
def requests(request: HttpRequest, response: HttpResponse) -> list[Any]:
    me = require(request, "read:notifications")
    data = params(request)
    page = paginate(
        triage_queries.notification_requests(me),
        max_id=data.get("max_id"),
        since_id=data.get("since_id"),
        min_id=data.get("min_id"),
        limit=clamp_limit(data.get("limit"), 40, 80),
    )
    rendered = [_request_entity(me, item) for item in page.items]
    return paginate_response(request, response, page, rendered)


@router.get("/v1/notifications/requests/merged", response=schemas.Merged)
def requests_merged(request: HttpRequest) -> dict[str, bool]:
    """Accepting a request moves its notifications in the same transaction: always merged."""
    require(request, "read:notifications")
    return {"merged": True}


def _ids(request: HttpRequest) -> list[str]:
    return [as_str(raw) for raw in as_list(params(request).get("id"))]


@router.post("/v1/notifications/requests/accept", response=schemas.Empty)
def accept_requests(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:notifications")
    for request_id in _ids(request):
        triage_services.accept_request(me, triage_services.get_request(me, request_id))
    return {}


@router.post("/v1/notifications/requests/dismiss", response=schemas.Empty)
def dismiss_requests(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:notifications")
    for request_id in _ids(request):
        triage_services.dismiss_request(me, triage_services.get_request(me, request_id))
    return {}


@router.get("/v1/notifications/requests/{request_id}", response=schemas.NotificationRequest)
def get_request(request: HttpRequest, request_id: str) -> dict[str, Any]:
    me = require(request, "read:notifications")
    return _request_entity(me, triage_services.get_request(me, request_id))


@router.post("/v1/notifications/requests/{request_id}/accept", response=schemas.Empty)
def accept_request(request: HttpRequest, request_id: str) -> dict[str, Any]:
    me = require(request, "write:notifications")
    triage_services.accept_request(me, triage_services.get_request(me, request_id))
    return {}


@router.post("/v1/notifications/requests/{request_id}/dismiss", response=schemas.Empty)
def dismiss_request(request: HttpRequest, request_id: str) -> dict[str, Any]:
    me = require(request, "write:notifications")
    triage_services.dismiss_request(me, triage_services.get_request(me, request_id))
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
