"""``/api/v1/streaming`` over WebSocket: Mastodon's multiplexed streaming protocol.

One socket carries several streams. The token comes as the ``access_token``
query parameter or as the ``Sec-WebSocket-Protocol`` header (echoed back when
the socket is accepted, as Mastodon does); without a token only the public
streams can be followed. The client sends ``{"type": "subscribe", "stream":
"hashtag", "tag": "biblio"}`` and ``{"type": "unsubscribe", ...}`` messages (a
first stream may also be named in the query: ``?stream=user``) and receives
``{"stream": ["hashtag", "biblio"], "event": "update", "payload": "<json>"}``.
A refused subscription answers ``{"error": "...", "status": 4xx}`` and leaves
the socket open.

Events come from ``babillard.core.streaming`` (in-process, or Redis pub/sub
when it is configured) and are rendered by the same ``Reader`` as the
server-sent event streams, so visibility, mutes and blocks are checked the
same way. The handler is a plain ASGI application mounted beside Django's in
``babillard/asgi.py``; uvicorn speaks the protocol through ``websockets``.
"""

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from oauth2_provider.models import AccessToken

from babillard.accounts.models import Account
from babillard.api import oauth
from babillard.api.base import ApiError, account_for_token, as_str
from babillard.api.streaming import POLL_SECONDS, Reader, Wanted
from babillard.api.v1.timelines import own_list
from babillard.core import streaming
from babillard.core.errors import NotFound

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
T = TypeVar("T")

PATHS = ("/api/v1/streaming", "/api/v1/streaming/")
# The scope each stream needs, as the server-sent event endpoints ask it.
SCOPES = {
    "user": "read:statuses",
    "user:notification": "read:notifications",
    "public": "read:statuses",
    "public:local": "read:statuses",
    "public:remote": "read:statuses",
    "hashtag": "read:statuses",
    "hashtag:local": "read:statuses",
    "list": "read:lists",
    "direct": "read:statuses",
}
PERSONAL = {"user", "user:notification", "list", "direct"}


@dataclass
class Connection:
    """The socket's token, its account (None when anonymous) and its subscriptions."""

    token: AccessToken | None
    reader: Reader

    @property
    def me(self) -> Account | None:
        return self.reader.me


async def _in_thread(function: Callable[..., T], *args: Any) -> T:
    """Run database work off the event loop, dropping connections that went stale."""

    def run() -> T:
        close_old_connections()
        try:
            return function(*args)
        finally:
            close_old_connections()

    return await sync_to_async(run, thread_sensitive=False)()


def _connect(raw_token: str) -> Connection:
    if not raw_token:
        return Connection(None, Reader(None, []))
    token = oauth.token_from_header(raw_token)
    if token is None:
        raise ApiError(401, "The access token is invalid")
    me = account_for_token(token) if token.user is not None else None
    return Connection(token, Reader(me, []))


def _wanted(connection: Connection, request: dict[str, Any]) -> Wanted:
    """The subscription a message asks for, once the token may follow it."""
    name = as_str(request.get("stream"))
    scope = SCOPES.get(name)
    if scope is None:
        raise ApiError(400, "Unknown stream type")
    token, me = connection.token, connection.me
    if token is not None and not oauth.satisfies(set(token.scope.split()), scope):
        raise ApiError(403, "This action is outside the authorized scopes")
    if name in PERSONAL and me is None:
        raise ApiError(401, "Missing access token")
    if name.startswith("hashtag"):
        tag = as_str(request.get("tag")).lstrip("#")
        if not tag:
            raise ApiError(400, "Missing tag name parameter")
        return Wanted(name, tag)
    if name == "list":
        assert me is not None
        try:
            return Wanted(name, str(own_list(me, as_str(request.get("list"))).pk))
        except NotFound:
            raise ApiError(404, "Record not found") from None
    return Wanted(name)


def _change(connection: Connection, request: dict[str, Any]) -> None:
    """Apply one subscribe or unsubscribe message."""
    kind = request.get("type")
    if kind not in ("subscribe", "unsubscribe"):
        raise ApiError(400, "Unknown message type")
    wanted = _wanted(connection, request)
    current = [w for w in connection.reader.subscriptions if w != wanted]
    if kind == "subscribe":
        current.append(wanted)
    # A new list, not an update in place: events are rendered in another thread.
    connection.reader.subscriptions = current


