"""Quoting from the web, the quoted post shown, revoking, and a reply the policy refuses."""

import pytest

from babillard.accounts.models import Account
from babillard.statuses.models import Quote, Status
from babillard.statuses.services import post_status
from babillard.web.tests.conftest import logged_in
from babillard.web.tests.test_statuses import compose

pytestmark = pytest.mark.django_db


def test_quote_a_post_from_its_quote_action(alice: Account, bob: Account) -> None:
    original = post_status(alice, "C'est moi ou CAIRN est en panne ?", spoiler_text="Panne")
    as_bob = logged_in(bob, "en")
    page = as_bob.get(f"/@alice/{original.pk}").content.decode()
    assert f'href="/compose?quote={original.pk}"' in page
    form = as_bob.get(f"/compose?quote={original.pk}").content.decode()
    assert f'name="quoted_status" value="{original.pk}"' in form
    assert "CAIRN" in form and 'name="quote_policy"' in form and 'name="reply_policy"' in form
    response = compose(as_bob, text="Pareil à Lyon.", quoted_status=original.pk)
    assert response.status_code == 302
    quote = Status.objects.get(account=bob)
    assert Quote.objects.get(status=quote).state == "accepted"
    shown = as_bob.get(f"/@bob/{quote.pk}").content.decode()
    assert 'class="status has-quote"' in shown
    assert '<blockquote class="quoted-status"' in shown and "CAIRN" in shown
    assert "<summary>Panne" in shown  # the quoted post's content warning stays


def test_the_quoted_author_revokes_from_the_quotes_page(alice: Account, bob: Account) -> None:
    original = post_status(alice, "Texte cité")
    quote = post_status(bob, "Je cite", quoted_status=original)
    as_alice = logged_in(alice, "en")
    page = as_alice.get("/quotes/mine").content.decode()
    assert "Je cite" in page and "Revoke this quote" in page
    response = as_alice.post(f"/statuses/{original.pk}/quotes/{quote.pk}/revoke")
    assert response.status_code == 302
    assert Quote.objects.get(status=quote).state == "revoked"
    shown = logged_in(bob, "en").get(f"/@bob/{quote.pk}").content.decode()
    assert "The quoted post is unavailable." in shown and "Texte cité" not in shown
    stranger = logged_in(bob, "en").post(f"/statuses/{original.pk}/quotes/{quote.pk}/revoke")
    assert stranger.status_code == 404


def test_a_quote_the_policy_refuses_is_not_offered(alice: Account, bob: Account) -> None:
    original = post_status(alice, "Pas de citation", quote_policy="nobody")
    as_bob = logged_in(bob, "en")
    assert "?quote=" not in as_bob.get(f"/@alice/{original.pk}").content.decode()
    response = compose(as_bob, text="Quand même", quoted_status=original.pk)
    assert response.status_code == 400
    assert "does not allow you to quote it" in response.content.decode()


def test_a_reply_the_policy_refuses_shows_a_message(alice: Account, bob: Account) -> None:
    for language, message in (
        ("en", "Only the people mentioned in this post may reply to it."),
        ("fr", "Seules les personnes mentionnées dans ce message peuvent y répondre."),
    ):
        question = post_status(alice, "Pour mon équipe", reply_policy="mentioned")
        response = compose(logged_in(bob, language), text="Réponse", in_reply_to=question.pk)
        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Status.objects.filter(in_reply_to=question).exists()
