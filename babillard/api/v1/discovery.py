"""Finding people and topics: trends, follow suggestions and featured hashtags."""

from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.accounts import queries as account_queries
from babillard.accounts import services as account_services
from babillard.api import schemas, serializers
from babillard.api.base import (
    as_int,
    as_str,
    offset_response,
    params,
    require,
    viewer,
)
from babillard.api.v1.accounts import get_target
from babillard.core import links
from babillard.core.errors import NotFound
from babillard.core.pagination import clamp_limit
from babillard.statuses import queries as status_queries
from babillard.statuses import services as status_services
from babillard.timelines import trends

router = Router(tags=["discovery"])


def _window(request: HttpRequest, default: int, maximum: int) -> tuple[int, int]:
    data = params(request)
    return clamp_limit(data.get("limit"), default, maximum), max(
        as_int(data.get("offset"), 0) or 0, 0
    )


def _trending_tags(request: HttpRequest, response: HttpResponse) -> list[Any]:
    viewer(request, "read:statuses")
    limit, offset = _window(request, 10, 20)
    found = [
        {**serializers.tag(trend.tag), "history": serializers.tag_history(trend.history)}
        for trend in trends.trending_tags(limit, offset)
    ]
    return offset_response(request, response, found, offset, limit)


# ``/api/v1/trends`` is the older name of the hashtag trends.
for _path in ("/v1/trends/tags", "/v1/trends"):
    router.get(
        _path, response=list[schemas.Tag], operation_id="trends" + _path[10:].replace("/", "_")
    )(_trending_tags)


@router.get("/v1/trends/statuses", response=list[schemas.Status])
def trending_statuses(request: HttpRequest, response: HttpResponse) -> list[Any]:
    me = viewer(request, "read:statuses")
    limit, offset = _window(request, 20, 40)
    found = serializers.statuses(me, trends.trending_statuses(me, limit, offset), "public")
    return offset_response(request, response, found, offset, limit)


def _link_card(trend: trends.LinkTrend) -> dict[str, Any]:
    """A preview card without a preview: Babillard does not fetch linked pages."""
    host = urlsplit(trend.url).hostname or ""
    return {
        "url": trend.url,
        "title": trend.url,
        "description": "",
        "type": "link",
        "author_name": "",
        "author_url": "",
        "provider_name": host,
        "provider_url": "",
        "html": "",
        "width": 0,
        "height": 0,
        "image": None,
        "embed_url": "",
        "blurhash": None,
        "history": serializers.tag_history(trend.history),
    }


@router.get("/v1/trends/links", response=list[schemas.TrendsLink])
def trending_links(request: HttpRequest, response: HttpResponse) -> list[Any]:
    viewer(request, "read:statuses")
    limit, offset = _window(request, 10, 20)
    found = [_link_card(trend) for trend in trends.trending_links(limit, offset)]
    return offset_response(request, response, found, offset, limit)


# Suggestions.

SOURCE_OF_REASON = {"friends_of_followings": "past_interactions", "most_followed": "global"}


def _suggestions(request: HttpRequest) -> list[account_queries.Suggestion]:
    me = require(request, "read:accounts")
    return account_queries.suggestions(me, clamp_limit(params(request).get("limit"), 40, 80))


@router.get("/v2/suggestions", response=list[schemas.Suggestion])
def suggestions(request: HttpRequest) -> list[Any]:
    return [
        {
            "source": SOURCE_OF_REASON[found.reason],
            "sources": [found.reason],
            "account": serializers.account(found.account),
        }
        for found in _suggestions(request)
    ]


@router.get("/v1/suggestions", response=list[schemas.Account])
def suggestions_v1(request: HttpRequest) -> list[Any]:
    return [serializers.account(found.account) for found in _suggestions(request)]


@router.delete("/v1/suggestions/{account_id}", response=schemas.Empty)
def dismiss_suggestion(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "read:accounts")
    account_services.dismiss_suggestion(me, get_target(request, account_id))
    return {}


# Featured hashtags.


def _featured(item: status_queries.FeaturedTagStats) -> dict[str, Any]:
    featured = item.featured
    return {
        "id": str(featured.pk),
        "name": featured.tag.display_name or featured.tag.name,
        "url": f"{featured.account.url or links.account_url(featured.account.username)}"
        f"/tagged/{featured.tag.name}",
        "statuses_count": item.statuses_count,
        "last_status_at": item.last_status_at.date().isoformat() if item.last_status_at else None,
    }


@router.get("/v1/featured_tags", response=list[schemas.FeaturedTag])
def featured_tags(request: HttpRequest) -> list[Any]:
    me = require(request, "read:accounts")
    return [_featured(item) for item in status_queries.featured_tags(me)]


@router.post("/v1/featured_tags", response=schemas.FeaturedTag)
def feature_tag(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:accounts")
    created = status_services.feature_tag(me, as_str(params(request).get("name")))
    for item in status_queries.featured_tags(me):
        if item.featured.pk == created.pk:
            return _featured(item)
    raise NotFound(created.pk)


@router.get("/v1/featured_tags/suggestions", response=list[schemas.Tag])
def featured_tag_suggestions(request: HttpRequest) -> list[Any]:
    """The hashtags the account used most in its recent posts and does not feature yet."""
    me = require(request, "read:accounts")
    return [serializers.tag(tag) for tag in status_queries.featured_tag_suggestions(me)]


@router.delete("/v1/featured_tags/{featured_id}", response=schemas.Empty)
def unfeature_tag(request: HttpRequest, featured_id: str) -> dict[str, Any]:
    me = require(request, "write:accounts")
    number = as_int(featured_id)
    if number is None:
        raise NotFound(featured_id)
    status_services.unfeature_tag(me, number)
    return {}


@router.get("/v1/accounts/{account_id}/featured_tags", response=list[schemas.FeaturedTag])
def account_featured_tags(request: HttpRequest, account_id: str) -> list[Any]:
    viewer(request, "read:accounts")
    target = get_target(request, account_id)
    return [_featured(item) for item in status_queries.featured_tags(target)]
