"""What every endpoint of the client API shares: the request body in any encoding,
the token and its scopes, errors as Mastodon words them, and Link-header pagination.

Real clients send form, multipart or JSON bodies to the same endpoint, arrays as
``key[]`` and booleans as ``"1"``/``"0"`` or ``true``/``false``: ``params``
turns all of them into one nested dictionary, and ``as_bool``/``as_list`` read it.
"""

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.datastructures import MultiValueDict
from oauth2_provider.models import AccessToken

from babillard.accounts import services as account_services
from babillard.accounts.models import Account, AddressUse, User
from babillard.api import oauth
from babillard.core import links
from babillard.core.clients import client_ip
from babillard.core.nul import FORM_TYPES, form_fields
from babillard.core.pagination import Page
from babillard.security.queries import is_missing as two_factor_missing

TRUE = {"1", "true", "on", "yes", "t"}
_KEY_RE = re.compile(r"\[([^\]]*)\]")


class ApiError(Exception):
    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def _split_key(key: str) -> list[str]:
    head, _bracket, rest = key.partition("[")
    if not _bracket:
        return [key]
    return [head, *_KEY_RE.findall("[" + rest)]


def _assign(target: dict[str, Any], parts: list[str], values: list[Any]) -> None:
    node: Any = target
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if last:
            if part == "":
                return
            node[part] = values[-1] if len(values) == 1 else values
            return
        if parts[index + 1] == "" and index + 1 == len(parts) - 1:
            existing = node.get(part)
            if not isinstance(existing, list):
                existing = []
            existing.extend(values)
            node[part] = existing
            return
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = child


def _listify(value: Any) -> Any:
    """``{"0": {...}, "1": {...}}`` (Rails' indexed arrays) becomes a list."""
    if isinstance(value, dict):
        value = {k: _listify(v) for k, v in value.items()}
        if value and all(k.isdigit() for k in value):
            return [value[k] for k in sorted(value, key=int)]
    return value


