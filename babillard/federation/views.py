"""Federation's front door: discovery, actors, objects, collections and inboxes.

Views parse and render only: reads go through the domain queries (visibility
through ``babillard.statuses.queries``), writes through the inbox's services.
The same URL serves the HTML page or the ActivityPub JSON by ``Accept``.
"""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.urls import Resolver404, get_resolver
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from babillard.accounts.models import Account, Follow
from babillard.accounts.queries import can_see_collections
from babillard.core import links
from babillard.federation import activities, conf
from babillard.federation.client import instance_actor, instance_actor_uri
from babillard.federation.inbox import Refused, receive, verify_signer
from babillard.statuses.models import Pin, Quote, QuoteState, Status
from babillard.statuses.queries import can_see, visible_statuses
from babillard.statuses.queries import featured_tags as featured_tag_stats

FOLLOWS_PER_PAGE = 12
STATUSES_PER_PAGE = 20
ACTIVITY_CONTENT_TYPE = "application/activity+json; charset=utf-8"


def wants_activity(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return any(kind in accept for kind in activities.ACTIVITY_TYPES)


def activity_response(document: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(document, status=status, content_type=ACTIVITY_CONTENT_TYPE)
    response["Vary"] = "Accept"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _web_page(request: HttpRequest) -> HttpResponseBase:
    """The HTML page the web front door serves at this same path."""
    try:
        match = get_resolver("babillard.web.urls").resolve(request.path_info)
    except Resolver404:
        raise Http404 from None
    request.resolver_match = match
    response: HttpResponseBase = match.func(request, *match.args, **match.kwargs)
    patch_vary_headers(response, ["Accept"])
    return response


def _local_account(username: str) -> Account:
    account = (
        Account.objects.active()
        .filter(username__iexact=username, domain="")
        .select_related("moved_to")
        .first()
    )
    if account is None:
        raise Http404
    return account


def _signed_viewer(request: HttpRequest) -> Account | None:
    """The remote account that signed this GET, or ``None``; in authorized-fetch mode one must."""
    if "Signature" not in request.headers:
        if conf.authorized_fetch():
            raise Refused(401, "this server answers signed requests only")
        return None
    return verify_signer(
        request.method or "GET", request.get_full_path(), request.headers, request.body
    )


def _refused(refusal: Refused) -> JsonResponse:
    return JsonResponse({"error": str(refusal)}, status=refusal.status)


# --- Discovery -------------------------------------------------------------


@require_GET
def webfinger(request: HttpRequest) -> HttpResponse:
    resource = request.GET.get("resource", "").strip()
    account: Account | None = None
    if resource.startswith("acct:") or ("@" in resource and "://" not in resource):
        handle = resource.removeprefix("acct:").lstrip("@")
        username, _sep, domain = handle.rpartition("@")
        if username and domain.lower() == settings.DOMAIN.lower():
            account = Account.objects.active().filter(username__iexact=username, domain="").first()
    elif resource.startswith(("http://", "https://")):
        account = (
            Account.objects.active().filter(Q(uri=resource) | Q(url=resource), domain="").first()
        )
    if account is None:
        return JsonResponse({"error": "not found"}, status=404 if resource else 400)
    document = {
        "subject": f"acct:{account.username}@{settings.DOMAIN}",
        "aliases": [account.url, account.uri],
        "links": [
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": account.url,
            },
            {"rel": "self", "type": "application/activity+json", "href": account.uri},
            {
                "rel": "http://ostatus.org/schema/1.0/subscribe",
                "template": links.absolute("/authorize_interaction?uri={uri}"),
            },
        ],
    }
    response = JsonResponse(document, content_type="application/jrd+json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def host_meta(request: HttpRequest) -> HttpResponse:
    template = links.absolute("/.well-known/webfinger?resource={uri}")
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" template="{template}"/>\n'
        "</XRD>\n"
    )
    return HttpResponse(body, content_type="application/xrd+xml; charset=utf-8")


@require_GET
def nodeinfo_index(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "links": [
                {
                    "rel": f"http://nodeinfo.diaspora.software/ns/schema/{version}",
                    "href": links.absolute(f"/nodeinfo/{version}"),
                }
                for version in ("2.0", "2.1")
            ]
        }
    )


