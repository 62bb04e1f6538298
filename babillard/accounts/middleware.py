from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from babillard.accounts.models import AddressUse
from babillard.accounts.services import note_address
from babillard.core.clients import client_ip


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


class AddressUseMiddleware:
    """Note the address of each logged-in browser session for the moderators.

    Placed after the authentication middleware; API tokens are noted where the API
    reads them (``api.base.token_of``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            note_address(user.pk, client_ip(request), AddressUse.Way.SESSION)
        return response
