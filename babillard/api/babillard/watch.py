"""``/api/babillard/v1/`` paths of watch: antennas (saved filters on every post the
instance receives, with the posts they caught) and outside feeds (sources).

Reads take ``read:statuses``, writes ``write:statuses``, as the other Babillard
endpoints. Everything here belongs to the token's account: another reader's antenna
or feed answers 404.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.api import schemas, serializers
from babillard.api.base import paginate_response, params, require
from babillard.api.v1.timelines import page_args
from babillard.core import links
from babillard.watch import queries, services
from babillard.watch.models import Antenna, Source, SourceItem

router = Router(tags=["watch"])

ERRORS: dict[int, type[schemas.Entity]] = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    422: schemas.Error,
}
READ, WRITE = "read:statuses", "write:statuses"


class AntennaEntity(schemas.Entity):
    id: str
    title: str
    keywords: list[str]
    exclude_keywords: list[str]
    regex: str | None
    account_ids: list[str]
    exclude_account_ids: list[str]
    list_ids: list[str]
    exclude_list_ids: list[str]
    languages: list[str]
    with_media_only: bool
    with_links_only: bool
    exclude_replies: bool
    notify: bool
    email: str
    feed_url: str
    rss_url: str
    created_at: str


class SourceEntity(schemas.Entity):
    id: str
    url: str
    title: str
    site_url: str | None
    kind: str | None
    polled_at: str | None
    last_error: str | None
    items_url: str


class SourceItemEntity(schemas.Entity):
    id: str
    source_id: str
    url: str | None
    title: str
    summary: str
    author: str | None
    published_at: str


def responses(entity: Any, status: int = 200) -> dict[int, Any]:
    return {status: entity, **ERRORS}


def antenna_entity(antenna: Antenna) -> dict[str, Any]:
    return {
        "id": str(antenna.pk),
        "title": antenna.title,
        "keywords": antenna.keywords,
        "exclude_keywords": antenna.exclude_keywords,
        "regex": antenna.regex or None,
        "account_ids": [str(i) for i in antenna.account_ids],
        "exclude_account_ids": [str(i) for i in antenna.exclude_account_ids],
        "list_ids": [str(i) for i in antenna.list_ids],
        "exclude_list_ids": [str(i) for i in antenna.exclude_list_ids],
        "languages": antenna.languages,
        "with_media_only": antenna.with_media_only,
        "with_links_only": antenna.with_links_only,
        "exclude_replies": antenna.exclude_replies,
        "notify": antenna.notify,
        "email": antenna.email,
        "feed_url": links.absolute(f"/antennas/feed/{antenna.feed_token}.atom"),
        "rss_url": links.absolute(f"/antennas/feed/{antenna.feed_token}.rss"),
        "created_at": serializers.iso(antenna.created_at),
    }


def source_entity(source: Source) -> dict[str, Any]:
    return {
        "id": str(source.pk),
        "url": source.url,
        "title": source.title or source.url,
        "site_url": source.site_url or None,
        "kind": source.kind or None,
        "polled_at": serializers.iso(source.polled_at) if source.polled_at else None,
        "last_error": source.last_error or None,
        "items_url": links.absolute(f"/api/babillard/v1/sources/{source.pk}/items"),
    }


def item_entity(item: SourceItem) -> dict[str, Any]:
    return {
        "id": str(item.pk),
        "source_id": str(item.source_id),
        "url": item.url or None,
        "title": item.title,
        "summary": item.summary,
        "author": item.author or None,
        "published_at": serializers.iso(item.published_at),
    }


def _fields(request: HttpRequest) -> dict[str, Any]:
    return {k: v for k, v in params(request).items() if k in services.ANTENNA_FIELDS}


@router.post("/antennas", response=responses(AntennaEntity))
def create_antenna(request: HttpRequest) -> dict[str, Any]:
    """A new antenna; the worker fills it back with the last 30 days of posts."""
    me = require(request, WRITE)
    return antenna_entity(services.create_antenna(me, **_fields(request)))


@router.get("/antennas", response=responses(list[AntennaEntity]))
def list_antennas(request: HttpRequest) -> list[dict[str, Any]]:
    me = require(request, READ)
    return [antenna_entity(a) for a in queries.antennas(me)]


@router.get("/antennas/{antenna_id}", response=responses(AntennaEntity))
def get_antenna(request: HttpRequest, antenna_id: str) -> dict[str, Any]:
    me = require(request, READ)
    return antenna_entity(queries.get_antenna(me, antenna_id))


@router.patch("/antennas/{antenna_id}", response=responses(AntennaEntity))
def update_antenna(request: HttpRequest, antenna_id: str) -> dict[str, Any]:
    """Change some rules; fields left out stay as they were."""
    me = require(request, WRITE)
    antenna = queries.get_antenna(me, antenna_id)
    return antenna_entity(services.update_antenna(me, antenna, **_fields(request)))


@router.delete("/antennas/{antenna_id}", response=responses(schemas.Empty))
def delete_antenna(request: HttpRequest, antenna_id: str) -> dict[str, Any]:
    me = require(request, WRITE)
    services.delete_antenna(me, queries.get_antenna(me, antenna_id))
    return {}


@router.get("/antennas/{antenna_id}/statuses", response=responses(list[schemas.Status]))
def antenna_statuses(request: HttpRequest, response: HttpResponse, antenna_id: str) -> list[Any]:
    """The posts the antenna caught (outside items are left out), newest first,
    paginated with ``max_id``/``since_id``/``min_id`` and ``Link`` headers."""
    me = require(request, READ)
    antenna = queries.get_antenna(me, antenna_id)
    page = queries.antenna_statuses(me, antenna, **page_args(request))
    return paginate_response(request, response, page, serializers.statuses(me, page.items))


@router.post("/sources", response=responses(SourceEntity))
def follow_source(request: HttpRequest) -> dict[str, Any]:
    """Follow an outside RSS, Atom or JSON feed; the worker fetches it."""
    me = require(request, WRITE)
    source = services.follow_source(me, str(params(request).get("url") or ""))
    source.refresh_from_db()
    return source_entity(source)


@router.get("/sources", response=responses(list[SourceEntity]))
def list_sources(request: HttpRequest) -> list[dict[str, Any]]:
    me = require(request, READ)
    return [source_entity(s) for s in queries.sources(me)]


@router.get("/sources/{source_id}", response=responses(SourceEntity))
def get_source(request: HttpRequest, source_id: str) -> dict[str, Any]:
    me = require(request, READ)
    return source_entity(queries.get_source(me, source_id))


@router.delete("/sources/{source_id}", response=responses(schemas.Empty))
def unfollow_source(request: HttpRequest, source_id: str) -> dict[str, Any]:
    me = require(request, WRITE)
    services.unfollow_source(me, queries.get_source(me, source_id))
    return {}


@router.get("/sources/{source_id}/items", response=responses(list[SourceItemEntity]))
def source_items(request: HttpRequest, response: HttpResponse, source_id: str) -> list[Any]:
    """The feed's items, newest first, paginated like the timelines."""
    me = require(request, READ)
    source = queries.get_source(me, source_id)
    page = queries.source_items(me, source, **page_args(request))
    return paginate_response(request, response, page, [item_entity(i) for i in page.items])
