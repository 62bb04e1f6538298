"""The web front door of two-factor authentication: the settings page, the log-in's
second step, its rate limit, and the requirement for moderators and administrators."""

import re
from typing import Any

import pytest
from django.test import Client

from babillard.accounts.models import Account, User
from babillard.api.tests.conftest import ApiClient
from babillard.core.testing import PASSWORD, make_account
from babillard.moderation.models import ActionKind, ModerationAction
from babillard.security import queries
from babillard.security.models import TwoFactor
from babillard.security.tests.helpers import code_at, turn_on

pytestmark = pytest.mark.django_db

SETTINGS = "/settings/two_factor"


@pytest.fixture
def alice() -> Account:
    return make_account("alice")


def _user(account: Account) -> User:
    assert account.user is not None
    return account.user  # type: ignore[return-value]


def _english() -> Client:
    return Client(headers={"Accept-Language": "en"})


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _password_step(client: Client, username: str = "alice", next_url: str = "") -> Any:
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/auth/login", data)


def test_setting_up_shows_a_qr_code_then_the_recovery_codes_once(alice: Account) -> None:
    client = _english()
    client.force_login(alice.user)  # type: ignore[arg-type]
    first = client.get(SETTINGS)
    assert first.status_code == 200 and b'value="start"' in first.content
    assert b"settings/two_factor" in client.get("/settings/profile").content  # in the nav

    assert client.post(SETTINGS, {"action": "start"})["Location"] == SETTINGS
    page = client.get(SETTINGS)
    text = page.content.decode()
    assert page["Cache-Control"] == "no-store"
    assert '<svg viewBox="' in text and "two-factor-qr" in text
    secret = queries.two_factor_of(_user(alice)).secret  # type: ignore[union-attr]
    shown = re.search(r'class="two-factor-secret">([A-Z2-7 ]+)<', text)
    assert shown is not None and shown.group(1).replace(" ", "") == secret

    wrong = client.post(SETTINGS, {"action": "confirm", "code": "12345"})
    assert wrong.status_code == 400 and b"This code is not right" in wrong.content
    assert not queries.is_enabled(_user(alice))

    done = client.post(SETTINGS, {"action": "confirm", "code": code_at(secret)})
    assert done.status_code == 200 and done["Cache-Control"] == "no-store"
    codes = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", done.content.decode())
    assert len(codes) == 10 and queries.is_enabled(_user(alice))

    later = client.get(SETTINGS).content.decode()
    assert "10 unused recovery codes are left." in later
    assert not any(code in later for code in codes)


def test_log_in_asks_for_a_code_after_the_password(alice: Account) -> None:
    secret, _codes = turn_on(_user(alice))
    client = _english()
    held = _password_step(client, next_url="/settings/profile")
    assert held.status_code == 302
    assert held["Location"] == "/auth/login/code?next=%2Fsettings%2Fprofile"
    assert not _logged_in(client)
    assert client.get("/home")["Location"].startswith("/auth/login")

    page = client.get(held["Location"])
    assert page.status_code == 200 and b'autocomplete="one-time-code"' in page.content
    assert b'name="next" value="/settings/profile"' in page.content

    wrong = client.post("/auth/login/code", {"code": "abcdef", "next": "/settings/profile"})
    assert wrong.status_code == 400 and not _logged_in(client)
    done = client.post("/auth/login/code", {"code": code_at(secret), "next": "/settings/profile"})
    assert done.status_code == 302 and done["Location"] == "/settings/profile"
    assert _logged_in(client)

    # The same code cannot log in a second time.
    client.post("/auth/logout")
    other = _english()
    _password_step(other)
    replayed = other.post("/auth/login/code", {"code": code_at(secret)})
    assert replayed.status_code == 400 and b"used already" in replayed.content
    assert not _logged_in(other)


def test_log_in_with_a_recovery_code_once(alice: Account) -> None:
    _secret, codes = turn_on(_user(alice))
    client = _english()
    _password_step(client)
    done = client.post("/auth/login/code", {"code": codes[3]}, follow=True)
    assert _logged_in(client)
    assert b"9 are left" in done.content

    again = _english()
    _password_step(again)
    refused = again.post("/auth/login/code", {"code": codes[3]})
    assert refused.status_code == 400 and not _logged_in(again)


def test_the_code_step_needs_a_fresh_password_step(alice: Account) -> None:
    secret, _codes = turn_on(_user(alice))
    client = _english()
    answer = client.post("/auth/login/code", {"code": code_at(secret)})
    assert answer["Location"] == "/auth/login" and not _logged_in(client)


