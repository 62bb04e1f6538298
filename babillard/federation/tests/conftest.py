"""A fake remote server for federation tests: its actors sign real HTTP signatures.

Outgoing HTTP is replaced by a recorder: documents are served from ``remote.documents``
and deliveries are kept in ``remote.sent``. Nothing leaves the machine.
"""

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from babillard.core import http
from babillard.federation import signatures

FIXTURES = Path(__file__).parent / "fixtures"
HOST = "127.0.0.1:8000"


def load_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def new_key() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (fast test keys)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


@dataclass
class RemoteActor:
    uri: str
    username: str
    private_key: str
    public_key: str
    document: dict[str, Any]
    key_id: str = ""

    def __post_init__(self) -> None:
        self.key_id = self.key_id or f"{self.uri}#main-key"


@dataclass
class FakeNetwork:
    documents: dict[str, Any] = field(default_factory=dict)
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    fail_inboxes: set[str] = field(default_factory=set)
    headers: list[dict[str, str]] = field(default_factory=list)

    def actor(
        self,
        username: str,
        host: str = "remote.example",
        kind: str = "Person",
        uri: str = "",
        key_document: bool = False,
        **extra: Any,
    ) -> RemoteActor:
        uri = uri or f"https://{host}/users/{username}"
        private, public = new_key()
        document = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": uri,
            "type": kind,
            "preferredUsername": username,
            "name": username.title(),
            "summary": "<p>Bibliothécaire</p>",
            "inbox": f"{uri}/inbox",
            "outbox": f"{uri}/outbox",
            "followers": f"{uri}/followers",
            "following": f"{uri}/following",
            "url": f"https://{host}/@{username}",
            "manuallyApprovesFollowers": False,
            "endpoints": {"sharedInbox": f"https://{host}/inbox"},
            "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": public},
            **extra,
        }
        self.documents[uri] = document
        actor = RemoteActor(uri, username, private, public, document)
        if key_document:
            # GoToSocial names its key by its own URL, which serves the key with its owner.
            actor.key_id = f"{uri}/main-key"
            document["publicKey"]["id"] = actor.key_id
            self.documents[actor.key_id] = {**document["publicKey"]}
        return actor

    def request(self, method: str, url: str, **kwargs: Any) -> http.Response:
        if method == "POST":
            body = kwargs.get("body", b"")
            sent = dict(kwargs.get("headers") or {})
            if kwargs.get("sign"):
                sent.update(kwargs["sign"](method, url, sent, body))
            self.headers.append(sent)
            self.sent.append((url, json.loads(body)))
            if url in self.fail_inboxes:
                raise http.HttpError("connection refused")
            return http.Response(202, url, b"")
        base = url.split("#", 1)[0]
        if base in self.documents:
            content = json.dumps(self.documents[base]).encode()
            return http.Response(200, url, content, {"content-type": "application/activity+json"})
        return http.Response(404, url, b"{}")

    def activities(self, kind: str | None = None) -> list[dict[str, Any]]:
        return [a for _url, a in self.sent if kind is None or a.get("type") == kind]


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[FakeNetwork]:
    settings.DOMAIN = HOST
    settings.SCHEME = "http"
    fake = FakeNetwork()
    monkeypatch.setattr(http, "request", fake.request)
    yield fake


def signed_post(
    client: Client,
    path: str,
    activity: dict[str, Any],
    actor: RemoteActor,
    *,
    key: str | None = None,
    tamper: bool = False,
    headers_override: dict[str, str] | None = None,
) -> Any:
    body = json.dumps(activity).encode()
    url = f"http://{HOST}{path}"
    headers = {"Content-Type": "application/activity+json"}
    headers.update(
        signatures.sign_headers(
            "POST", url, headers, body, key_id=actor.key_id, private_key=key or actor.private_key
        )
    )
    headers.update(headers_override or {})
    if tamper:
        body = body.replace(b"a", b"b", 1)
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": v
        for k, v in headers.items()
        if k.lower() not in ("host", "content-type")
    }
    return client.post(
        path, data=body, content_type="application/activity+json", HTTP_HOST=HOST, **extra
    )


def signed_get(client: Client, path: str, actor: RemoteActor) -> Any:
    url = f"http://{HOST}{path}"
    headers = signatures.sign_headers(
        "GET", url, {}, b"", key_id=actor.key_id, private_key=actor.private_key
    )
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k.lower() != "host"
    }
    return client.get(path, HTTP_HOST=HOST, HTTP_ACCEPT="application/activity+json", **extra)


def deep(value: Any) -> Any:
    return copy.deepcopy(value)
