"""OAuth 2 as Mastodon clients use it: registration, the three grants, PKCE, revocation."""

import base64
import hashlib
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from babillard.accounts.models import Account
from babillard.api.tests.conftest import ApiClient
from babillard.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def register(client: Client, **fields: Any) -> dict[str, Any]:
    body = {"client_name": "Phanpy", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", **fields}
    response = client.post("/api/v1/apps", json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def token(client: Client, **fields: Any) -> Any:
    return client.post("/oauth/token", json.dumps(fields), content_type="application/json")


def test_registration_accepts_form_and_json_and_real_redirect_uris() -> None:
    client = Client()
    app = register(client, scopes="read write:media", website="https://phanpy.social")
    assert app["scopes"] == ["read", "write:media"]
    assert app["client_id"] and app["client_secret"]
    assert app["redirect_uri"] == "urn:ietf:wg:oauth:2.0:oob"
    form = client.post(
        "/api/v1/apps",
        {
            "client_name": "Elk",
            "redirect_uris[]": ["https://elk.zone/callback", "elk://callback"],
            "scopes": "read write follow push",
        },
    )
    assert form.status_code == 200
    assert form.json()["redirect_uris"] == ["https://elk.zone/callback", "elk://callback"]
    refused = client.post(
        "/api/v1/apps", {"client_name": "X", "redirect_uris": "x", "scopes": "read"}
    )
    assert refused.status_code == 422
    assert "error" in refused.json()
    unknown = client.post(
        "/api/v1/apps",
        {"client_name": "X", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob", "scopes": "everything"},
    )
    assert unknown.status_code == 422


def test_password_grant_takes_the_email_and_replies_with_the_scope(alice: Account) -> None:
    client = Client()
    app = register(client, scopes="read write")
    reply = token(
        client,
        grant_type="password",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        username="alice@example.org",
        password=PASSWORD,
        scope="read",
    )
    assert reply.status_code == 200, reply.content
    data = reply.json()
    assert data["scope"] == "read" and data["token_type"] == "Bearer"
    me = ApiClient(data["access_token"]).get("/api/v1/accounts/verify_credentials")
    assert me.json()["username"] == "alice"
    wrong = token(
        client,
        grant_type="password",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        username="alice@example.org",
        password="nope",
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    too_much = token(
        client,
        grant_type="password",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        username="alice@example.org",
        password=PASSWORD,
        scope="read admin:write",
    )
    assert too_much.status_code == 400 and too_much.json()["error"] == "invalid_scope"
    bad_secret = token(
        client,
        grant_type="password",
        client_id=app["client_id"],
        client_secret="forged",
        username="alice@example.org",
        password=PASSWORD,
    )
    assert bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"


def test_client_credentials_and_refresh_and_revoke(alice: Account) -> None:
    client = Client()
    app = register(client, scopes="read write")
    reply = client.post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        },
    ).json()
    assert reply["scope"] == "read write"
    assert "refresh_token" not in reply
    verified = ApiClient(reply["access_token"]).get("/api/v1/apps/verify_credentials")
    assert verified.json()["name"] == "Phanpy"

    user = token(
        client,
        grant_type="password",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        username="alice@example.org",
        password=PASSWORD,
    ).json()
    refreshed = token(
        client,
        grant_type="refresh_token",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        refresh_token=user["refresh_token"],
    ).json()
    assert refreshed["scope"] == "read write"
    assert ApiClient(refreshed["access_token"]).get("/api/v1/timelines/home").status_code == 200

    revoked = client.post(
        "/oauth/revoke",
        {
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "token": refreshed["access_token"],
        },
    )
    assert revoked.status_code == 200 and revoked.json() == {}
    assert ApiClient(refreshed["access_token"]).get("/api/v1/timelines/home").status_code == 401


def _consent(client: Client, query: dict[str, str]) -> Any:
    page = client.get("/oauth/authorize", query)
    assert page.status_code == 200
    assert b'value="consent"' in page.content
    return client.post("/oauth/authorize", {**query, "step": "consent", "decision": "approve"})


def test_authorization_code_with_pkce_and_a_real_redirect_uri(alice: Account) -> None:
    client = Client()
    app = register(client, redirect_uris="https://app.example/callback", scopes="read write")
    verifier = "v" * 50
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    )
    query = {
        "client_id": app["client_id"],
        "redirect_uri": "https://app.example/callback",
        "response_type": "code",
        "scope": "read",
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    login_page = client.get("/oauth/authorize", query)
    assert b'name="password"' in login_page.content
    failed = client.post(
        "/oauth/authorize", {**query, "step": "login", "username": "alice", "password": "x"}
    )
    assert failed.status_code == 401
    client.post(
        "/oauth/authorize",
        {**query, "step": "login", "username": "alice@example.org", "password": PASSWORD},
    )
    answer = _consent(client, query)
    assert answer.status_code == 302
    location = urlsplit(answer["Location"])
    assert location.netloc == "app.example"
    values = parse_qs(location.query)
    assert values["state"] == ["xyz"]
    code = values["code"][0]
    base = {
        "grant_type": "authorization_code",
        "client_id": app["client_id"],
        "redirect_uri": "https://app.example/callback",
        "code": code,
    }
    wrong = token(client, **base, code_verifier="w" * 50, client_secret=app["client_secret"])
    assert wrong.status_code == 400
    # A public client proves itself with the verifier alone.
    reply = token(client, **base, code_verifier=verifier)
    assert reply.status_code == 200, reply.content
    assert reply.json()["scope"] == "read"
    again = token(client, **base, code_verifier=verifier)
    assert again.status_code == 400


def test_out_of_band_code_denial_and_the_settings_page(alice: Account) -> None:
    client = Client()
    app = register(client, scopes="read")
    client.force_login(alice.user)  # type: ignore[arg-type]
    query = {"client_id": app["client_id"], "redirect_uri": "urn:ietf:wg:oauth:2.0:oob"}
    page = _consent(client, query)
    code = re.search(rb'readonly value="([^"]+)"', page.content)
    assert code is not None
    reply = token(
        client,
        grant_type="authorization_code",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
        redirect_uri="urn:ietf:wg:oauth:2.0:oob",
        code=code.group(1).decode(),
    ).json()
    api = ApiClient(reply["access_token"])
    assert api.get("/api/v1/accounts/verify_credentials").status_code == 200

    settings_page = client.get("/settings/applications")
    assert b"Phanpy" in settings_page.content
    application_id = re.search(rb'name="application" value="(\d+)"', settings_page.content)
    assert application_id is not None
    client.post("/settings/applications", {"application": application_id.group(1).decode()})
    assert api.get("/api/v1/accounts/verify_credentials").status_code == 401
    assert b"Phanpy" not in client.get("/settings/applications").content

    denied_app = register(client, redirect_uris="https://app.example/cb", scopes="read")
    denied = client.post(
        "/oauth/authorize",
        {
            "client_id": denied_app["client_id"],
            "redirect_uri": "https://app.example/cb",
            "step": "consent",
            "decision": "deny",
        },
    )
    assert "error=access_denied" in denied["Location"]
    unknown_scope = client.get("/oauth/authorize", {**query, "scope": "admin:write"})
    assert unknown_scope.status_code == 400


def test_consent_page_speaks_french_and_english(alice: Account) -> None:
    client = Client()
    app = register(client, scopes="read")
    client.force_login(alice.user)  # type: ignore[arg-type]
    query = {"client_id": app["client_id"], "redirect_uri": "urn:ietf:wg:oauth:2.0:oob"}
    english = client.get("/oauth/authorize", query, headers={"Accept-Language": "en"})
    assert b"Authorise" in english.content
    assert english["Content-Language"] == "en"
    french = client.get("/oauth/authorize", query, headers={"Accept-Language": "fr"})
    assert french["Content-Language"] == "fr"


def test_server_metadata_lists_every_grant() -> None:
    data = Client().get("/.well-known/oauth-authorization-server").json()
    assert set(data["grant_types_supported"]) >= {
        "authorization_code",
        "password",
        "client_credentials",
    }
    assert data["token_endpoint"].startswith("http")
    assert "read:statuses" in data["scopes_supported"]
    assert data["code_challenge_methods_supported"] == ["S256"]


def test_custom_scheme_redirect_uris_receive_the_code(alice: Account) -> None:
    client = Client()
    app = register(client, redirect_uris="tusky://oauth", scopes="read")
    client.force_login(alice.user)  # type: ignore[arg-type]
    answer = _consent(client, {"client_id": app["client_id"], "redirect_uri": "tusky://oauth"})
    assert answer.status_code == 302
    assert answer["Location"].startswith("tusky://oauth?code=")