def test_accounts_without_two_factor_log_in_at_once(alice: Account) -> None:
    client = _english()
    assert _password_step(client)["Location"] == "/home" and _logged_in(client)


def test_wrong_codes_are_rate_limited_per_address_and_per_account(
    settings: Any, alice: Account
) -> None:
    settings.AUTH_RATE_LIMIT = 3
    secret, _codes = turn_on(_user(alice))
    client = _english()
    _password_step(client)
    for _attempt in range(3):
        assert client.post("/auth/login/code", {"code": "000000"}).status_code == 400
    blocked = client.post("/auth/login/code", {"code": code_at(secret)})
    assert blocked.status_code == 429 and not _logged_in(client)

    # Another address guessing for the same account is stopped all the same.
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    _password_step(elsewhere)
    assert elsewhere.post("/auth/login/code", {"code": code_at(secret)}).status_code == 429


def test_regenerate_and_disable_need_the_password_or_a_code(alice: Account) -> None:
    secret, old = turn_on(_user(alice))
    client = _english()
    client.force_login(alice.user)  # type: ignore[arg-type]
    wrong = client.post(SETTINGS, {"action": "regenerate", "regenerate-proof": "nope"})
    assert wrong.status_code == 400 and b"neither your password" in wrong.content
    fresh = client.post(SETTINGS, {"action": "regenerate", "regenerate-proof": PASSWORD})
    new = re.findall(r"<li><code>([a-z2-9-]+)</code></li>", fresh.content.decode())
    assert len(new) == 10 and set(new).isdisjoint(old)

    refused = client.post(SETTINGS, {"action": "disable", "disable-proof": "nope"})
    assert refused.status_code == 400 and queries.is_enabled(_user(alice))
    off = client.post(SETTINGS, {"action": "disable", "disable-proof": code_at(secret)})
    assert off["Location"] == SETTINGS and not queries.is_enabled(_user(alice))
    assert _password_step(_english())["Location"] == "/home"


def test_staff_must_set_up_two_factor_first(settings: Any, token_for: Any) -> None:
    settings.REQUIRE_2FA_FOR_STAFF = True
    moderator = make_account("modo", moderator=True)
    reader = make_account("reader")
    staff, ordinary = _english(), _english()
    staff.force_login(moderator.user)  # type: ignore[arg-type]
    ordinary.force_login(reader.user)  # type: ignore[arg-type]

    assert ordinary.get("/home").status_code == 200
    for path in ("/home", "/moderation/", "/settings/profile", "/oauth/authorize"):
        assert staff.get(path)["Location"] == SETTINGS, path
    page = staff.get(SETTINGS)
    assert page.status_code == 200 and b"asks its moderators and administrators" in page.content
    api = ApiClient(token_for(moderator))
    refused = api.get("/api/v1/accounts/verify_credentials")
    assert refused.status_code == 403 and "two-factor" in refused.json()["error"]
    assert staff.post("/auth/logout").status_code == 302

    staff.force_login(moderator.user)  # type: ignore[arg-type]
    staff.post(SETTINGS, {"action": "start"})
    secret = queries.two_factor_of(_user(moderator)).secret  # type: ignore[union-attr]
    staff.post(SETTINGS, {"action": "confirm", "code": code_at(secret)})
    assert staff.get("/home").status_code == 200
    assert api.get("/api/v1/accounts/verify_credentials").status_code == 200
    assert b'value="disable"' not in staff.get(SETTINGS).content

    settings.REQUIRE_2FA_FOR_STAFF = False
    other = make_account("modo2", moderator=True)
    free = _english()
    free.force_login(other.user)  # type: ignore[arg-type]
    assert free.get("/home").status_code == 200


def test_an_administrator_resets_two_factor_in_the_admin(alice: Account) -> None:
    secret, _codes = turn_on(_user(alice))
    root = make_account("root", superuser=True)
    admin = _english()
    admin.force_login(root.user)  # type: ignore[arg-type]
    two_factor = TwoFactor.objects.get(user=_user(alice))
    path = f"/admin/security/twofactor/{two_factor.pk}"
    shown = admin.get(f"{path}/change/")
    assert shown.status_code == 200 and secret.encode() not in shown.content
    assert admin.post(f"{path}/change/", {"confirmed_at": ""}).status_code == 403
    assert admin.get("/admin/security/twofactor/add/").status_code == 403

    assert admin.post(f"{path}/delete/", {"post": "yes"}).status_code == 302
    assert not queries.is_enabled(_user(alice))
    entry = ModerationAction.objects.get(kind=ActionKind.ADMIN_DELETE)
    assert entry.details["model"] == "security.TwoFactor" and entry.details["object"] == "alice"
    assert _password_step(_english())["Location"] == "/home"
