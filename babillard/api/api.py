"""The django-ninja application of the client API: routers, error answers, OpenAPI.

Every answer is JSON, errors included, with Mastodon's status codes:
401 for a missing or unknown token, 403 for a missing scope or a forbidden
action, 404 for what does not exist or may not be seen, 422 for input the
services refused (with their message), 429 past the rate limit.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer

from babillard.api.base import ApiError, validation_message
from babillard.core.errors import Forbidden, NotFound

VERSION = "0.1.0"
MASTODON_VERSION = "4.3.0"


class Renderer(JSONRenderer):
    media_type = "application/json"


api = NinjaAPI(
    title="Babillard client API",
    version=VERSION,
    description=(
        "The Mastodon-compatible client API of Babillard. Paths, parameters, entities, "
        "pagination and errors follow docs.joinmastodon.org; see docs/api.md for coverage."
    ),
    renderer=Renderer(),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url=None,
)


def error_response(request: HttpRequest, status: int, message: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"error": message, **extra}, status=status)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(request, exc.status, exc.message, **exc.extra)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(request, 422, "Validation failed: " + validation_message(exc))


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return error_response(request, 404, "Record not found")


@api.exception_handler(Http404)
def _http404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "Record not found")


@api.exception_handler(Forbidden)
def _forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
    return error_response(request, 403, "This action is not allowed")


@api.exception_handler(NinjaValidationError)
def _ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    return error_response(request, 400, "Invalid parameters", details=exc.errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, str(exc))


def _register() -> None:
    from babillard.api.v1 import (
        accounts,
        apps,
        conversations,
        filters,
        instance,
        lists,
        media,
        misc,
        notifications,
        search,
        statuses,
        streaming,
        timelines,
    )

    for module in (
        apps,
        instance,
        accounts,
        statuses,
        media,
        timelines,
        conversations,
        notifications,
        lists,
        filters,
        search,
        misc,
        streaming,
    ):
        api.add_router("", module.router)


_register()
