"""The OAuth door with two-factor authentication: the consent page's log-in goes
through the code step; the password grant is refused."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from babillard.accounts.models import Account
from babillard.api.tests.conftest import ApiClient
from babillard.api.tests.test_oauth import register, token
from babillard.core.testing import PASSWORD, make_account
from babillard.security.tests.helpers import code_at, turn_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice() -> Account:
    account = make_account("alice")
    return account


def test_the_consent_page_log_in_asks_for_the_code(alice: Account) -> None:
    secret, _codes = turn_on(alice.user)  # type: ignore[arg-type]
    client = Client(headers={"Accept-Language": "en"})
    app = register(client, redirect_uris="https://app.example/callback", scopes="read")
    query = {
        "client_id": app["client_id"],
        "redirect_uri": "https://app.example/callback",
        "response_type": "code",
        "scope": "read",
        "state": "xyz",
    }
    held = client.post(
        "/oauth/authorize", {**query, "step": "login", "username": "alice", "password": PASSWORD}
    )
    assert held.status_code == 302
    code_step = urlsplit(held["Location"])
    assert code_step.path == "/auth/login/code"
    back_to = parse_qs(code_step.query)["next"][0]
    assert urlsplit(back_to).path == "/oauth/authorize"
    assert parse_qs(urlsplit(back_to).query)["state"] == ["xyz"]
    assert "_auth_user_id" not in client.session

    wrong = client.post("/auth/login/code", {"code": "000000", "next": back_to})
    assert wrong.status_code == 400 and "_auth_user_id" not in client.session
    passed = client.post("/auth/login/code", {"code": code_at(secret), "next": back_to})
    assert passed["Location"] == back_to

    consent = client.get(back_to)
    assert consent.status_code == 200 and b'value="consent"' in consent.content
    approved = client.post("/oauth/authorize", {**query, "step": "consent", "decision": "approve"})
    values = parse_qs(urlsplit(approved["Location"]).query)
    reply = token(
        client,
        grant_type="authorization_code",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        redirect_uri="https://app.example/callback",
        code=values["code"][0],
    )
    assert reply.status_code == 200, reply.content
    api = ApiClient(reply.json()["access_token"])
    assert api.get("/api/v1/accounts/verify_credentials").json()["username"] == "alice"


def test_the_password_grant_refuses_accounts_with_two_factor(alice: Account) -> None:
    client = Client()
    app = register(client, scopes="read")
    fields = {
        "grant_type": "password",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "username": "alice",
        "password": PASSWORD,
        "scope": "read",
    }
    assert token(client, **fields).status_code == 200
    turn_on(alice.user)  # type: ignore[arg-type]
    refused = token(client, **fields)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    assert "two-factor authentication" in refused.json()["error_description"]
