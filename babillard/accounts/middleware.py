from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation


class UserLanguageMiddleware:
    """Speak the language a logged-in user chose; otherwise the browser's (LocaleMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        locale = getattr(user, "locale", "") if user is not None and user.is_authenticated else ""
        if locale:
            translation.activate(locale)
            request.LANGUAGE_CODE = locale
        response = self.get_response(request)
        if locale:
            response.headers.setdefault("Content-Language", locale)
        return response
