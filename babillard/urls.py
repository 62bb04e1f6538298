from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from babillard.core.views import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("health", health, name="health"),
    path("", include("babillard.api.urls")),
    path("", include("babillard.federation.urls")),
    path("", include("babillard.web.urls")),
    path(
        f"{settings.MEDIA_URL.strip('/')}/<path:path>",
        serve,
        {"document_root": settings.MEDIA_ROOT},
    ),
]
