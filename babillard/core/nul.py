"""The NUL character (U+0000), refused in every request before it reaches a view.

PostgreSQL cannot store it in text (it raises, which would answer 500) and SQLite
cuts strings at it, and no person types it: one middleware answers 400 to any
request that carries it in its path, query string, headers, form fields, upload
names or JSON body, so that the pages, both APIs and federation never see it.
Uploaded files' contents are binary and not looked at.
"""

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

NUL = "\x00"
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def form_fields(request: HttpRequest) -> QueryDict:
    """The form fields of a request's body, for PUT and PATCH too (Django parses
    form bodies for POST only). The body is parsed once: a multipart stream cannot be
    read twice, and this middleware reads it before the view does."""
    if request.method != "POST" and not getattr(request, "_form_fields_parsed", False):
        method = request.method
        request.method = "POST"
        request._load_post_and_files()  # type: ignore[attr-defined]
        request.method = method
        request._form_fields_parsed = True  # type: ignore[attr-defined]
    return request.POST


def _in_strings(strings: Iterable[str]) -> bool:
    return any(NUL in text for text in strings)


def _in_multivalue(data: MultiValueDict[str, Any]) -> bool:
    return any(NUL in key or _in_strings(str(value) for value in data.getlist(key)) for key in data)


def _in_json(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(NUL in key or _in_json(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_in_json(item) for item in value)
    return False


def _in_body(request: HttpRequest) -> bool:
    content_type = (request.content_type or "").lower()
    if content_type in FORM_TYPES:
        if _in_multivalue(form_fields(request)):
            return True
        files = request.FILES
        return _in_strings(upload.name or "" for key in files for upload in files.getlist(key))
    body = request.body
    if content_type == "application/json":
        if b"\x00" in body:
            return True
        if b"\\u0000" not in body.lower():
            return False
        try:
            return _in_json(json.loads(body))
        except (ValueError, UnicodeDecodeError):
            return False  # not JSON: the view refuses it
    if b"\x00" not in body and b"%00" not in body:
        return False
    try:
        return b"\x00" in body or _in_multivalue(QueryDict(body))
    except (ValueError, UnicodeDecodeError):
        return False


def holds_nul(request: HttpRequest) -> bool:
    """Whether the request carries a NUL character anywhere a view could read text."""
    headers = (str(v) for k, v in request.META.items() if k.startswith("HTTP_"))
    return (
        NUL in request.path
        or _in_multivalue(request.GET)
        or _in_strings(headers)
        or (request.method not in ("GET", "HEAD", "OPTIONS") and _in_body(request))
    )


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(("/api/", "/oauth/token", "/oauth/revoke"))


class RefuseNulMiddleware:
    """Answer 400 to requests holding a NUL character: JSON ``{"error": ...}`` for the
    APIs, the error page for the rest."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not holds_nul(request):
            return self.get_response(request)
        message = _("The request holds a NUL character (U+0000), which no text may contain.")
        if _wants_json(request):
            return JsonResponse({"error": message}, status=400)
        return render(request, "400.html", {"message": message}, status=400)
