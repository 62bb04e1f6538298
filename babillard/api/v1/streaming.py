"""``/api/v1/streaming/*``: server-sent events of the user, public, hashtag, list and direct streams.

Mastodon.py reads these event streams; the WebSocket endpoint ``/api/v1/streaming``
that most apps use is served beside Django by ``babillard/api/websocket.py``.
"""

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from ninja import Router

from babillard.accounts.models import Account
from babillard.api.base import ApiError, as_str, params, require, token_of, viewer
from babillard.api.streaming import Reader, Wanted, event_stream
from babillard.api.v1.timelines import own_list

router = Router(tags=["streaming"])


def _session_account(request: HttpRequest) -> Account | None:
    """The web pages' live updates read these streams with the log-in session.

    Only these read-only GET streams accept a session (no token given); CORS
    answers ``*`` without credentials, so other sites cannot read them.
    """
    if token_of(request) is not None or not request.user.is_authenticated:
        return None
    user = request.user
    account = getattr(user, "account_record", None)
    if account is None or account.is_suspended or not getattr(user, "email_confirmed", False):
        return None
    return account  # type: ignore[no-any-return]


def _require(request: HttpRequest, scope: str) -> Account:
    return _session_account(request) or require(request, scope)


def _viewer(request: HttpRequest, scope: str) -> Account | None:
    return _session_account(request) or viewer(request, scope)


@router.get("/v1/streaming/health")
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("OK", content_type="text/plain")


@router.get("/v1/streaming/user")
def user(request: HttpRequest) -> StreamingHttpResponse:
    me = _require(request, "read:statuses")
    return event_stream(request, Reader(me, [Wanted("user")]))


@router.get("/v1/streaming/user/notification")
def user_notification(request: HttpRequest) -> StreamingHttpResponse:
    me = _require(request, "read:notifications")
    return event_stream(request, Reader(me, [Wanted("user:notification")]))


@router.get("/v1/streaming/public")
def public(request: HttpRequest) -> StreamingHttpResponse:
    me = _viewer(request, "read:statuses")
    return event_stream(request, Reader(me, [Wanted("public")]))


@router.get("/v1/streaming/public/local")
def public_local(request: HttpRequest) -> StreamingHttpResponse:
    me = _viewer(request, "read:statuses")
    return event_stream(request, Reader(me, [Wanted("public:local")]))


@router.get("/v1/streaming/public/remote")
def public_remote(request: HttpRequest) -> StreamingHttpResponse:
    me = _viewer(request, "read:statuses")
    return event_stream(request, Reader(me, [Wanted("public:remote")]))


def _tag(request: HttpRequest) -> str:
    tag = as_str(params(request).get("tag")).lstrip("#")
    if not tag:
        raise ApiError(400, "Missing tag name parameter")
    return tag


@router.get("/v1/streaming/hashtag")
def hashtag(request: HttpRequest) -> StreamingHttpResponse:
    me = _viewer(request, "read:statuses")
    return event_stream(request, Reader(me, [Wanted("hashtag", _tag(request))]))


@router.get("/v1/streaming/hashtag/local")
def hashtag_local(request: HttpRequest) -> StreamingHttpResponse:
    me = _viewer(request, "read:statuses")
    return event_stream(request, Reader(me, [Wanted("hashtag:local", _tag(request))]))


@router.get("/v1/streaming/list")
def list_stream(request: HttpRequest) -> StreamingHttpResponse:
    me = _require(request, "read:lists")
    timeline = own_list(me, as_str(params(request).get("list")))
    return event_stream(request, Reader(me, [Wanted("list", str(timeline.pk))]))


@router.get("/v1/streaming/direct")
def direct(request: HttpRequest) -> StreamingHttpResponse:
    me = _require(request, "read:statuses")
    return event_stream(request, Reader(me, [Wanted("direct")]))
