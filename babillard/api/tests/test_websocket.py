"""The streaming WebSocket ``/api/v1/streaming`` against a real server, with the
``websockets`` client library: subscribe and unsubscribe messages, both ways of
sending the token, refusals, and (with Redis) a post made in another process."""

import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from babillard.api.tests.live import LiveServer, live_server

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server() as running:
        yield running


@pytest.fixture(scope="module")
def alice(server: LiveServer) -> tuple[str, str]:
    """(username, token) of a user of the live server."""
    username = f"alice_{uuid.uuid4().hex[:6]}"
    email = server.make_user(username, PASSWORD)
    app = httpx.post(
        f"{server.url}/api/v1/apps",
        data={
            "client_name": "socket",
            "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": "read write",
        },
    ).json()
    reply = httpx.post(
        f"{server.url}/oauth/token",
        data={
            "grant_type": "password",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "username": email,
            "password": PASSWORD,
            "scope": "read write",
        },
    ).json()
    return username, reply["access_token"]


def _socket_url(server: LiveServer, query: str = "") -> str:
    return server.url.replace("http://", "ws://") + "/api/v1/streaming" + query


def _post(server: LiveServer, token: str, text: str) -> str:
    answer = httpx.post(
        f"{server.url}/api/v1/statuses",
        data={"status": text},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def _receive_until(socket: ClientConnection, wanted: int, seconds: float = 15) -> list[Any]:
    """The next ``wanted`` messages, or fewer if the socket stays quiet for ``seconds``."""
    found = []
    while len(found) < wanted:
        try:
            found.append(json.loads(socket.recv(timeout=seconds)))
        except TimeoutError:
            break
    return found


def _send(socket: ClientConnection, **message: str) -> None:
    socket.send(json.dumps(message))


def test_subscribed_streams_receive_updates_and_deletes(
    server: LiveServer, alice: tuple[str, str]
) -> None:
    _username, token = alice
    with connect(_socket_url(server, f"?access_token={token}&stream=user")) as socket:
        _send(socket, type="subscribe", stream="hashtag", tag="Biblio")
        _send(socket, type="subscribe", stream="public:local")
        # A ping round-trip: the subscriptions above are applied in order before it.
        socket.ping().wait(5)
        posted = _post(server, token, "Nouveautés du fonds #biblio")
        messages = _receive_until(socket, 3)
        streams = sorted(tuple(m["stream"]) for m in messages)
        assert streams == [("hashtag", "Biblio"), ("public:local",), ("user",)]
        for message in messages:
            assert message["event"] == "update"
            assert json.loads(message["payload"])["id"] == posted

        _send(socket, type="unsubscribe", stream="hashtag", tag="Biblio")
        _send(socket, type="unsubscribe", stream="public:local")
        socket.ping().wait(5)
        _post(server, token, "Encore #biblio")
        only = _receive_until(socket, 2, seconds=3)
        assert [m["stream"] for m in only] == [["user"]]

        httpx.delete(
            f"{server.url}/api/v1/statuses/{posted}", headers={"Authorization": f"Bearer {token}"}
        )
        deleted = _receive_until(socket, 1)
        assert deleted == [{"stream": ["user"], "event": "delete", "payload": posted}]


def test_the_token_may_come_as_the_websocket_protocol(
    server: LiveServer, alice: tuple[str, str]
) -> None:
    _username, token = alice
    with connect(_socket_url(server), subprotocols=[token]) as socket:  # type: ignore[list-item]
        assert socket.subprotocol == token
        _send(socket, type="subscribe", stream="user:notification")
        _send(socket, type="subscribe", stream="nonsense")
        assert _receive_until(socket, 1) == [{"error": "Unknown stream type", "status": 400}]
        socket.send("not json")
        assert _receive_until(socket, 1) == [{"error": "Invalid JSON message", "status": 400}]


def test_refusals(server: LiveServer) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(_socket_url(server, "?access_token=forged"))
    assert refused.value.response.status_code == 401
    with connect(_socket_url(server)) as anonymous:
        _send(anonymous, type="subscribe", stream="user")
        _send(anonymous, type="subscribe", stream="hashtag")
        _send(anonymous, type="subscribe", stream="list", list="1")
        assert _receive_until(anonymous, 3) == [
            {"error": "Missing access token", "status": 401},
            {"error": "Missing tag name parameter", "status": 400},
            {"error": "Missing access token", "status": 401},
        ]


@pytest.mark.skipif(
    not os.environ.get("BABILLARD_REDIS_URL"), reason="across processes only through Redis"
)
def test_a_post_made_in_another_process_reaches_the_socket(
    server: LiveServer, alice: tuple[str, str]
) -> None:
    username, token = alice
    with connect(_socket_url(server, f"?access_token={token}")) as socket:
        _send(socket, type="subscribe", stream="hashtag", tag="ailleurs")
        socket.ping().wait(5)
        server.manage(
            "shell",
            "-c",
            "from babillard.accounts.models import Account; "
            "from babillard.statuses.services import post_status; "
            f"post_status(Account.objects.get(username={username!r}, domain=''), "
            "'Écrit dans un autre processus #ailleurs')",
        )
        messages = _receive_until(socket, 1)
        assert [m["stream"] for m in messages] == [["hashtag", "ailleurs"]]
        payload = json.loads(messages[0]["payload"])
        assert "autre processus" in payload["content"]
