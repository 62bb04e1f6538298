"""Triage in real Chromium, in French and in English: a reader catches up after a day of
posts (grouped by author, the most interacted-with first, then all marked read), and reads
the digest of the day, ranked by the favourites and boosts of the people they follow."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from django.utils import timezone

from babillard.accounts import services as account_services
from babillard.accounts.models import Account
from babillard.core.ids import new_id
from babillard.core.testing import make_account
from babillard.statuses import services as status_services
from babillard.statuses.models import Favourite, Status
from babillard.triage.queries import catch_up, last_read_id
from tests.browser.test_journey import log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "fr": {
        "catch_up": "Rattrapage",
        "new": "5 nouveaux messages dans votre fil d\u2019accueil.",
        "mark": "Tout marquer comme lu",
        "done": "Vous êtes à jour",
        "digest": "Sélection",
        "show": "Afficher",
        "week": "Semaine",
    },
    "en": {
        "catch_up": "Catch up",
        "new": "5 new posts in your home timeline.",
        "mark": "Mark all read",
        "done": "You are up to date",
        "digest": "Digest",
        "show": "Show",
        "week": "Week",
    },
}


def _a_day_of_posts() -> None:
    """Three authors post over the last day; the ones the reader follows react to some."""
    reader = make_account("reader")
    names = {"anna": "Anna", "basile": "Basile", "celine": "Céline"}
    authors = {n: make_account(n, display_name=d) for n, d in names.items()}
    for author in authors.values():
        account_services.follow(reader, author)
    now = timezone.now()
    day = [
        (22, "anna", "Nouveau fonds patrimonial #patrimoine"),
        (18, "basile", "Heure du conte mercredi #jeunesse"),
        (12, "anna", "Numérisation terminée #patrimoine"),
        (6, "celine", "Fermeture exceptionnelle lundi"),
        (2, "basile", "Sélection de romans graphiques #jeunesse"),
    ]
    posts = {}
    for hours_ago, name, text in day:
        posted = status_services.post_status(authors[name], text)
        Status.objects.filter(pk=posted.pk).update(created_at=now - timedelta(hours=hours_ago))
        posts[text] = posted
    # Basile's story hour is what the followed accounts liked most, a while ago; Céline's
    # closure got one fresh favourite.
    for fan, hours_ago in ((authors["anna"], 10), (authors["celine"], 8)):
        status_services.favourite(fan, posts["Heure du conte mercredi #jeunesse"])
        Favourite.objects.filter(
            account=fan, status=posts["Heure du conte mercredi #jeunesse"]
        ).update(id=new_id(now - timedelta(hours=hours_ago)))
    status_services.reblog(authors["celine"], posts["Heure du conte mercredi #jeunesse"])
    status_services.favourite(authors["anna"], posts["Fermeture exceptionnelle lundi"])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catch_up_then_read_the_digest(browser: Any, live_server: Any, language: str) -> None:
    texts = TEXTS[language]
    base = live_server.url
    _a_day_of_posts()
    httpx.get(f"{base}/auth/login", headers={"Accept-Language": language}, timeout=120)
    page = new_page(browser, language)
    log_in(page, base, "reader")

    page.click(f"header nav a:has-text('{texts['catch_up']}')")
    page.wait_for_url(f"{base}/catch_up")
    assert texts["new"] in page.locator("main").inner_text()
    groups = page.locator("details.catch-up-group summary")
    # Basile's two posts carry three interactions (two favourites and a boost), Céline's
    # closure one favourite, Anna's two posts none.
    assert [groups.nth(i).inner_text().split(" — ")[0] for i in range(3)] == [
        "Basile",
        "Céline",
        "Anna",
    ]
    assert page.locator("details.catch-up-group").first.get_attribute("open") is not None
    assert "#patrimoine" in page.locator(".catch-up-tags").inner_text()
    page.click(f"main button:has-text('{texts['mark']}')")
    page.locator("main p.empty", has_text=texts["done"]).wait_for()
    reader = Account.objects.get(username="reader")
    assert last_read_id(reader) > 0
    assert catch_up(reader).total == 0

    page.click(f"header nav a:has-text('{texts['digest']}')")
    page.wait_for_url(f"{base}/digest")
    ranked = page.locator("ol.digest > li .status .content")
    assert "Heure du conte" in ranked.nth(0).inner_text()
    assert "Fermeture exceptionnelle" in ranked.nth(1).inner_text()
    page.select_option("#id_period", "week")
    page.click(f"main form button:has-text('{texts['show']}')")
    page.wait_for_url(f"{base}/digest?*period=week*")
    assert page.locator("ol.digest > li").count() == 5
    assert not page.errors
