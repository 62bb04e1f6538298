"""URLs of the client API, OAuth and streaming.

The ninja routes are wrapped once here, so that every API answer gets CORS
headers (with ``Link`` exposed, which browser clients need to page), the
``X-RateLimit-*`` headers, and a twin route with a trailing slash; unknown
``/api/`` paths answer JSON, never an HTML page.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from ninja import NinjaAPI

from babillard.api import oauth_views
from babillard.api.api import api
from babillard.api.babillard import babillard_api
from babillard.core import ratelimits

RATE_WINDOW = 300
logger = logging.getLogger(__name__)
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, PUT, PATCH, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": (
        "Authorization, Content-Type, Idempotency-Key, Accept, Accept-Language"
    ),
    "Access-Control-Expose-Headers": (
        "Link, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Idempotency-Key"
    ),
    "Access-Control-Max-Age": "86400",
}


def rate_limit() -> int:
    return int(getattr(settings, "API_RATE_LIMIT", 300))


def _client_key(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        import hashlib

        return "t:" + hashlib.sha256(header[7:].strip().encode()).hexdigest()
    return "ip:" + str(request.META.get("REMOTE_ADDR", ""))


def _count(request: HttpRequest) -> ratelimits.Usage:
    """The request limit of this token (or address) after counting this request."""
    return ratelimits.count("api", _client_key(request), rate_limit(), RATE_WINDOW)


def with_cors(response: HttpResponseBase) -> HttpResponseBase:
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


def _iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(epoch))


def _answer(
    view: Callable[..., HttpResponseBase], request: HttpRequest, *args: Any, **kwargs: Any
) -> HttpResponseBase:
    try:
        return view(request, *args, **kwargs)
    except ratelimits.RateLimited as limited:
        return JsonResponse({"error": limited.message}, status=429)
    except Exception:
        # Clients cannot read Django's HTML error page: answer JSON, keep the trace.
        logger.exception("Error in %s %s", request.method, request.path)
        return JsonResponse({"error": "Internal server error"}, status=500)


def front_door(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "OPTIONS":
            return with_cors(HttpResponse("{}", content_type="application/json"))
        usage = _count(request)
        response: HttpResponseBase
        if usage.exceeded:
            response = JsonResponse({"error": "Too many requests"}, status=429)
        else:
            with ratelimits.metered() as meter:
                response = _answer(view, request, *args, **kwargs)
            # The headers tell the limit closest to running out (Mastodon's rule).
            if meter.strictest is not None and meter.strictest.is_stricter_than(usage):
                usage = meter.strictest
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            response = JsonResponse({"error": "Method not allowed"}, status=405)
            if allowed:
                response["Allow"] = allowed
        response["X-RateLimit-Limit"] = str(usage.limit)
        response["X-RateLimit-Remaining"] = str(max(usage.remaining, 0))
        response["X-RateLimit-Reset"] = _iso(usage.reset)
        if usage.exceeded:
            response["Retry-After"] = str(usage.retry_after())
        return with_cors(response)

    wrapped.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapped


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return JsonResponse({"error": "Record not found"}, status=404)


def _api_patterns(target: NinjaAPI) -> list[URLPattern | URLResolver]:
    """``target``'s routes behind the front door, each with its trailing-slash twin."""
    patterns: list[URLPattern | URLResolver] = []
    ninja_patterns, _app, _namespace = target.urls
    seen: set[str] = set()
    for pattern in ninja_patterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        if route in seen:
            continue
        seen.add(route)
        if pattern.name == "api-root":
            patterns.append(path(route, front_door(not_found), name="api-root"))
            continue
        view = front_door(pattern.callback)
        patterns.append(path(route, view, name=pattern.name))
        if route and not route.endswith("/"):
            patterns.append(path(route + "/", view))
    patterns.append(re_path(r"^(?P<rest>.*)$", front_door(not_found)))
    return patterns


urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "api/babillard/v1/",
        include((_api_patterns(babillard_api), "babillard_ninja"), namespace="babillard_api"),
    ),
    path("api/", include((_api_patterns(api), "ninja"), namespace="api")),
    path("oauth/authorize", oauth_views.authorize, name="oauth-authorize"),
    path("oauth/authorize/", oauth_views.authorize),
    path("oauth/token", front_door(oauth_views.token), name="oauth-token"),
    path("oauth/token/", front_door(oauth_views.token)),
    path("oauth/revoke", front_door(oauth_views.revoke), name="oauth-revoke"),
    path("oauth/revoke/", front_door(oauth_views.revoke)),
    path(
        ".well-known/oauth-authorization-server",
        front_door(oauth_views.server_metadata),
        name="oauth-metadata",
    ),
    path("settings/applications", oauth_views.applications, name="oauth-applications"),
    path("settings/applications/", oauth_views.applications),
]
