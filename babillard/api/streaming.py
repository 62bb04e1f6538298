"""Server-sent event streams of the client API, fed by ``babillard.core.streaming``.

A stream is a list of subscriptions (``user``, ``public:local``, ``hashtag``
with its tag...). Each event from the services carries an id; it is rendered
for this stream's viewer after checking again that the viewer may see it, and
muted or blocked accounts are left out, as in the timelines.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections
from django.http import HttpRequest, StreamingHttpResponse

from babillard.accounts.models import Account
from babillard.accounts.queries import hidden_account_ids
from babillard.api import serializers
from babillard.core import streaming
from babillard.core.errors import NotFound
from babillard.notifications.queries import notifications_for
from babillard.statuses.queries import get_visible_status

HEARTBEAT_SECONDS = 15.0
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Wanted:
    """One subscription: the stream's name and its parameter, as the client gave them."""

    name: str
    param: str | None = None

    def label(self) -> list[str]:
        return [self.name, self.param] if self.param is not None else [self.name]


def _matches(wanted: Wanted, event: streaming.Event, me: Account | None, local: bool) -> bool:
    stream, kind = event.stream, event.event
    if stream == "*":
        return True
    if kind == "notification":
        return (
            me is not None
            and stream == f"user:{me.pk}"
            and wanted.name
            in (
                "user",
                "user:notification",
            )
        )
    if wanted.name == "user":
        return me is not None and stream == f"user:{me.pk}"
    if wanted.name == "public":
        return stream == "public"
    if wanted.name == "public:local":
        return stream == "public:local"
    if wanted.name == "public:remote":
        return stream == "public" and not local
    if wanted.name == "hashtag":
        return stream == f"hashtag:{(wanted.param or '').casefold()}"
    if wanted.name == "hashtag:local":
        return stream == f"hashtag:local:{(wanted.param or '').casefold()}"
    if wanted.name == "list":
        return stream == f"list:{wanted.param}"
    if wanted.name == "direct":
        return me is not None and stream == f"direct:{me.pk}"
    return False


class Reader:
    """Turns service events into Mastodon streaming messages for one viewer."""

    def __init__(self, me: Account | None, subscriptions: list[Wanted]) -> None:
        self.me = me
        self.subscriptions = list(subscriptions)

    def messages(self, event: streaming.Event) -> list[tuple[list[str], str, str]]:
        """(stream label, event name, payload) for each subscription this event is for."""
        if not self.subscriptions:
            return []
        if event.event == "delete":
            return [(w.label(), "delete", event.payload) for w in self.subscriptions]
        payload, local = self._render(event)
        if payload is None:
            return []
        name = "conversation" if event.stream.startswith("direct:") else event.event
        return [
            (w.label(), name, payload)
            for w in self.subscriptions
            if _matches(w, event, self.me, local)
        ]

    def _render(self, event: streaming.Event) -> tuple[str | None, bool]:
        try:
            if event.event == "notification":
                if self.me is None:
                    return None, False
                found = notifications_for(self.me).filter(pk=int(event.payload)).first()
                if found is None:
                    return None, False
                return json.dumps(serializers.notification(found, self.me)), True
            status = get_visible_status(self.me, event.payload)
        except (NotFound, ValueError):
            return None, False
        if self.me is not None:
            hidden = hidden_account_ids(self.me)
            original = status.reblog or status
            if status.account_id in hidden or original.account_id in hidden:
                return None, False
        rendered = serializers.status(self.me, status)
        if event.stream.startswith("direct:"):
            rendered = {
                "id": str(status.thread_root_id or status.pk),
                "unread": True,
                "accounts": [serializers.account(status.account)],
                "last_status": rendered,
            }
        return json.dumps(rendered), status.local


def _messages_in_stream(reader: Reader, event: streaming.Event) -> list[tuple[list[str], str, str]]:
    """Render outside any request: drop database connections that went stale meanwhile."""
    close_old_connections()
    try:
        return reader.messages(event)
    finally:
        close_old_connections()


def sse(label: list[str], event: str, payload: str, with_stream: bool) -> str:
    del label, with_stream
    lines = "".join(f"data: {line}\n" for line in payload.split("\n"))
    return f"event: {event}\n{lines}\n"


def _sync_events(reader: Reader) -> Iterator[str]:
    subscription = streaming.subscribe()
    waited = 0.0
    try:
        yield ":)\n\n"
        while True:
            event = subscription.get(timeout=POLL_SECONDS)
            if event is None:
                waited += POLL_SECONDS
                if waited >= HEARTBEAT_SECONDS:
                    waited = 0.0
                    yield ":thump\n\n"
                continue
            for label, name, payload in _messages_in_stream(reader, event):
                yield sse(label, name, payload, False)
    finally:
        subscription.close()


async def _async_events(reader: Reader) -> AsyncIterator[str]:
    subscription = await sync_to_async(streaming.subscribe, thread_sensitive=False)()
    waited = 0.0
    try:
        yield ":)\n\n"
        while True:
            event = await asyncio.to_thread(subscription.get, POLL_SECONDS)
            if event is None:
                waited += POLL_SECONDS
                if waited >= HEARTBEAT_SECONDS:
                    waited = 0.0
                    yield ":thump\n\n"
                continue
            messages = await sync_to_async(_messages_in_stream, thread_sensitive=False)(
                reader, event
            )
            for label, name, payload in messages:
                yield sse(label, name, payload, False)
    finally:
        await asyncio.to_thread(subscription.close)


def event_stream(request: HttpRequest, reader: Reader) -> StreamingHttpResponse:
    """An SSE response; an async iterator under ASGI, a generator under WSGI."""
    content = _async_events(reader) if isinstance(request, ASGIRequest) else _sync_events(reader)
    response = StreamingHttpResponse(content, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
