"""``/api/v2/search``: accounts, hashtags and statuses; local URLs are resolved."""

import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.accounts import queries as account_queries
from babillard.accounts.models import Account
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


HANDLE_RE = re.compile(r"^@?[\w.-]+@[\w.-]+(:\d+)?$")


def _resolve(query: str) -> tuple[Account | None, Status | None]:
    """Fetch a remote account (``user@domain``) or post (its URL) through federation."""
    from babillard.federation import remote
    from babillard.federation.client import FetchError

    try:
        if HANDLE_RE.match(query):
            return remote.webfinger(query), None
        if query.startswith(("https://", "http://")) and not remote.is_local_uri(query):
            try:
                found = remote.fetch_note(query)
            except remote.InvalidDocument:
                # Not a post: perhaps an event (Mobilizon, Gancio, Babillard).
                from babillard.events.federation import fetch_event

                event = fetch_event(query)
                found = event.announcement if event is not None else None
            if found is not None:
                return None, found
            return remote.resolve_actor(query), None
    except (remote.InvalidDocument, FetchError, ValidationError, NotFound):
        # A remote server that fails or answers nonsense: nothing found, as Mastodon says.
        return None, None
    return None, None


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
    resolved_account, resolved_status = (
        _resolve(query) if me is not None and as_bool(data.get("resolve")) else (None, None)
    )
    if kind in ("", "accounts"):
        found = list(account_queries.search_accounts(query, limit=limit + offset))
        if resolved_account is not None and resolved_account not in found:
            found.insert(0, resolved_account)
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
        if resolved is None and resolved_status is not None:
            try:
                resolved = status_queries.get_visible_status(me, resolved_status.pk)
            except NotFound:
                resolved = None
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
