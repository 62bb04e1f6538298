"""The triage pages: catch-up, digest and its private feed, priorities with the home
summary line, filters with an expiry, the notification policy and its review queue."""

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from babillard.accounts import services as account_services
from babillard.accounts.models import Account
from babillard.core.testing import PASSWORD, make_account
from babillard.notifications.models import Notification
from babillard.statuses import services as status_services
from babillard.timelines.models import Filter, List
from babillard.triage.models import DigestSubscription, NotificationRequest

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def _login(account: Account) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    assert account.user is not None
    assert client.login(username=account.user.username, password=PASSWORD)
    return client


@pytest.fixture
def reader() -> Account:
    return make_account("reader")


@pytest.fixture
def authors(reader: Account) -> dict[str, Account]:
    found = {}
    for name in ("anna", "basile", "celine"):
        found[name] = make_account(name, display_name=name.capitalize())
        account_services.follow(reader, found[name])
    return found


def test_catch_up_groups_and_mark_all_read(reader: Account, authors: dict[str, Any]) -> None:
    client = _login(reader)
    status_services.post_status(authors["anna"], "Fonds ancien #patrimoine")
    loved = status_services.post_status(authors["basile"], "Conte #jeunesse")
    status_services.favourite(authors["anna"], loved)

    page = client.get("/catch_up").content.decode()
    assert "2 new posts in your home timeline." in page
    assert page.index("Basile") < page.index("Anna")  # the favourited first
    assert "#patrimoine" in page and "#jeunesse" in page

    assert client.post("/catch_up", {"up_to": ""}).status_code == 302
    assert "nothing new since your last visit" in client.get("/catch_up").content.decode()


def test_catch_up_in_french(reader: Account, authors: dict[str, Any]) -> None:
    client = _login(reader)
    status_services.post_status(authors["anna"], "Bonjour")
    page = client.get("/catch_up", headers={"Accept-Language": "fr"}).content.decode()
    assert "Depuis votre dernière visite" in page
    assert "Tout marquer comme lu" in page


def test_digest_page_settings_and_private_feed(reader: Account, authors: dict[str, Any]) -> None:
    client = _login(reader)
    quiet = status_services.post_status(authors["anna"], "Calme plat")
    loved = status_services.post_status(authors["basile"], "Très partagé")
    status_services.reblog(authors["celine"], loved)

    page = client.get("/digest").content.decode()
    assert page.index("Très partagé") < page.index("Calme plat")
    assert "Score 2.00" in page

    saved = client.post("/digest", {"settings-period": "week", "settings-by_email": "on"})
    assert saved.status_code == 302
    subscription = DigestSubscription.objects.get(owner=reader, list=None)
    assert (subscription.period, subscription.by_email) == ("week", True)

    feed = Client().get(f"/digest/feed/{subscription.feed_token}.atom")
    assert feed.status_code == 200
    entries = ET.fromstring(feed.content).findall(f"{ATOM}entry")  # noqa: S314 (our own feed)
    assert [e.find(f"{ATOM}title").text for e in entries] == [  # type: ignore[union-attr]
        "Basile: Très partagé",
        "Anna: Calme plat",
    ]
    assert str(quiet.pk) in entries[1].find(f"{ATOM}link").attrib["href"]  # type: ignore[union-attr]

    old_token = subscription.feed_token
    client.post("/digest", {"action": "renew"})
    assert Client().get(f"/digest/feed/{old_token}.atom").status_code == 404


def test_digest_of_a_list_and_bad_choices(reader: Account, authors: dict[str, Any]) -> None:
    client = _login(reader)
    veille = List.objects.create(owner=reader, title="Veille")
    veille.members.add(authors["anna"])
    status_services.post_status(authors["anna"], "Dans la veille")
    status_services.post_status(authors["basile"], "Ailleurs")
    page = client.get("/digest", {"list_id": veille.pk, "period": "week"}).content.decode()
    assert "Dans la veille" in page and "Ailleurs" not in page
    other = List.objects.create(owner=authors["anna"], title="Pas à toi")
    assert client.get("/digest", {"list_id": other.pk}).status_code == 404
    assert client.get("/digest", {"period": "year"}).status_code == 404


def test_glance_priority_folds_posts_into_the_home_summary_line(
    reader: Account, authors: dict[str, Any]
) -> None:
    client = _login(reader)
    response = client.post("/settings/priorities", {"account": "@anna", "level": "glance"})
    assert response.status_code == 302
    client.post("/settings/priorities", {"account": "@basile", "level": "glance"})
    for text in ("Premier billet", "Second billet"):
        status_services.post_status(authors["anna"], text)
    status_services.post_status(authors["basile"], "Billet de Basile")
    status_services.post_status(authors["celine"], "Billet de Céline")

    home = client.get("/home").content.decode()
    assert "3 posts from Anna and Basile today" in home
    assert "Premier billet" not in home and "Billet de Céline" in home

    # The same from Céline's profile, back to the profile.
    answer = client.post(
        f"/priorities/{authors['celine'].pk}", {"level": "glance", "next": "/@celine"}
    )
    assert answer.status_code == 302 and answer["Location"] == "/@celine"
    assert 'id="priority-level"' in client.get("/@celine").content.decode()
    assert "4 posts from Anna, Basile and Celine today" in client.get("/home").content.decode()
    refused = client.post(f"/priorities/{authors['celine'].pk}", {"level": "x"}, follow=True)
    assert "A priority is either close or glance." in refused.content.decode()
    client.post(f"/priorities/{authors['celine'].pk}", {"level": "none"})

    wrong = client.post("/settings/priorities", {"account": "@nobody", "level": "close"})
    assert wrong.status_code == 400
    assert "No account with this handle is known here." in wrong.content.decode()
    client.post("/settings/priorities", {"account": "@anna", "level": "none"})
    assert "Premier billet" in client.get("/home").content.decode()


