"""Only federation's routes, so that its tests do not depend on the other front doors."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponse("not found", status=404)


handler404 = not_found
urlpatterns = [path("", include("babillard.federation.urls"))]
