"""Per-account rate limits on every request, and the page shown to whoever is over one."""

from collections.abc import Callable
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from babillard.core import ratelimits


def too_many(request: HttpRequest, limited: ratelimits.RateLimited) -> HttpResponse:
    """A 429 page saying what was limited and when to try again."""
    response = render(
        request,
        "web/too_many.html",
        {
            "message": limited.message,
            "retry_at": datetime.fromtimestamp(limited.usage.reset, tz=UTC),
        },
        status=429,
    )
    response.headers["Retry-After"] = str(limited.usage.retry_after())
    return response


class RateLimitMiddleware:
    """Meter each request, so that the services count what the person does in it.

    The API's front door opens its own meter and answers JSON; a web view over a
    limit gets the 429 page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with ratelimits.metered():
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ratelimits.RateLimited):
            return too_many(request, exception)
        return None
