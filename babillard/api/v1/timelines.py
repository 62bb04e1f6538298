"""``/api/v1/timelines/*``, bookmarks and favourites."""

from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.accounts.models import Account, Visibility
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
from babillard.core.errors import NotFound
from babillard.core.pagination import Page, paginate
from babillard.statuses import queries as status_queries
from babillard.statuses.models import Status
from babillard.timelines import queries as timeline_queries
from babillard.timelines import trends
from babillard.timelines.models import List

router = Router(tags=["timelines"])


def page_args(request: HttpRequest) -> dict[str, Any]:
    data = params(request)
    return {k: data.get(k) for k in ("max_id", "since_id", "min_id", "limit")}


def _public_viewer(request: HttpRequest) -> Account | None:
    me = viewer(request, "read:statuses")
    if me is None and settings.PRIVATE_INSTANCE:
        raise ApiError(401, "This method requires an authenticated user")
    return me


def render_page(
    request: HttpRequest,
    response: HttpResponse,
    me: Account | None,
    page: Page[Status],
    context: str | None = None,
) -> list[Any]:
    rendered = serializers.statuses(me, page.items, context)
    return paginate_response(request, response, page, rendered)


@router.get("/v1/timelines/home", response=list[schemas.Status])
def home(request: HttpRequest, response: HttpResponse) -> list[Any]:
    me = require(request, "read:statuses")
    return render_page(
        request,
        response,
        me,
        timeline_queries.home(me, prefetch=False, **page_args(request)),
        "home",
    )


@router.get("/v1/timelines/public", response=list[schemas.Status])
def public(request: HttpRequest, response: HttpResponse) -> list[Any]:
    me = _public_viewer(request)
    data = params(request)
    page = timeline_queries.public(
        me,
        local=as_bool(data.get("local")),
        only_media=as_bool(data.get("only_media")),
        **page_args(request),
    )
    if as_bool(data.get("remote")):
        # Remote-only is applied to the page: pages may be shorter than ``limit``.
        page = Page(
            items=[s for s in page.items if not s.local],
            newest_key=page.newest_key,
            oldest_key=page.oldest_key,
        )
    return render_page(request, response, me, page, "public")


@router.get("/v1/timelines/tag/{hashtag}", response=list[schemas.Status])
def tag(request: HttpRequest, response: HttpResponse, hashtag: str) -> list[Any]:
    me = _public_viewer(request)
    data = params(request)
    any_of = [as_str(t).lstrip("#").casefold() for t in as_list(data.get("any"))]
    all_of = [as_str(t).lstrip("#").casefold() for t in as_list(data.get("all"))]
    none_of = [as_str(t).lstrip("#").casefold() for t in as_list(data.get("none"))]
    page = timeline_queries.hashtag(
        me,
        hashtag.lstrip("#"),
        local=as_bool(data.get("local")),
        any_of=any_of,
        all_of=all_of,
        none_of=none_of,
        only_media=as_bool(data.get("only_media")),
        **page_args(request),
    )
    return render_page(request, response, me, page, "public")


def own_list(me: Account, list_id: str) -> List:
    number = as_int(list_id)
    found = List.objects.filter(owner=me, pk=number).first() if number else None
    if found is None:
        raise NotFound(list_id)
    return found


@router.get("/v1/timelines/list/{list_id}", response=list[schemas.Status])
def list_timeline(request: HttpRequest, response: HttpResponse, list_id: str) -> list[Any]:
    me = require(request, "read:lists")
    timeline = own_list(me, list_id)
    page = timeline_queries.list_timeline(me, timeline, **page_args(request))
    return render_page(request, response, me, page, "home")


@router.get("/v1/timelines/direct", response=list[schemas.Status])
def direct(request: HttpRequest, response: HttpResponse) -> list[Any]:
    me = require(request, "read:statuses")
    found = status_queries.with_relations(
        status_queries.visible_statuses(me)
        .filter(Q(account=me) | Q(mentions__account=me), visibility=Visibility.DIRECT)
        .distinct()
    )
    return render_page(request, response, me, paginate(found, **page_args(request)))


@router.get("/v1/timelines/link", response=list[schemas.Status])
def link(request: HttpRequest, response: HttpResponse) -> list[Any]:
    """Public posts linking to ``url`` (Mastodon's timeline of a trending link)."""
    me = _public_viewer(request)
    url = as_str(params(request).get("url")).strip()
    if not url:
        raise ApiError(400, "Missing url parameter")
    page = trends.link_timeline(me, url, **page_args(request))
    return render_page(request, response, me, page, "public")


@router.get("/v1/bookmarks", response=list[schemas.Status])
def bookmarks(request: HttpRequest, response: HttpResponse) -> list[Any]:
    me = require(request, "read:bookmarks")
    return render_page(request, response, me, timeline_queries.bookmarks(me, **page_args(request)))


@router.get("/v1/favourites", response=list[schemas.Status])
def favourites(request: HttpRequest, response: HttpResponse) -> list[Any]:
    me = require(request, "read:favourites")
    return render_page(request, response, me, timeline_queries.favourites(me, **page_args(request)))
