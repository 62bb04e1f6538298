"""Views that belong to no domain."""

from django.http import HttpRequest, HttpResponse


def health(request: HttpRequest) -> HttpResponse:
    """A trivial answer through the whole middleware stack, for load balancers and benchmarks."""
    return HttpResponse("ok", content_type="text/plain")