def test_exclusive_list_from_the_lists_page(reader: Account, authors: dict[str, Any]) -> None:
    client = _login(reader)
    client.post("/lists", {"title": "Veille", "exclusive": "on"})
    veille = List.objects.get(owner=reader)
    assert veille.exclusive
    veille.members.add(authors["anna"])
    status_services.post_status(authors["anna"], "Réservé à la veille")
    assert "Réservé à la veille" not in client.get("/home").content.decode()
    page = client.get(f"/lists/{veille.pk}").content.decode()
    assert "This list is exclusive" in page and f"/digest?list_id={veille.pk}" in page

    client.post(f"/lists/{veille.pk}/exclusive", {"exclusive": "off"})
    assert not List.objects.get(pk=veille.pk).exclusive
    assert "Réservé à la veille" in client.get("/home").content.decode()
    other = _login(authors["basile"])
    assert other.post(f"/lists/{veille.pk}/exclusive", {"exclusive": "on"}).status_code == 404


def test_filters_with_contexts_and_expiry(reader: Account) -> None:
    client = _login(reader)
    created = client.post(
        "/settings/filters",
        {
            "title": "Spoilers",
            "keywords": "fin du livre, dénouement",
            "contexts": ["home", "thread"],
            "action": "hide",
            "expires_in": "86400",
        },
    )
    assert created.status_code == 302
    found = Filter.objects.get(owner=reader)
    assert found.contexts == ["home", "thread"]
    assert sorted(k.keyword for k in found.keywords.all()) == ["dénouement", "fin du livre"]
    assert found.expires_at is not None
    hours = (found.expires_at - timezone.now()).total_seconds() / 3600
    assert 23.9 < hours <= 24
    assert "Spoilers" in client.get("/settings/filters").content.decode()

    missing = client.post("/settings/filters", {"title": "Vide", "keywords": "x", "action": "warn"})
    assert missing.status_code == 400
    client.post(f"/settings/filters/{found.pk}/delete")
    assert not Filter.objects.filter(owner=reader).exists()


def test_policy_and_review_queue(reader: Account) -> None:
    client = _login(reader)
    form = {
        "for_not_following": "filter",
        "for_not_followers": "accept",
        "for_new_accounts": "accept",
        "for_private_mentions": "filter",
        "for_limited_accounts": "filter",
    }
    assert client.post("/settings/notifications", form).status_code == 302
    stranger = make_account("stranger", display_name="Inconnu")
    status_services.post_status(stranger, "@reader achetez mon livre")

    assert "Inconnu" not in client.get("/notifications").content.decode()
    queue = client.get("/notifications/requests").content.decode()
    assert "Inconnu" in queue and "1 notification" in queue
    request = NotificationRequest.objects.get(account=reader)
    held = client.get(f"/notifications/requests/{request.pk}").content.decode()
    assert "achetez mon livre" in held

    client.post(f"/notifications/requests/{request.pk}/accept")
    assert "Inconnu" in client.get("/notifications").content.decode()
    assert Notification.objects.filter(recipient=reader, filtered=False).count() == 1

    other = _login(make_account("other"))
    status_services.post_status(stranger, "@reader encore")
    assert not NotificationRequest.objects.filter(account=reader).exists()
    assert other.get(f"/notifications/requests/{request.pk}").status_code == 404


def test_filters_apply_per_context_on_the_pages_until_they_expire(
    reader: Account, authors: dict[str, Any]
) -> None:
    from babillard.timelines import services as timeline_services

    client = _login(reader)
    anna = authors["anna"]
    hidden = timeline_services.create_filter(
        reader,
        "Intrigue",
        ["home", "notifications"],
        action="hide",
        keywords=[("dénouement", True)],
    )
    timeline_services.create_filter(
        reader, "Prix", ["public", "thread"], action="warn", keywords=[("Goncourt", True)]
    )
    spoiler = status_services.post_status(anna, "Le dénouement du roman @reader")
    prize = status_services.post_status(anna, "Le Goncourt est attribué")
    status_services.post_status(anna, "Rien à cacher")

    home = client.get("/home").content.decode()
    assert "Rien à cacher" in home and "dénouement" not in home
    # The same post on the local timeline is only behind a warning there.
    local = client.get("/public/local").content.decode()
    assert "Filtered: Prix" in local and "Le Goncourt est attribué" in local
    assert "dénouement" in local
    assert "Le dénouement" not in client.get("/notifications").content.decode()

    reply = status_services.post_status(anna, "Et le Goncourt des lycéens ?", in_reply_to=prize)
    thread = client.get(f"/@anna/{prize.pk}").content.decode()
    assert thread.count("Filtered: Prix") == 1  # the reply, not the post opened
    assert "Et le Goncourt des lycéens" in thread and str(reply.pk) in thread

    Filter.objects.filter(pk=hidden.pk).update(expires_at=timezone.now())
    assert "dénouement" in client.get("/home").content.decode()
    assert str(spoiler.pk) in client.get("/home").content.decode()
