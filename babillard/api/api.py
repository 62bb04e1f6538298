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

from babillard.api import parameters
from babillard.api.base import ApiError, validation_message
from babillard.core.errors import Forbidden, NotFound

VERSION = "0.1.0"
MASTODON_VERSION = "4.3.0"


class Renderer(JSONRenderer):
    media_type = "application/json"


class ClientApi(NinjaAPI):
    """An API whose OpenAPI document also lists the query and body parameters
    (``parameters.py``); both the client API and Babillard's own are one."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return parameters.describe(document)


api = ClientApi(
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


def install_error_handlers(target: NinjaAPI) -> None:
    """Answer every error of ``target`` as Mastodon does: ``{"error": "..."}``."""

    def answer(request: HttpRequest, status: int, message: str, **extra: Any) -> HttpResponse:
        return target.create_response(request, {"error": message, **extra}, status=status)

    def api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return answer(request, exc.status, exc.message, **exc.extra)

    def validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return answer(request, 422, "Validation failed: " + validation_message(exc))

    def not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return answer(request, 404, "Record not found")

    def forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        return answer(request, 403, "This action is not allowed")

    def invalid_parameters(request: HttpRequest, exc: Any) -> HttpResponse:
        return answer(request, 400, "Invalid parameters", details=exc.errors)

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return answer(request, exc.status_code, str(exc))

    target.add_exception_handler(ApiError, api_error)
    target.add_exception_handler(ValidationError, validation_error)
    target.add_exception_handler(NotFound, not_found)
    target.add_exception_handler(Http404, not_found)
    target.add_exception_handler(Forbidden, forbidden)
    target.add_exception_handler(NinjaValidationError, invalid_parameters)
    target.add_exception_handler(HttpError, http_error)


install_error_handlers(api)


def _register() -> None:
    from babillard.api.v1 import (
        accounts,
        apps,
        conversations,
        discovery,
        domain_blocks,
        filters,
        instance,
        lists,
        media,
        misc,
        notifications,
        reactions,
        search,
        statuses,
        streaming,
        timelines,
    )

    for module in (
        apps,
        instance,
        accounts,
        domain_blocks,
        statuses,
        media,
        timelines,
        conversations,
        notifications,
        lists,
        filters,
        search,
        discovery,
        misc,
        streaming,
        reactions,
    ):
        api.add_router("", module.router)


_register()
