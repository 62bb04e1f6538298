"""Fixtures of the client API's tests: applications, tokens and a client that sends them."""

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client

from babillard.accounts.models import Account
from babillard.api import oauth
from babillard.core.testing import make_account


class ApiClient:
    """Django's test client with a bearer token, JSON bodies by default."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.token = token

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        # The messages checked by the tests are the English ones.
        headers = {"Accept-Language": "en", **(extra or {})}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def get(self, path: str, data: Any = None, **headers: str) -> Any:
        return self.client.get(path, data, headers=self._headers(headers))

    def post(self, path: str, data: Any = None, *, form: bool = False, **headers: str) -> Any:
        if form:
            return self.client.post(path, data or {}, headers=self._headers(headers))
        if data is None:
            return self.client.post(path, headers=self._headers(headers))
        return self.client.post(
            path, json.dumps(data), content_type="application/json", headers=self._headers(headers)
        )

    def put(self, path: str, data: Any = None, **headers: str) -> Any:
        return self.client.put(
            path,
            json.dumps(data or {}),
            content_type="application/json",
            headers=self._headers(headers),
        )

    def patch(self, path: str, data: Any = None, **headers: str) -> Any:
        return self.client.patch(
            path,
            json.dumps(data or {}),
            content_type="application/json",
            headers=self._headers(headers),
        )

    def delete(self, path: str, data: Any = None, **headers: str) -> Any:
        if data is None:
            return self.client.delete(path, headers=self._headers(headers))
        return self.client.delete(
            path, json.dumps(data), content_type="application/json", headers=self._headers(headers)
        )


ALL = "read write follow push"


@pytest.fixture
def app() -> oauth.RegisteredApp:
    return oauth.register_app("Test client", [oauth.OOB], oauth.parse_scopes(ALL), "")


@pytest.fixture
def token_for(app: oauth.RegisteredApp) -> Callable[..., str]:
    def make(account: Account, scopes: str = ALL) -> str:
        assert account.user is not None
        issued = oauth.issue_token(account.user, app.application, oauth.parse_scopes(scopes))
        return str(issued.raw)  # type: ignore[attr-defined]

    return make


@pytest.fixture
def alice() -> Account:
    return make_account("alice")


@pytest.fixture
def bob() -> Account:
    return make_account("bob")


@pytest.fixture
def as_alice(alice: Account, token_for: Callable[..., str]) -> ApiClient:
    return ApiClient(token_for(alice))


@pytest.fixture
def as_bob(bob: Account, token_for: Callable[..., str]) -> ApiClient:
    return ApiClient(token_for(bob))


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient()


@pytest.fixture
def connection_kept_open() -> Iterator[None]:
    """Requests go straight to the WSGI handler, which would close the test's connection
    (and so lose its transaction) at the end of each request: keep it, as Django's
    test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
