"""Moderators' pages: only moderators reach them; each action goes through the services."""

import pytest
from django.test import Client

from babillard.accounts.models import Account, AddressUse, User
from babillard.core.testing import make_account
from babillard.moderation.models import ModerationAction, Report
from babillard.moderation.services import report as make_report
from babillard.statuses.models import Status
from babillard.statuses.services import post_status
from babillard.web.tests.conftest import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(db: None) -> Account:
    return make_account("modo", moderator=True)


@pytest.fixture
def modo(moderator: Account) -> Client:
    return logged_in(moderator)


def test_only_moderators_see_moderation(alice_client: Client, modo: Client, client: Client) -> None:
    for url in ["/moderation/", "/moderation/sign_ups", "/moderation/accounts", "/moderation/log"]:
        assert alice_client.get(url).status_code == 403, url
        assert client.get(url).status_code == 302, url
        assert modo.get(url).status_code == 200, url


def test_report_then_suspend(alice: Account, bob: Account, modo: Client) -> None:
    post = post_status(alice, "Pourriel")
    created = make_report(bob, alice, statuses=[post], category="spam", comment="Pub")
    assert "@alice" in modo.get("/moderation/reports").content.decode()
    page = modo.get(f"/moderation/reports/{created.pk}").content.decode()
    assert "Pourriel" in page and "Pub" in page
    response = modo.post(f"/moderation/reports/{created.pk}/suspend", {"text": "Spam"})
    assert response.status_code == 302
    alice.refresh_from_db()
    created.refresh_from_db()
    assert alice.is_suspended and created.resolved_at
    assert ModerationAction.objects.filter(kind="suspend", text="Spam").exists()
    assert "Spam" in modo.get("/moderation/log").content.decode()
    assert "@alice" in modo.get("/moderation/accounts").content.decode()
    assert Client().get("/@alice").status_code == 404
    modo.post(f"/moderation/accounts/{alice.pk}/unsuspend")
    alice.refresh_from_db()
    assert not alice.is_suspended


def test_report_delete_post_limit_and_resolve(alice: Account, bob: Account, modo: Client) -> None:
    post = post_status(alice, "Hors sujet")
    created = make_report(bob, alice, statuses=[post])
    modo.post(f"/moderation/reports/{created.pk}/delete_status", {"status": post.pk})
    assert not Status.objects.filter(pk=post.pk).exists()
    modo.post(f"/moderation/reports/{created.pk}/silence")
    alice.refresh_from_db()
    assert alice.is_silenced
    modo.post(f"/moderation/accounts/{alice.pk}/unsilence")
    alice.refresh_from_db()
    assert not alice.is_silenced
    other = make_report(bob, alice)
    modo.post(f"/moderation/reports/{other.pk}/resolve")
    assert Report.objects.get(pk=other.pk).resolved_at
    assert modo.post(f"/moderation/reports/{other.pk}/explode").status_code == 404
    assert modo.get("/moderation/reports/999").status_code == 404
    assert (
        modo.post(f"/moderation/reports/{other.pk}/delete_status", {"status": "x"}).status_code
        == 404
    )


def test_non_moderator_cannot_act(alice: Account, bob: Account, bob_client: Client) -> None:
    created = make_report(bob, alice)
    assert bob_client.post(f"/moderation/reports/{created.pk}/suspend").status_code == 403
    assert bob_client.post(f"/moderation/accounts/{alice.pk}/suspend").status_code == 403
    alice.refresh_from_db()
    assert not alice.is_suspended


def test_reject_sign_up(modo: Client) -> None:
    from babillard.accounts.services import create_local_user

    user = create_local_user("pending", "p@example.org", "un-long-mot-de-passe", approved=False)
    modo.post(f"/moderation/sign_ups/{user.pk}/reject")
    assert not User.objects.filter(pk=user.pk).exists()
    assert modo.post(f"/moderation/sign_ups/{user.pk}/approve").status_code == 404


def test_moderators_see_the_sign_up_address_and_the_addresses_in_use(
    modo: Client, settings: object
) -> None:
    settings.REGISTRATION_MODE = "approval"  # type: ignore[attr-defined]
    newcomer = Client(REMOTE_ADDR="198.51.100.23")
    form = {
        "username": "claire",
        "email": "claire@example.org",
        "password": "un-long-mot-de-passe",
        "password_again": "un-long-mot-de-passe",
        "accept": "on",
        "reason": "Bibliothécaire à Lyon",
    }
    assert newcomer.post("/auth/sign_up", form).status_code == 200
    claire = User.objects.get(username="claire")
    assert claire.sign_up_ip == "198.51.100.23"
    assert "198.51.100.23" in modo.get("/moderation/sign_ups").content.decode()

    User.objects.filter(pk=claire.pk).update(approved=True, email_confirmed=True)
    browser = Client(REMOTE_ADDR="203.0.113.5")
    assert browser.login(username="claire", password=form["password"])
    assert browser.get("/home").status_code == 200
    assert AddressUse.objects.filter(user=claire, ip="203.0.113.5", way="session").exists()
    page = modo.get("/moderation/accounts", {"q": "claire"}).content.decode()
    assert "198.51.100.23" in page and "203.0.113.5" in page