def _from_multivalue(data: MultiValueDict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key in data:
        _assign(result, _split_key(key), data.getlist(key))
    return {k: _listify(v) for k, v in result.items()}


def _body(request: HttpRequest) -> tuple[dict[str, Any], MultiValueDict[str, Any]]:
    content_type = (request.content_type or "").lower()
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return {}, MultiValueDict()
    if content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise ApiError(400, "The request body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise ApiError(400, "The request body must be a JSON object.")
        return data, MultiValueDict()
    if content_type in FORM_TYPES:
        return _from_multivalue(form_fields(request)), request.FILES
    if request.body:
        try:
            return _from_multivalue(QueryDict(request.body)), MultiValueDict()
        except (ValueError, UnicodeDecodeError):
            return {}, MultiValueDict()
    return {}, MultiValueDict()


def params(request: HttpRequest) -> dict[str, Any]:
    """The query string and the body merged (the body wins), nested and with arrays."""
    cached = getattr(request, "_api_params", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    merged = _from_multivalue(request.GET)
    body, files = _body(request)
    merged.update(body)
    for key in files:
        merged[key.removesuffix("[]")] = files[key]
    request._api_params = merged  # type: ignore[attr-defined]
    return merged


def as_bool(value: Any, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip().lower() in TRUE


def as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return [value]


def as_str(value: Any, default: str = "") -> str:
    if value is None:
        return default
    if isinstance(value, list):
        return str(value[-1]) if value else default
    return str(value)


def as_int(value: Any, default: int | None = None) -> int | None:
    try:
        return int(as_str(value))
    except (TypeError, ValueError):
        return default


# Tokens and scopes.


def token_of(request: HttpRequest) -> AccessToken | None:
    """The request's valid token; a token that is present but unknown answers 401."""
    if hasattr(request, "_api_token"):
        return request._api_token  # type: ignore[no-any-return]
    header = request.headers.get("Authorization", "")
    raw = ""
    if header[:7].lower() == "bearer ":
        raw = header[7:].strip()
    elif "access_token" in request.GET:
        raw = request.GET["access_token"]
    token = None
    if raw:
        token = oauth.token_from_header(raw)
        if token is None:
            raise ApiError(401, "The access token is invalid")
        if token.user_id:
            account_services.note_address(token.user_id, client_ip(request), AddressUse.Way.TOKEN)
    request._api_token = token  # type: ignore[attr-defined]
    return token


def _check_scope(token: AccessToken, scope: str | None) -> None:
    if scope and not oauth.satisfies(set(token.scope.split()), scope):
        raise ApiError(403, "This action is outside the authorized scopes")


def require(request: HttpRequest, scope: str | None = None) -> Account:
    """The account acting through a user token with ``scope``; 401, 403 or 422 otherwise."""
    token = token_of(request)
    if token is None:
        raise ApiError(401, "The access token is invalid")
    return account_for_token(token, scope)


def account_for_token(token: AccessToken, scope: str | None = None) -> Account:
    """The account acting through ``token`` with ``scope``; 403 or 422 otherwise."""
    _check_scope(token, scope)
    user: User | None = token.user  # type: ignore[assignment]
    if user is None:
        raise ApiError(422, "This method requires an authenticated user")
    if not user.is_active or not user.approved:
        raise ApiError(403, "Your login is currently disabled")
    if not user.email_confirmed:
        raise ApiError(403, "Your login is missing a confirmed e-mail address")
    account = user.account
    if account.is_suspended:
        raise ApiError(403, "Your login is currently disabled")
    if two_factor_missing(user):
        raise ApiError(
            403,
            "This instance requires two-factor authentication of moderators and "
            "administrators: turn it on in the web settings first",
        )
    grant = acting_grant(token)
    return grant.institution if grant is not None else account


def acting_grant(token: AccessToken) -> Any:
    """The ``ActingGrant`` of a token that acts as an institution, or ``None``.

    Such a token belongs to the editor and acts as the institution; once its grant
    is revoked (or the editor loses the role) it is refused rather than falling
    back to the editor's own account.
    """
    if hasattr(token, "_acting_grant"):
        return token._acting_grant
    from babillard.institutions.queries import grant_acts, grant_carried_by

    grant = grant_carried_by(token.pk) if token.user_id else None
    if grant is not None and not grant_acts(grant):
        raise ApiError(401, "The access token is invalid")
    token._acting_grant = grant  # type: ignore[attr-defined]
    return grant


def require_token(request: HttpRequest, scope: str | None = None) -> AccessToken:
    """A token of any kind (an application's own token too)."""
    token = token_of(request)
    if token is None:
        raise ApiError(401, "The access token is invalid")
    _check_scope(token, scope)
    return token


def viewer(request: HttpRequest, scope: str | None = None) -> Account | None:
    """The acting account when a user token is sent, or None for public reads."""
    token = token_of(request)
    if token is None or token.user is None:
        return None
    return require(request, scope)


def validation_message(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


# Pagination.


def link_header(
    request: HttpRequest,
    *,
    next_max: Any = None,
    prev_min: Any = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """Absolute ``Link`` URLs, keeping the request's other filters (types[], only_media...)."""
    kept = [
        (key, value)
        for key in request.GET
        for value in request.GET.getlist(key)
        if key not in ("max_id", "since_id", "min_id", "access_token", "offset")
    ]
    base = links.absolute(request.path)
    parts = []
    if next_max is not None:
        query = urlencode([*kept, ("max_id", str(next_max)), *(extra or {}).items()])
        parts.append(f'<{base}?{query}>; rel="next"')
    if prev_min is not None:
        query = urlencode([*kept, ("min_id", str(prev_min))])
        parts.append(f'<{base}?{query}>; rel="prev"')
    return ", ".join(parts)


def paginate_response(
    request: HttpRequest, response: HttpResponse, page: Page[Any], rendered: list[Any]
) -> list[Any]:
    """Set the Link header of a page (none for an empty page) and return its items."""
    if page.items and page.oldest_key is not None:
        header = link_header(request, next_max=page.oldest_key, prev_min=page.newest_key)
        response["Link"] = header
    return rendered


def offset_response(
    request: HttpRequest, response: HttpResponse, items: list[Any], offset: int, limit: int
) -> list[Any]:
    """Pagination for lists without ids to page on (search, suggestions)."""
    if len(items) == limit:
        kept = [
            (key, value)
            for key in request.GET
            for value in request.GET.getlist(key)
            if key not in ("offset", "access_token")
        ]
        query = urlencode([*kept, ("offset", str(offset + limit))])
        response["Link"] = f'<{links.absolute(request.path)}?{query}>; rel="next"'
    return items


def by_ids(values: Iterable[Any]) -> list[int]:
    result = []
    for value in values:
        number = as_int(value)
        if number is not None:
            result.append(number)
    return result


Handler = Callable[..., Any]
