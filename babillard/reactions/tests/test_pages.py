"""Reactions on the pages, without JavaScript: the form under a post, the counts, who reacted."""

import pytest
from django.test import Client

from babillard.core.testing import PASSWORD, make_account
from babillard.notifications.models import Notification
from babillard.reactions.models import Reaction
from babillard.statuses.services import post_status

pytestmark = pytest.mark.django_db


def _login(account) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=account.user.username, password=PASSWORD)
    return client


def test_react_see_the_count_and_take_it_off():
    alice, bruno = make_account("alice"), make_account("bruno")
    status = post_status(alice, "Portes ouvertes samedi")
    page_url = f"/@alice/{status.pk}"
    browser = _login(bruno)
    form_page = browser.get(page_url).content.decode()
    assert 'name="emoji"' in form_page and "👍 thumbs up" in form_page
    answer = browser.post(
        f"/statuses/{status.pk}/reactions/react", {"emoji": "📚", "next": page_url}
    )
    assert answer.status_code == 302 and answer["Location"] == page_url
    html = browser.get(page_url).content.decode()
    assert 'aria-pressed="true"' in html and '<span class="count">1</span>' in html
    assert Reaction.objects.filter(account=bruno, status=status, name="📚").exists()
    # The author sees the count and the notification, in French too.
    author = _login(alice)
    author.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    assert "a réagi à votre message" in author.get("/notifications").content.decode()
    assert Notification.objects.filter(recipient=alice, type="reaction").exists()
    who = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/@alice/{status.pk}/reactions")
    assert who.status_code == 200 and "@bruno" in who.content.decode()
    browser.post(f"/statuses/{status.pk}/reactions/react", {"emoji": "📚", "remove": "1"})
    assert not Reaction.objects.exists()


def test_htmx_swaps_the_post_and_a_refusal_is_said():
    alice, bruno = make_account("alice"), make_account("bruno")
    status = post_status(alice, "Heure du conte")
    browser = _login(bruno)
    fragment = browser.post(
        f"/statuses/{status.pk}/reactions/react", {"emoji": "🎉"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert fragment.lstrip().startswith("<article") and '<span class="count">1</span>' in fragment
    refused = browser.post(
        f"/statuses/{status.pk}/reactions/react", {"emoji": "bravo"}, HTTP_HX_REQUEST="true"
    )
    assert (
        refused.status_code == 200 and "A reaction is a single emoji." in refused.content.decode()
    )


def test_visitors_see_counts_but_no_form():
    alice, bruno = make_account("alice"), make_account("bruno")
    status = post_status(alice, "Vente de livres")
    _login(bruno).post(f"/statuses/{status.pk}/reactions/react", {"emoji": "👏"})
    html = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/@alice/{status.pk}").content.decode()
    assert "👏" in html and '<span class="count">1</span>' in html
    assert 'name="emoji"' not in html
    assert Client().post(f"/statuses/{status.pk}/reactions/react", {"emoji": "👏"}).status_code in (
        302,
        403,
    )
    assert Reaction.objects.count() == 1


def test_no_reaction_to_a_post_one_cannot_see():
    alice, bruno = make_account("alice"), make_account("bruno")
    status = post_status(alice, "Abonnés seulement", visibility="private")
    assert (
        _login(bruno).post(f"/statuses/{status.pk}/reactions/react", {"emoji": "👍"}).status_code
        == 404
    )
    assert Client().get(f"/@alice/{status.pk}/reactions").status_code == 404
    assert not Reaction.objects.exists()
