from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from babillard.accounts.models import User
from babillard.security import queries


class RequireTwoFactorMiddleware:
    """With ``BABILLARD_REQUIRE_2FA_FOR_STAFF``, send a logged-in moderator or
    administrator without 2FA to its setup page, whatever page they ask for.

    The API answers such tokens itself (``api.base.account_for_token``); the log-out,
    static files and images stay reachable."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_2FA_FOR_STAFF
            and isinstance(user, User)
            and not request.path.startswith(self._open_paths())
            and queries.is_missing(user)
        ):
            return HttpResponseRedirect(reverse("web:settings_two_factor"))
        return self.get_response(request)

    @staticmethod
    def _open_paths() -> tuple[str, ...]:
        return (
            reverse("web:settings_two_factor"),
            reverse("web:logout"),
            settings.STATIC_URL or "/static/",
            settings.MEDIA_URL or "/media/",
            "/api/",
        )
