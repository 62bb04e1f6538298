"""The web pages alone, so that these tests do not depend on the other front doors."""

from django.conf import settings
from django.urls import include, path
from django.views.static import serve

urlpatterns = [
    path("", include("babillard.web.urls")),
    path(
        f"{settings.MEDIA_URL.strip('/')}/<path:path>",
        serve,
        {"document_root": settings.MEDIA_ROOT},
    ),
]
