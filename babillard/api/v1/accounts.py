"""``/api/v1/accounts``, follow requests, blocks and mutes."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.accounts import queries as account_queries
from babillard.accounts import services as account_services
from babillard.accounts.models import Account, Mute, User
from babillard.api import oauth, schemas, serializers
from babillard.api.base import (
    ApiError,
    as_bool,
    as_int,
    as_list,
    as_str,
    offset_response,
    paginate_response,
    params,
    require,
    require_token,
    viewer,
)
from babillard.core import ratelimits
from babillard.core.clients import client_ip
from babillard.core.errors import NotFound
from babillard.core.pagination import clamp_limit, paginate
from babillard.statuses import queries as status_queries
from babillard.statuses.models import Pin
from babillard.timelines.models import List

router = Router(tags=["accounts"])


def get_target(request: HttpRequest, account_id: str, me: Account | None = None) -> Account:
    number = as_int(account_id)
    if number is None:
        raise NotFound(account_id)
    return account_queries.get_account_by_id(number)


def relationship_of(me: Account, target: Account) -> dict[str, Any]:
    return serializers.relationship(target, account_queries.relationship_with_notes(me, target))


def rows_page(
    request: HttpRequest,
    response: HttpResponse,
    rows: QuerySet[Any],
    render: Callable[[Any], dict[str, Any]],
) -> list[Any]:
    """Page through relation rows (mutes, follow requests) by their own id."""
    data = params(request)
    page = paginate(
        rows,
        max_id=data.get("max_id"),
        since_id=data.get("since_id"),
        min_id=data.get("min_id"),
        limit=clamp_limit(data.get("limit"), 40, 80),
    )
    return paginate_response(request, response, page, [render(row) for row in page.items])


def account_page(
    request: HttpRequest, response: HttpResponse, accounts: QuerySet[Account], rel: str
) -> list[Any]:
    """Page through accounts by the id of the relation row (follow, block, mute)."""
    data = params(request)
    annotated = accounts.annotate(rel_id=F("pk") if rel == "pk" else F(f"{rel}__id"))
    page = paginate(
        annotated,
        key="rel_id",
        max_id=data.get("max_id"),
        since_id=data.get("since_id"),
        min_id=data.get("min_id"),
        limit=clamp_limit(data.get("limit"), 40, 80),
    )
    return paginate_response(request, response, page, [serializers.account(a) for a in page.items])


@router.post("/v1/accounts", response=schemas.Token)
def register(request: HttpRequest) -> dict[str, Any]:
    """Sign up through an application token, honouring the registration mode."""
    token = require_token(request, "write:accounts")
    if token.application is None:
        raise ApiError(401, "The access token is invalid")
    ratelimits.count_address(request, "sign_up")
    data = params(request)
    if not as_bool(data.get("agreement")):
        raise ApiError(422, "Validation failed: Agreement must be accepted")
    user = account_services.sign_up(
        as_str(data.get("username")),
        as_str(data.get("email")),
        as_str(data.get("password")),
        reason=as_str(data.get("reason")),
        invite_code=as_str(data.get("invite_code")),
        locale=as_str(data.get("locale"))[:8] if as_str(data.get("locale")) in ("fr", "en") else "",
        ip=client_ip(request),
    )
    issued = oauth.issue_token(user, token.application, token.scope.split())
    return oauth.token_reply(issued)


@router.get("/v1/accounts/verify_credentials", response=schemas.CredentialAccount)
def verify_credentials(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "read:accounts")
    requests = account_queries.pending_follow_requests(me).count()
    return serializers.credential_account(me, requests)


@router.patch("/v1/accounts/update_credentials", response=schemas.CredentialAccount)
def update_credentials(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:accounts")
    data = params(request)
    changes: dict[str, Any] = {}
    for name in ("display_name", "note"):
        if name in data:
            changes[name] = as_str(data[name])
    for name in ("locked", "bot", "discoverable", "hide_collections"):
        if name in data:
            changes[name] = as_bool(data[name])
    for name in ("avatar", "header"):
        if data.get(name) and hasattr(data[name], "read"):
            changes[name] = data[name]
    if "fields_attributes" in data:
        fields = as_list(data["fields_attributes"])
        changes["fields"] = [
            {"name": as_str(f.get("name")), "value": as_str(f.get("value"))}
            for f in fields
            if isinstance(f, dict)
        ]
    account_services.update_profile(me, **changes)
    source = data.get("source")
    if isinstance(source, dict) and me.user is not None:
        preferences: dict[str, Any] = {}
        if "privacy" in source:
            preferences["default_visibility"] = as_str(source["privacy"])
        if "sensitive" in source:
            preferences["default_sensitive"] = as_bool(source["sensitive"])
        if source.get("language"):
            preferences["default_language"] = as_str(source["language"])[:8]
        if preferences:
            try:
                account_services.update_preferences(me.user, **preferences)
            except ValidationError as error:
                raise ValidationError(error.messages) from None
    me.refresh_from_db()
    return serializers.credential_account(me, account_queries.pending_follow_requests(me).count())


@router.get("/v1/accounts/lookup", response=schemas.Account)
def lookup(request: HttpRequest) -> dict[str, Any]:
    viewer(request, "read:accounts")
    acct = as_str(params(request).get("acct")).strip().lstrip("@")
    username, _sep, domain = acct.partition("@")
    if domain.lower() in (settings.DOMAIN.lower(), settings.DOMAIN.split(":")[0].lower()):
        domain = ""
    return serializers.account(account_queries.get_account(username, domain))


@router.get("/v1/accounts/relationships", response=list[schemas.Relationship])
def relationships(request: HttpRequest) -> list[dict[str, Any]]:
    me = require(request, "read:follows")
    ids = as_list(params(request).get("id"))
    found = []
    for raw in ids[:80]:
        number = as_int(raw)
        target = Account.objects.filter(pk=number).first() if number is not None else None
        if target is not None:
            found.append(relationship_of(me, target))
    return found


@router.get("/v1/accounts/familiar_followers", response=list[schemas.FamiliarFollowers])
def familiar_followers(request: HttpRequest) -> list[dict[str, Any]]:
    me = require(request, "read:follows")
    found = []
    for raw in as_list(params(request).get("id"))[:80]:
        number = as_int(raw)
        target = Account.objects.active().filter(pk=number).first() if number is not None else None
        if target is None:
            continue
        known = account_queries.familiar_followers(me, target)[:40]
        found.append({"id": str(target.pk), "accounts": [serializers.account(a) for a in known]})
    return found


@router.get("/v1/accounts/search", response=list[schemas.Account])
def search(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    me = require(request, "read:accounts")
    data = params(request)
    limit = clamp_limit(data.get("limit"), 40, 80)
    offset = max(as_int(data.get("offset"), 0) or 0, 0)
    found = list(account_queries.search_accounts(as_str(data.get("q")), limit=limit + offset))
    if as_bool(data.get("following")):
        found = [a for a in found if account_queries.is_following(me, a)]
    items = [serializers.account(a) for a in found[offset : offset + limit]]
    return offset_response(request, response, items, offset, limit)


@router.get("/v1/accounts/{account_id}", response=schemas.Account)
def get_account(request: HttpRequest, account_id: str) -> dict[str, Any]:
    viewer(request, "read:accounts")
    return serializers.account(get_target(request, account_id))


@router.get("/v1/accounts/{account_id}/statuses", response=list[schemas.Status])
def account_statuses(request: HttpRequest, response: HttpResponse, account_id: str) -> list[Any]:
    me = viewer(request, "read:statuses")
    target = get_target(request, account_id)
    data = params(request)
    page_args = {k: data.get(k) for k in ("max_id", "since_id", "min_id", "limit")}
    if as_bool(data.get("pinned")):
        found = status_queries.account_statuses(me, target, with_replies=True).filter(
            pk__in=Pin.objects.filter(account=target).values("status_id")
        )
    else:
        found = status_queries.account_statuses(
            me,
            target,
            with_replies=not as_bool(data.get("exclude_replies")),
            only_media=as_bool(data.get("only_media")),
            exclude_reblogs=as_bool(data.get("exclude_reblogs")),
        )
    tagged = as_str(data.get("tagged")).lstrip("#")
    if tagged:
        found = found.filter(tags__name=tagged.casefold())
    page = paginate(found, **page_args)  # type: ignore[arg-type]
    return paginate_response(
        request, response, page, serializers.statuses(me, page.items, "account")
    )


@router.get("/v1/accounts/{account_id}/followers", response=list[schemas.Account])
def followers(request: HttpRequest, response: HttpResponse, account_id: str) -> list[Any]:
    me = viewer(request, "read:accounts")
    target = get_target(request, account_id)
    if not account_queries.can_see_collections(me, target):
        return []
    return account_page(request, response, account_queries.followers(target), "following_rel")


@router.get("/v1/accounts/{account_id}/following", response=list[schemas.Account])
def following(request: HttpRequest, response: HttpResponse, account_id: str) -> list[Any]:
    me = viewer(request, "read:accounts")
    target = get_target(request, account_id)
    if not account_queries.can_see_collections(me, target):
        return []
    return account_page(request, response, account_queries.following(target), "follower_rel")


@router.get("/v1/accounts/{account_id}/lists", response=list[schemas.List])
def account_lists(request: HttpRequest, account_id: str) -> list[Any]:
    me = require(request, "read:lists")
    target = get_target(request, account_id)
    return [serializers.list_entity(item) for item in List.objects.filter(owner=me, members=target)]


@router.post("/v1/accounts/{account_id}/follow", response=schemas.Relationship)
def follow(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "write:follows")
    target = get_target(request, account_id)
    data = params(request)
    account_services.follow(
        me,
        target,
        reblogs=as_bool(data.get("reblogs"), True),
        notify=as_bool(data.get("notify"), False),
    )
    return relationship_of(me, target)


@router.post("/v1/accounts/{account_id}/unfollow", response=schemas.Relationship)
def unfollow(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "write:follows")
    target = get_target(request, account_id)
    account_services.unfollow(me, target)
    return relationship_of(me, target)


@router.post("/v1/accounts/{account_id}/remove_from_followers", response=schemas.Relationship)
def remove_from_followers(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "write:follows")
    target = get_target(request, account_id)
    account_services.remove_follower(me, target)
    return relationship_of(me, target)


@router.post("/v1/accounts/{account_id}/block", response=schemas.Relationship)
def block(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "write:blocks")
    target = get_target(request, account_id)
    account_services.block(me, target)
    return relationship_of(me, target)


@router.post("/v1/accounts/{account_id}/unblock", response=schemas.Relationship)
def unblock(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "write:blocks")
    target = get_target(request, account_id)
    account_services.unblock(me, target)
    return relationship_of(me, target)


@router.post("/v1/accounts/{account_id}/mute", response=schemas.Relationship)
def mute(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "write:mutes")
    target = get_target(request, account_id)
    data = params(request)
    duration = as_int(data.get("duration"), 0) or None
    account_services.mute(
        me, target, notifications=as_bool(data.get("notifications"), True), duration=duration
    )
    return relationship_of(me, target)


@router.post("/v1/accounts/{account_id}/unmute", response=schemas.Relationship)
def unmute(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "write:mutes")
    target = get_target(request, account_id)
    account_services.unmute(me, target)
    return relationship_of(me, target)


@router.post("/v1/accounts/{account_id}/note", response=schemas.Relationship)
def note(request: HttpRequest, account_id: str) -> dict[str, Any]:
    """Keep a private note about an account (an empty comment removes it)."""
    me = require(request, "write:accounts")
    target = get_target(request, account_id)
    account_services.set_note(me, target, as_str(params(request).get("comment")))
    return relationship_of(me, target)


def _endorse(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "write:accounts")
    target = get_target(request, account_id)
    account_services.endorse(me, target)
    return relationship_of(me, target)


def _unendorse(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "write:accounts")
    target = get_target(request, account_id)
    account_services.unendorse(me, target)
    return relationship_of(me, target)


# ``pin``/``unpin`` are the historical names; Mastodon 4.4 added ``endorse``/``unendorse``.
for _verb, _view in (
    ("pin", _endorse),
    ("endorse", _endorse),
    ("unpin", _unendorse),
    ("unendorse", _unendorse),
):
    router.post(
        f"/v1/accounts/{{account_id}}/{_verb}",
        response=schemas.Relationship,
        operation_id=f"account_{_verb}",
    )(_view)


@router.get("/v1/endorsements", response=list[schemas.Account])
def endorsements(request: HttpRequest, response: HttpResponse) -> list[Any]:
    me = require(request, "read:accounts")
    return account_page(request, response, account_queries.endorsed_accounts(me), "endorsed_by_rel")


@router.get("/v1/follow_requests", response=list[schemas.Account])
def follow_requests(request: HttpRequest, response: HttpResponse) -> list[Any]:
    me = require(request, "read:follows")
    pending = account_queries.pending_follow_requests(me)
    return rows_page(request, response, pending, lambda row: serializers.account(row.account))


def _requester(me: Account, account_id: str) -> Account:
    number = as_int(account_id)
    found = Account.objects.filter(pk=number).first() if number is not None else None
    if found is None:
        raise NotFound(account_id)
    return found


@router.post("/v1/follow_requests/{account_id}/authorize", response=schemas.Relationship)
def authorize_request(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "write:follows")
    requester = _requester(me, account_id)
    account_services.accept_follow_request(me, requester)
    return relationship_of(me, requester)


@router.post("/v1/follow_requests/{account_id}/reject", response=schemas.Relationship)
def reject_request(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "write:follows")
    requester = _requester(me, account_id)
    account_services.reject_follow_request(me, requester)
    return relationship_of(me, requester)


@router.get("/v1/blocks", response=list[schemas.Account])
def blocks(request: HttpRequest, response: HttpResponse) -> list[Any]:
    me = require(request, "read:blocks")
    return account_page(
        request,
        response,
        Account.objects.filter(blocked_by_rel__account=me),
        "blocked_by_rel",
    )


@router.get("/v1/mutes", response=list[schemas.Account])
def mutes(request: HttpRequest, response: HttpResponse) -> list[Any]:
    me = require(request, "read:mutes")
    muted = Mute.objects.filter(account=me).select_related("target")
    return rows_page(request, response, muted, lambda row: serializers.account(row.target))


def user_of(account: Account) -> User:
    assert account.user is not None
    return account.user