@require_GET
def nodeinfo(request: HttpRequest, version: str) -> JsonResponse:
    if version not in ("2.0", "2.1"):
        raise Http404
    now = timezone.now()
    local = Account.objects.local().active().filter(user__isnull=False)
    software: dict[str, str] = {"name": "babillard", "version": "0.1.0"}
    if version == "2.1":
        software["repository"] = "https://babillard.example/source"
    document = {
        "version": version,
        "software": software,
        "protocols": ["activitypub"],
        "services": {"outbound": [], "inbound": []},
        "usage": {
            "users": {
                "total": local.count(),
                "activeMonth": local.filter(last_status_at__gte=now - timedelta(days=30)).count(),
                "activeHalfyear": local.filter(
                    last_status_at__gte=now - timedelta(days=182)
                ).count(),
            },
            "localPosts": Status.objects.filter(local=True, reblog__isnull=True).count(),
        },
        "openRegistrations": settings.REGISTRATION_MODE in ("open", "approval"),
        "metadata": {"nodeName": settings.INSTANCE_NAME},
    }
    content_type = (
        f'application/json; profile="http://nodeinfo.diaspora.software/ns/schema/{version}#"'
    )
    return JsonResponse(document, content_type=content_type)


@require_GET
def instance_actor_view(request: HttpRequest) -> JsonResponse:
    uri = instance_actor_uri()
    return activity_response(
        activities.with_context(
            {
                "id": uri,
                "type": "Application",
                "preferredUsername": settings.DOMAIN.split(":")[0],
                "inbox": links.absolute("/inbox"),
                "outbox": f"{uri}/outbox",
                "url": links.absolute("/about"),
                "manuallyApprovesFollowers": True,
                "publicKey": {
                    "id": f"{uri}#main-key",
                    "owner": uri,
                    "publicKeyPem": instance_actor().public_key,
                },
                "endpoints": {"sharedInbox": links.absolute("/inbox")},
            }
        )
    )


# --- Actors and objects ------------------------------------------------------


@require_GET
def actor(request: HttpRequest, username: str) -> HttpResponseBase:
    """``/users/<name>``: the actor document, or a redirect to the profile page."""
    account = _local_account(username)
    if not wants_activity(request):
        return HttpResponseRedirect(links.account_url(account.username))
    return activity_response(activities.with_context(activities.actor_to_activity(account)))


@require_GET
def profile(request: HttpRequest, username: str) -> HttpResponseBase:
    """``/@<name>``: the web page, or the actor document for ActivityPub clients."""
    if not wants_activity(request):
        return _web_page(request)
    return activity_response(
        activities.with_context(activities.actor_to_activity(_local_account(username)))
    )


def _servable_status(request: HttpRequest, username: str, status_id: int) -> Status:
    account = _local_account(username)
    try:
        status = (
            Status.objects.select_related("account", "in_reply_to", "reblog")
            .filter(pk=int(status_id), account=account)
            .first()
        )
    except (TypeError, ValueError, OverflowError):
        raise Http404 from None
    if status is None or status.local_only:
        raise Http404
    viewer = _signed_viewer(request)
    if not can_see(viewer, status):
        raise Http404
    return status


@require_GET
def status_object(request: HttpRequest, username: str, status_id: int) -> HttpResponseBase:
    """``/users/<name>/statuses/<id>``: the Note, or a redirect to the post's page."""
    if not wants_activity(request):
        return HttpResponseRedirect(links.status_url(username, int(status_id)))
    try:
        status = _servable_status(request, username, status_id)
    except Refused as refusal:
        return _refused(refusal)
    if status.reblog_id:
        raise Http404
    return activity_response(activities.with_context(activities.note_to_activity(status)))


