"""Sign-up in every registration mode, confirmation, log-in messages, rate limits,
password reset, log-out."""

import re

import pytest
from django.core import mail
from django.test import Client

from babillard.accounts.models import Account, User
from babillard.accounts.services import create_invite
from babillard.core.testing import PASSWORD, make_account

pytestmark = pytest.mark.django_db
GOOD = {
    "username": "claire",
    "email": "claire@example.org",
    "password": "un-long-mot-de-passe",
    "password_again": "un-long-mot-de-passe",
    "accept": "on",
}


def confirmation_link() -> str:
    match = re.search(r"https?://[^/]+(/auth/confirm/[^\s]+)", mail.outbox[-1].body)
    assert match
    return match.group(1)


def test_open_sign_up_confirm_and_log_in(client: Client) -> None:
    response = client.post("/auth/sign_up", GOOD)
    assert response.status_code == 200
    user = User.objects.get(username="claire")
    assert not user.email_confirmed
    # before confirming, the log-in explains why it refuses
    response = client.post("/auth/login", {"username": "claire", "password": GOOD["password"]})
    assert response.status_code == 400
    assert "confirm" in response.content.decode().lower()
    response = client.get(confirmation_link())
    assert response.status_code == 302 and response["Location"] == "/auth/login"
    response = client.post(
        "/auth/login", {"username": "claire@example.org", "password": GOOD["password"]}
    )
    assert response.status_code == 302 and response["Location"] == "/home"
    assert client.get("/home").status_code == 200


def test_sign_up_errors_are_shown_next_to_fields(client: Client, alice: Account) -> None:
    response = client.post("/auth/sign_up", {**GOOD, "username": "alice"})
    assert response.status_code == 400
    assert "id_username_error" in response.content.decode()
    response = client.post("/auth/sign_up", {**GOOD, "email": "alice@example.org"})
    assert "id_email_error" in response.content.decode()
    response = client.post("/auth/sign_up", {**GOOD, "username": "é t é"})
    assert "id_username_error" in response.content.decode()
    response = client.post("/auth/sign_up", {**GOOD, "password": "123", "password_again": "123"})
    assert "id_password_error" in response.content.decode()
    response = client.post("/auth/sign_up", {**GOOD, "password_again": "autre-chose-encore"})
    assert "id_password_again_error" in response.content.decode()
    assert not User.objects.filter(username="claire").exists()


def test_approval_mode_needs_a_reason_and_a_moderator(client: Client, settings: object) -> None:
    settings.REGISTRATION_MODE = "approval"  # type: ignore[attr-defined]
    moderator = make_account("modo", moderator=True)
    response = client.post("/auth/sign_up", GOOD)
    assert response.status_code == 400
    assert "id_reason_error" in response.content.decode()
    response = client.post("/auth/sign_up", {**GOOD, "reason": "Bibliothécaire à Lyon"})
    assert response.status_code == 200
    client.get(confirmation_link())
    response = client.post("/auth/login", {"username": "claire", "password": GOOD["password"]})
    assert response.status_code == 400
    assert "approbation" in response.content.decode() or "approval" in response.content.decode()
    modo = Client()
    modo.login(username="modo", password=PASSWORD)
    user = User.objects.get(username="claire")
    assert "Bibliothécaire à Lyon" in modo.get("/moderation/sign_ups").content.decode()
    modo.post(f"/moderation/sign_ups/{user.pk}/approve")
    response = client.post("/auth/login", {"username": "claire", "password": GOOD["password"]})
    assert response.status_code == 302
    assert moderator.pk


def test_invite_mode(client: Client, alice: Account, settings: object) -> None:
    settings.REGISTRATION_MODE = "invite"  # type: ignore[attr-defined]
    assert client.get("/auth/sign_up").status_code == 403
    assert client.post("/auth/sign_up", GOOD).status_code == 403
    invite = create_invite(alice.user, max_uses=1)
    assert client.get(f"/invite/{invite.code}").status_code == 200
    assert client.post(f"/invite/{invite.code}", GOOD).status_code == 200
    assert User.objects.filter(username="claire", invited_by=invite).exists()
    # the invitation is used up
    assert client.get(f"/invite/{invite.code}").status_code == 404
    assert client.get("/invite/nope").status_code == 404


def test_invitations_page_creates_links(alice_client: Client, settings: object) -> None:
    settings.REGISTRATION_MODE = "invite"  # type: ignore[attr-defined]
    response = alice_client.post("/settings/invites", {"max_uses": "3", "expires_in_days": "7"})
    assert response.status_code == 302
    assert "/invite/" in alice_client.get("/settings/invites").content.decode()
    assert alice_client.post("/settings/invites", {"max_uses": "-1"}).status_code == 400


def test_closed_mode(client: Client, settings: object) -> None:
    settings.REGISTRATION_MODE = "closed"  # type: ignore[attr-defined]
    assert client.get("/auth/sign_up").status_code == 403
    assert client.post("/auth/sign_up", GOOD).status_code == 403
    assert not User.objects.exists()


def test_bad_confirmation_link(client: Client) -> None:
    response = client.get("/auth/confirm/not-a-token/")
    assert response.status_code == 400


def test_wrong_password_and_suspended_messages(client: Client, alice: Account) -> None:
    response = client.post("/auth/login", {"username": "alice", "password": "wrong"})
    assert response.status_code == 400
    User.objects.filter(pk=alice.user.pk).update(is_active=False)
    response = client.post("/auth/login", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 400
    assert "suspendu" in response.content.decode() or "suspended" in response.content.decode()


def test_log_in_redirects_to_next_only_locally(client: Client, alice: Account) -> None:
    response = client.post(
        "/auth/login", {"username": "alice", "password": PASSWORD, "next": "/notifications"}
    )
    assert response["Location"] == "/notifications"
    client.post("/auth/logout")
    response = client.post(
        "/auth/login", {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/home"


def test_log_out(alice_client: Client) -> None:
    assert alice_client.get("/auth/logout").status_code == 405
    assert alice_client.post("/auth/logout").status_code == 302
    assert alice_client.get("/home").status_code == 302


def test_log_in_and_sign_up_are_rate_limited(
    client: Client, alice: Account, settings: object
) -> None:
    settings.AUTH_RATE_LIMIT = 3  # type: ignore[attr-defined]
    for _ in range(3):
        assert client.post("/auth/login", {"username": "alice", "password": "x"}).status_code == 400
    response = client.post("/auth/login", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "Retry-After" in response
    # another address is not affected
    other = Client(REMOTE_ADDR="10.0.0.2")
    assert other.post("/auth/login", {"username": "alice", "password": PASSWORD}).status_code == 302
    for _ in range(3):
        client.post("/auth/sign_up", {"username": "x"})
    assert client.post("/auth/sign_up", GOOD).status_code == 429
    assert not User.objects.filter(username="claire").exists()


def test_password_reset(client: Client, alice: Account) -> None:
    assert client.get("/auth/password/reset").status_code == 200
    response = client.post("/auth/password/reset", {"email": "alice@example.org"})
    assert response.status_code == 302
    match = re.search(r"https?://[^/]+(/auth/password/reset/[^\s]+/)", mail.outbox[-1].body)
    assert match
    response = client.get(match.group(1), follow=True)
    assert response.status_code == 200
    new = "encore-un-mot-de-passe"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert client.login(username="alice", password=new)
