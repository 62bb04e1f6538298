"""Per-account limits shared by the web pages and both APIs, and per-address limits on
every way in (web and API sign-up, log-in, the OAuth token endpoint)."""

from typing import Any

import pytest
from django.test import Client

from babillard.accounts.models import Account, Follow, User
from babillard.api import oauth
from babillard.api.tests.conftest import ALL, ApiClient
from babillard.core.testing import image_bytes, make_account
from babillard.moderation.models import Report
from babillard.statuses.models import Favourite, MediaAttachment, Status
from babillard.statuses.services import post_status
from babillard.web.tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def _limit(settings: Any, family: str, count: int, period: int = 3600) -> None:
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, family: (count, period)}


@pytest.fixture
def alice() -> Account:
    return make_account("alice")


@pytest.fixture
def bob() -> Account:
    return make_account("bob")


@pytest.fixture
def as_alice(alice: Account) -> ApiClient:
    app = oauth.register_app("Client", [oauth.OOB], oauth.parse_scopes(ALL), "")
    assert alice.user is not None
    issued = oauth.issue_token(alice.user, app.application, oauth.parse_scopes(ALL))
    return ApiClient(str(issued.raw))  # type: ignore[attr-defined]


def test_posting_is_limited_per_account_with_the_stricter_headers(
    settings: Any, alice: Account, as_alice: ApiClient
) -> None:
    _limit(settings, "statuses", 2)
    first = as_alice.post("/api/v1/statuses", {"status": "Un"})
    assert first.status_code == 200
    # The account's limit is closer to running out than the token's 300 requests.
    assert (first["X-RateLimit-Limit"], first["X-RateLimit-Remaining"]) == ("2", "1")
    assert as_alice.post("/api/v1/statuses", {"status": "Deux"}).status_code == 200
    refused = as_alice.post("/api/v1/statuses", {"status": "Trois"})
    assert refused.status_code == 429
    assert refused.json()["error"].startswith("You have posted a lot in a short time.")
    assert "try again" in refused.json()["error"]
    assert (refused["X-RateLimit-Limit"], refused["X-RateLimit-Remaining"]) == ("2", "0")
    assert int(refused["Retry-After"]) > 0
    assert Status.objects.filter(account=alice).count() == 2
    # Reading is not posting: the headers go back to the token's limit.
    read = as_alice.get("/api/v1/timelines/home")
    assert read.status_code == 200 and read["X-RateLimit-Limit"] == "300"


def test_web_pages_and_the_api_share_the_counter(
    settings: Any, alice: Account, bob: Account, as_alice: ApiClient
) -> None:
    _limit(settings, "statuses", 2)
    browser = logged_in(alice, "en")
    fields = {"visibility": "public", "language": "fr", "poll_duration": "86400"}
    assert browser.post("/compose", {**fields, "text": "Par le web"}).status_code == 302
    assert as_alice.post("/api/v1/statuses", {"status": "Par l'API"}).status_code == 200
    page = browser.post("/compose", {**fields, "text": "Encore"})
    assert page.status_code == 429
    assert b"You have posted a lot in a short time." in page.content
    assert b"You can try again from" in page.content
    assert int(page["Retry-After"]) > 0
    assert as_alice.post("/api/v1/statuses", {"status": "Encore"}).status_code == 429
    assert Status.objects.filter(account=alice).count() == 2
    # Another account has its own counter.
    assert logged_in(bob).post("/compose", {**fields, "text": "Moi"}).status_code == 302


def test_boosts_count_as_posts(settings: Any, bob: Account, as_alice: ApiClient) -> None:
    _limit(settings, "statuses", 1)
    first, second = (post_status(bob, text) for text in ("Un", "Deux"))
    assert as_alice.post(f"/api/v1/statuses/{first.pk}/reblog").status_code == 200
    assert as_alice.post(f"/api/v1/statuses/{second.pk}/reblog").status_code == 429
    assert not Status.objects.filter(reblog=second).exists()