@require_GET
def status_page(request: HttpRequest, username: str, status_id: str) -> HttpResponseBase:
    """``/@<name>/<id>``: the web page, or the Note for ActivityPub clients."""
    if not wants_activity(request):
        return _web_page(request)
    return status_object(request, username, int(status_id))


@require_GET
def quote_authorization(request: HttpRequest, username: str, quote_id: int) -> HttpResponseBase:
    """``/users/<name>/quote_authorizations/<id>``: the stamp of an approved quote.

    Gone once the quote is revoked or the quoted post deleted: servers that check
    it then stop showing the quote.
    """
    quote = (
        Quote.objects.filter(
            pk=quote_id, quoted_account__username=username, quoted_account__domain=""
        )
        .select_related("status", "quoted_account")
        .first()
    )
    if quote is None or quote.state != QuoteState.ACCEPTED or quote.quoted_status_id is None:
        raise Http404
    return activity_response(activities.with_context(activities.quote_authorization(quote)))


@require_GET
def status_activity(request: HttpRequest, username: str, status_id: int) -> HttpResponseBase:
    try:
        status = _servable_status(request, username, status_id)
    except Refused as refusal:
        return _refused(refusal)
    if status.reblog_id:
        return activity_response(activities.announce_activity(status))
    return activity_response(activities.create_activity(status))


# --- Collections -------------------------------------------------------------


def _page_url(base: str, **params: Any) -> str:
    return f"{base}?{urlencode(params)}"


@require_GET
def outbox(request: HttpRequest, username: str) -> HttpResponseBase:
    """Public and unlisted posts and boosts, newest first, paged by id as Mastodon pages."""
    account = _local_account(username)
    try:
        viewer = _signed_viewer(request)
    except Refused as refusal:
        return _refused(refusal)
    base = links.absolute(f"/users/{account.username}/outbox")
    statuses = (
        visible_statuses(None)
        .filter(account=account)
        .select_related("account", "in_reply_to", "reblog__account")
    )
    del viewer  # the outbox shows what anyone may see, signed or not
    if request.GET.get("page") != "true":
        return activity_response(
            activities.with_context(
                {
                    "id": base,
                    "type": "OrderedCollection",
                    "totalItems": account.statuses_count,
                    "first": _page_url(base, page="true"),
                    "last": _page_url(base, min_id=0, page="true"),
                }
            )
        )
    max_id, min_id = request.GET.get("max_id"), request.GET.get("min_id")
    if max_id and max_id.isdigit():
        statuses = statuses.filter(pk__lt=int(max_id))
    if min_id and min_id.isdigit():
        items = list(statuses.filter(pk__gt=int(min_id)).order_by("id")[:STATUSES_PER_PAGE])
        items.reverse()
    else:
        items = list(statuses.order_by("-id")[:STATUSES_PER_PAGE])
    page: dict[str, Any] = {
        "id": _page_url(base, **request.GET.dict()),
        "type": "OrderedCollectionPage",
        "partOf": base,
        "orderedItems": [
            activities.announce_activity(s) if s.reblog_id else activities.create_activity(s)
            for s in items
        ],
    }
    for item in page["orderedItems"]:
        item.pop("@context", None)
    if items:
        page["next"] = _page_url(base, max_id=items[-1].pk, page="true")
        page["prev"] = _page_url(base, min_id=items[0].pk, page="true")
    return activity_response(activities.with_context(page))


