"""``/api/v2/search``: accounts, hashtags and statuses; local URLs are resolved."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.accounts import queries as account_queries
from babillard.api import schemas, serializers
from babillard.api.base import as_bool, as_int, as_str, params, viewer
from babillard.core.errors import NotFound
from babillard.core.pagination import clamp_limit
from babillard.search import queries as search_queries
from babillard.statuses import queries as status_queries
from babillard.statuses.models import Status

router = Router(tags=["search"])


def _local_status(me: Any, query: str) -> Status | None:
    """A local status named by its web URL or ActivityPub id."""
    parts = urlsplit(query)
    if parts.netloc.lower() != settings.DOMAIN.lower():
        return None
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if not last.isdigit():
        return None
    try:
        return status_queries.get_visible_status(me, last)
    except NotFound:
        return None


@router.get("/v2/search", response=schemas.Search)
def search(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    me = viewer(request, "read:search")
    data = params(request)
    query = as_str(data.get("q")).strip()
    kind = as_str(data.get("type"))
    limit = clamp_limit(data.get("limit"), 20, 40)
    offset = max(as_int(data.get("offset"), 0) or 0, 0)
    if me is None:
        offset = 0
    result: dict[str, list[Any]] = {"accounts": [], "statuses": [], "hashtags": []}
    if not query:
        return result
    if kind in ("", "accounts"):
        found = list(account_queries.search_accounts(query, limit=limit + offset))
        if as_bool(data.get("following")) and me is not None:
            found = [a for a in found if account_queries.is_following(me, a)]
        account_id = as_int(data.get("account_id"))
        result["accounts"] = [serializers.account(a) for a in found[offset : offset + limit]]
        if account_id is not None:
            result["accounts"] = [a for a in result["accounts"] if a["id"] == str(account_id)]
    if kind in ("", "hashtags"):
        tags = list(search_queries.search_tags(query, limit=limit + offset))[offset:]
        result["hashtags"] = [serializers.tag(t) for t in tags]
    if kind in ("", "statuses") and me is not None:
        resolved = _local_status(me, query) if query.startswith("http") else None
        statuses = (
            [resolved]
            if resolved
            else search_queries.search_statuses(me, query, limit=limit, offset=offset)
        )
        account_id = as_int(data.get("account_id"))
        if account_id is not None:
            statuses = [s for s in statuses if s.account_id == account_id]
        result["statuses"] = serializers.statuses(me, statuses)
    return result