def test_favourites_follows_and_reports_are_limited(
    settings: Any, alice: Account, bob: Account, as_alice: ApiClient
) -> None:
    for family in ("favourites", "follows", "reports"):
        _limit(settings, family, 1)
    first, second = (post_status(bob, text) for text in ("Un", "Deux"))
    assert as_alice.post(f"/api/v1/statuses/{first.pk}/favourite").status_code == 200
    refused = as_alice.post(f"/api/v1/statuses/{second.pk}/favourite")
    assert refused.status_code == 429
    assert "favourites" in refused.json()["error"]
    assert Favourite.objects.filter(account=alice).count() == 1

    carol = make_account("carol")
    assert as_alice.post(f"/api/v1/accounts/{bob.pk}/follow").status_code == 200
    assert as_alice.post(f"/api/v1/accounts/{carol.pk}/follow").status_code == 429
    assert not Follow.objects.filter(account=alice, target=carol).exists()
    # Following again someone already followed is not a new follow.
    assert as_alice.post(f"/api/v1/accounts/{bob.pk}/follow").status_code == 200

    assert as_alice.post("/api/v1/reports", {"account_id": str(bob.pk)}).status_code == 200
    refused = as_alice.post("/api/v1/reports", {"account_id": str(carol.pk)})
    assert refused.status_code == 429
    assert Report.objects.filter(reporter=alice).count() == 1


def test_uploads_are_limited(settings: Any, alice: Account, as_alice: ApiClient) -> None:
    _limit(settings, "media", 1)
    client = as_alice.client
    headers = {"Authorization": f"Bearer {as_alice.token}"}
    assert client.post("/api/v1/media", {"file": image_bytes()}, headers=headers).status_code == 200
    refused = client.post("/api/v1/media", {"file": image_bytes()}, headers=headers)
    assert refused.status_code == 429
    assert MediaAttachment.objects.filter(account=alice).count() == 1


def test_work_outside_a_request_is_not_counted(settings: Any, alice: Account) -> None:
    """Imports, scheduled posts and automatic posts run in the worker, unmetered."""
    _limit(settings, "statuses", 1)
    for text in ("Un", "Deux", "Trois"):
        post_status(alice, text)
    assert Status.objects.filter(account=alice).count() == 3


def test_api_sign_up_shares_the_web_sign_up_limit(settings: Any) -> None:
    settings.AUTH_RATE_LIMIT = 1
    settings.REGISTRATION_MODE = "open"
    app = oauth.register_app("Client", [oauth.OOB], oauth.parse_scopes(ALL), "")
    app_token = ApiClient(oauth.issue_token(None, app.application, ["read", "write"]).raw)  # type: ignore[attr-defined]
    body = {
        "username": "claire",
        "email": "claire@example.org",
        "password": "a-long-enough-password-1",
        "agreement": True,
    }
    assert app_token.post("/api/v1/accounts", body).status_code == 200
    second = app_token.post("/api/v1/accounts", {**body, "username": "dora", "email": "d@x.org"})
    assert second.status_code == 429
    assert "Too many attempts from your address." in second.json()["error"]
    assert second["X-RateLimit-Remaining"] == "0"
    web = Client().post("/auth/sign_up", {"username": "emma"}, headers={"Accept-Language": "en"})
    assert web.status_code == 429
    assert list(User.objects.values_list("username", flat=True)) == ["claire"]


def test_oauth_log_in_shares_the_web_log_in_limit(settings: Any, alice: Account) -> None:
    settings.AUTH_RATE_LIMIT = 1
    app = oauth.register_app("Client", [oauth.OOB], oauth.parse_scopes(ALL), "")
    guess = {
        "grant_type": "password",
        "client_id": app.application.client_id,
        "client_secret": app.client_secret,
        "username": "alice@example.org",
        "password": "guess",
    }
    assert Client().post("/auth/login", {"username": "alice", "password": "x"}).status_code == 400
    refused = Client().post("/oauth/token", guess)
    assert refused.status_code == 429
    assert refused["X-RateLimit-Limit"] == "1"
