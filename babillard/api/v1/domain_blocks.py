"""``/api/v1/domain_blocks``: the servers a person hides (Mastodon's per-user domain blocks)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.api.base import as_str, paginate_response, params, require
from babillard.core.pagination import clamp_limit, paginate
from babillard.moderation import queries as moderation_queries
from babillard.moderation import services as moderation

router = Router(tags=["domain_blocks"])


@router.get("/v1/domain_blocks", response=list[str])
def domain_blocks(request: HttpRequest, response: HttpResponse) -> list[Any]:
    """The hidden domains, newest first, paged by ``max_id``/``since_id``/``min_id`` (Link header)."""
    me = require(request, "read:blocks")
    data = params(request)
    page = paginate(
        moderation_queries.domains_blocked_by(me),
        max_id=data.get("max_id"),
        since_id=data.get("since_id"),
        min_id=data.get("min_id"),
        limit=clamp_limit(data.get("limit"), 100, 200),
    )
    return paginate_response(request, response, page, [row.domain for row in page.items])


@router.post("/v1/domain_blocks")
def hide_domain(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:blocks")
    moderation.hide_domain(me, as_str(params(request).get("domain")))
    return {}


@router.delete("/v1/domain_blocks")
def unhide_domain(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:blocks")
    moderation.unhide_domain(me, as_str(params(request).get("domain")))
    return {}