def _parse(raw: str | bytes | None) -> dict[str, Any]:
    try:
        request = json.loads(raw or "")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "Invalid JSON message") from None
    if not isinstance(request, dict):
        raise ApiError(400, "Invalid JSON message")
    return request


async def _refuse_handshake(scope: Scope, send: Send, refusal: ApiError) -> None:
    """Answer the upgrade with a JSON error when the server can, else close (HTTP 403)."""
    if "websocket.http.response" not in scope.get("extensions", {}):
        await send({"type": "websocket.close", "code": 1008})
        return
    body = json.dumps({"error": refusal.message}).encode()
    await send(
        {
            "type": "websocket.http.response.start",
            "status": refusal.status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "websocket.http.response.body", "body": body})


async def _send_json(send: Send, data: dict[str, Any]) -> None:
    await send({"type": "websocket.send", "text": json.dumps(data)})


async def _handle(connection: Connection, request: dict[str, Any], send: Send) -> None:
    try:
        await _in_thread(_change, connection, request)
    except ApiError as refusal:
        await _send_json(send, {"error": refusal.message, "status": refusal.status})


async def _relay(connection: Connection, receive: Receive, send: Send) -> None:
    """Forward events and apply the client's messages until it disconnects."""
    subscription = await _in_thread(streaming.subscribe)
    incoming: asyncio.Future[Message] = asyncio.ensure_future(receive())
    waiting = asyncio.ensure_future(asyncio.to_thread(subscription.get, POLL_SECONDS))
    try:
        while True:
            both: list[asyncio.Future[Any]] = [incoming, waiting]
            done, _pending = await asyncio.wait(both, return_when=asyncio.FIRST_COMPLETED)
            if incoming in done:
                message = incoming.result()
                if message["type"] == "websocket.disconnect":
                    return
                raw = message.get("text") or message.get("bytes")
                try:
                    await _handle(connection, _parse(raw), send)
                except ApiError as refusal:
                    await _send_json(send, {"error": refusal.message, "status": refusal.status})
                incoming = asyncio.ensure_future(receive())
            if waiting in done:
                event = waiting.result()
                if event is not None:
                    rendered = await _in_thread(connection.reader.messages, event)
                    for label, name, payload in rendered:
                        await _send_json(send, {"stream": label, "event": name, "payload": payload})
                waiting = asyncio.ensure_future(asyncio.to_thread(subscription.get, POLL_SECONDS))
    except OSError:
        return  # the client went away while an event was being sent
    finally:
        incoming.cancel()
        # Let the pending read end before closing the subscription it reads from.
        with contextlib.suppress(Exception):
            await waiting
        await asyncio.to_thread(subscription.close)


async def streaming_socket(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI application of one streaming WebSocket."""
    if (await receive())["type"] != "websocket.connect":
        return
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    protocols = list(scope.get("subprotocols") or [])
    raw_token = (query.get("access_token") or [""])[-1] or (protocols[0] if protocols else "")
    try:
        connection = await _in_thread(_connect, raw_token)
    except ApiError as refusal:
        await _refuse_handshake(scope, send, refusal)
        return
    accepted: Message = {"type": "websocket.accept"}
    if protocols and raw_token == protocols[0]:
        accepted["subprotocol"] = raw_token
    await send(accepted)
    if "stream" in query:
        await _handle(
            connection, {"type": "subscribe", **{k: v[-1] for k, v in query.items()}}, send
        )
    await _relay(connection, receive, send)


def with_streaming_socket(application: Callable[..., Awaitable[None]]) -> ASGIApp:
    """``application`` (Django's) with the streaming WebSocket served beside it."""

    async def serve(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await application(scope, receive, send)
            return
        if scope.get("path") in PATHS:
            await streaming_socket(scope, receive, send)
            return
        await receive()
        await send({"type": "websocket.close", "code": 1008})

    return serve