def _follow_collection(request: HttpRequest, username: str, kind: str) -> HttpResponseBase:
    account = _local_account(username)
    try:
        viewer = _signed_viewer(request)
    except Refused as refusal:
        return _refused(refusal)
    base = links.absolute(f"/users/{account.username}/{kind}")
    if kind == "followers":
        relations = Follow.objects.filter(target=account).select_related("account")
        total = account.followers_count
    else:
        relations = Follow.objects.filter(account=account).select_related("target")
        total = account.following_count
    page_number = request.GET.get("page", "")
    shown = can_see_collections(viewer, account)
    if not page_number.isdigit() or not shown:
        document: dict[str, Any] = {"id": base, "type": "OrderedCollection", "totalItems": total}
        if shown:
            document["first"] = _page_url(base, page=1)
        return activity_response(activities.with_context(document))
    number = max(int(page_number), 1)
    start = (number - 1) * FOLLOWS_PER_PAGE
    rows = list(relations.order_by("-id")[start : start + FOLLOWS_PER_PAGE + 1])
    uris = [
        (r.account.uri if kind == "followers" else r.target.uri) for r in rows[:FOLLOWS_PER_PAGE]
    ]
    page = {
        "id": _page_url(base, page=number),
        "type": "OrderedCollectionPage",
        "totalItems": total,
        "partOf": base,
        "orderedItems": uris,
    }
    if len(rows) > FOLLOWS_PER_PAGE:
        page["next"] = _page_url(base, page=number + 1)
    if number > 1:
        page["prev"] = _page_url(base, page=number - 1)
    return activity_response(activities.with_context(page))


@require_GET
def followers(request: HttpRequest, username: str) -> HttpResponseBase:
    return _follow_collection(request, username, "followers")


@require_GET
def following(request: HttpRequest, username: str) -> HttpResponseBase:
    return _follow_collection(request, username, "following")


@require_GET
def featured(request: HttpRequest, username: str) -> HttpResponseBase:
    """Pinned posts, inline, as Mastodon serves them (public and unlisted only)."""
    account = _local_account(username)
    try:
        _signed_viewer(request)
    except Refused as refusal:
        return _refused(refusal)
    pinned = [
        pin.status
        for pin in Pin.objects.filter(account=account)
        .select_related("status__account", "status__in_reply_to")
        .order_by("-created_at")
        if can_see(None, pin.status)
    ]
    base = links.absolute(f"/users/{account.username}/collections/featured")
    return activity_response(
        activities.with_context(
            {
                "id": base,
                "type": "OrderedCollection",
                "totalItems": len(pinned),
                "orderedItems": [activities.note_to_activity(s) for s in pinned],
            }
        )
    )


@require_GET
def featured_tags(request: HttpRequest, username: str) -> HttpResponseBase:
    """The hashtags the account features on its profile, as Mastodon lists them."""
    account = _local_account(username)
    base = links.absolute(f"/users/{account.username}/collections/tags")
    items = [
        {
            "type": "Hashtag",
            "href": links.tag_url(stats.featured.tag.name),
            "name": f"#{stats.featured.tag.display_name}",
        }
        for stats in featured_tag_stats(account)
    ]
    return activity_response(
        activities.with_context(
            {"id": base, "type": "Collection", "totalItems": len(items), "items": items}
        )
    )


# --- Inboxes -------------------------------------------------------------------


def _inbox(request: HttpRequest, recipient: Account | None) -> HttpResponse:
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > conf.MAX_INBOX_BYTES:
        return JsonResponse({"error": "activity too large"}, status=413)
    answer = receive(
        request.body,
        method="POST",
        path=request.get_full_path(),
        headers=request.headers,
        recipient=recipient,
    )
    if answer.status >= 400:
        return JsonResponse({"error": answer.message}, status=answer.status)
    return HttpResponse(status=answer.status)


@csrf_exempt
@require_http_methods(["POST"])
def shared_inbox(request: HttpRequest) -> HttpResponse:
    return _inbox(request, None)


@csrf_exempt
@require_http_methods(["POST"])
def personal_inbox(request: HttpRequest, username: str) -> HttpResponse:
    return _inbox(request, _local_account(username))
