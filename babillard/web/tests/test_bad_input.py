"""Whatever a form receives, the answer is a page or a clean error, never a 500."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from babillard.accounts.models import Account
from babillard.core.testing import make_account
from babillard.statuses.services import PollSpec, post_status
from babillard.web.tests.conftest import logged_in

pytestmark = pytest.mark.django_db

values = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", "0", "-1", "99999999999999999999999", "public", "direct", "fr", "é"]),
    st.from_regex(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", fullmatch=True),
)
FIELDS = [
    "text",
    "spoiler_text",
    "visibility",
    "language",
    "in_reply_to",
    "poll_1",
    "poll_2",
    "poll_duration",
    "scheduled_at",
    "local_only",
    "display_name",
    "note",
    "kind",
    "city",
    "locale",
    "default_visibility",
    "default_language",
    "title",
    "category",
    "comment",
    "statuses",
    "choice",
    "duration",
    "notifications",
    "username",
    "password",
    "email",
    "password_again",
    "reason",
    "account",
    "status",
    "max_uses",
    "expires_in_days",
    "q",
]
forms = st.dictionaries(st.sampled_from(FIELDS), values, max_size=8)


@pytest.fixture
def setting_up(alice: Account, bob: Account) -> dict[str, object]:
    poll = post_status(bob, "Sondage", poll=PollSpec(options=["a", "b"], expires_in=3600))
    return {"client": logged_in(alice), "bob": bob, "poll": poll}


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=forms)
def test_forms_never_answer_500(setting_up: dict[str, object], data: dict[str, str]) -> None:
    client: Client = setting_up["client"]  # type: ignore[assignment]
    bob = setting_up["bob"]
    poll = setting_up["poll"]
    posts = [
        "/compose",
        "/settings/profile",
        "/settings/preferences",
        "/settings/invites",
        "/lists",
        f"/accounts/{bob.pk}/report",  # type: ignore[attr-defined]
        f"/accounts/{bob.pk}/mute",  # type: ignore[attr-defined]
        f"/statuses/{poll.pk}/vote",  # type: ignore[attr-defined]
    ]
    for url in posts:
        response = client.post(url, data)
        assert response.status_code < 500, url
    for url in ["/auth/login", "/auth/sign_up", "/auth/password/reset"]:
        assert Client().post(url, data).status_code < 500, url
    for url in ["/search", "/public/local", "/notifications", "/@bob"]:
        assert client.get(url, data).status_code < 500, url


def test_search_with_nul_character_is_refused(client: Client) -> None:
    make_account("carol")
    assert client.get("/search", {"q": "a\x00b"}).status_code == 400
