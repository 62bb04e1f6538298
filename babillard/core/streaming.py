"""Streaming events: the services publish them, live readers (API streams, web pages) consume them.

An event names a stream (``user:<account id>``, ``public``, ``public:local``,
``hashtag:<name>``, ``hashtag:local:<name>``, ``list:<list id>``,
``direct:<account id>``, or ``*`` for every reader), a kind (``update``,
``notification``, ``delete``, ``status.update``) and the id of the object. It
carries ids, not rendered JSON: each reader renders the object for its own
viewer, checking visibility again, so nothing leaks through a stream.

Events are sent after the surrounding transaction commits (a reader must be
able to load the row). With ``BABILLARD_REDIS_URL`` they travel through Redis
pub/sub and reach readers in every process; otherwise through an in-process
broadcast, which is enough for the one-process set-up.
"""

import contextlib
import json
import queue
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction


def _channel() -> str:
    """The Redis channel of this instance's events. Redis channels are shared by every
    database of a server, so the name carries the instance's cache prefix: two instances
    (or two test runs) on one Redis never hear each other."""
    return f"{settings.CACHE_PREFIX}:streaming"


@dataclass(frozen=True)
class Event:
    stream: str
    event: str
    payload: str

    def to_json(self) -> str:
        return json.dumps({"stream": self.stream, "event": self.event, "payload": self.payload})

    @classmethod
    def from_json(cls, raw: str | bytes) -> "Event":
        data = json.loads(raw)
        return cls(str(data["stream"]), str(data["event"]), str(data["payload"]))


class Subscription(Protocol):
    def get(self, timeout: float) -> Event | None: ...

    def close(self) -> None: ...


class _LocalSubscription:
    def __init__(self, hub: "_LocalHub") -> None:
        self.queue: queue.Queue[Event] = queue.Queue(maxsize=1000)
        self.hub = hub

    def get(self, timeout: float) -> Event | None:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.hub.remove(self)


class _LocalHub:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.subscribers: set[_LocalSubscription] = set()

    def subscribe(self) -> _LocalSubscription:
        subscription = _LocalSubscription(self)
        with self.lock:
            self.subscribers.add(subscription)
        return subscription

    def remove(self, subscription: _LocalSubscription) -> None:
        with self.lock:
            self.subscribers.discard(subscription)

    def send(self, event: Event) -> None:
        with self.lock:
            targets = list(self.subscribers)
        for subscription in targets:
            try:
                subscription.queue.put_nowait(event)
            except queue.Full:
                # A reader that stopped reading loses events rather than stalling writers.
                continue


class _RedisSubscription:
    def __init__(self, client: Any) -> None:
        self.pubsub = client.pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(_channel())

    def get(self, timeout: float) -> Event | None:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            # Subscription confirmations come back as None: keep waiting for a message.
            message = self.pubsub.get_message(timeout=left)
            if not message or message.get("type") != "message":
                continue
            try:
                return Event.from_json(message["data"])
            except (ValueError, KeyError, TypeError):
                continue

    def close(self) -> None:
        # Closing a connection the server already dropped may fail; nothing is left to do.
        with contextlib.suppress(Exception):
            self.pubsub.close()


_hub = _LocalHub()
_redis_client: list[Any] = []


def _redis() -> Any:
    if not _redis_client:
        import redis

        _redis_client.append(redis.Redis.from_url(settings.REDIS_URL))
    return _redis_client[0]


def _send(events: list[Event]) -> None:
    """Send events in order: through one Redis pipeline (one round trip), or in-process."""
    if getattr(settings, "REDIS_URL", ""):
        pipeline = _redis().pipeline(transaction=False)
        channel = _channel()
        for event in events:
            pipeline.publish(channel, event.to_json())
        pipeline.execute()
    else:
        for event in events:
            _hub.send(event)


def publish(stream: str, event: str, payload: object) -> None:
    """Publish an event once the current transaction commits (at once outside one)."""
    publish_many([(stream, event, payload)])


def publish_many(events: Iterable[tuple[str, str, object]]) -> None:
    """Publish several events after commit at the cost of one (a post to 10,000 feeds)."""
    messages = [Event(stream, event, str(payload)) for stream, event, payload in events]
    if messages:
        transaction.on_commit(lambda: _send(messages))


def subscribe() -> Subscription:
    """Receive every event from now on; the reader keeps those of its streams."""
    if getattr(settings, "REDIS_URL", ""):
        return _RedisSubscription(_redis())
    return _hub.subscribe()
