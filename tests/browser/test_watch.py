"""The deck in real Chromium, in French and in English: a reader creates an antenna,
sets up a deck of three columns (home, a hashtag, the antenna), sees them side by side
on a wide screen and stacked on a phone, and a new post appears live in its columns."""

from typing import Any

import httpx
import pytest

from babillard.core.testing import make_account
from babillard.statuses.services import post_status
from babillard.watch import queries
from tests.browser.test_journey import log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "fr": {
        "create": "Créer l\u2019antenne",
        "add": "Ajouter la colonne",
        "home": "Accueil",
        "antenna": "Antenne : Patrimoine",
        "read": "Marquer comme lu",
    },
    "en": {
        "create": "Create the antenna",
        "add": "Add the column",
        "home": "Home",
        "antenna": "Antenna: Patrimoine",
        "read": "Mark as read",
    },
}


def add_column(page: Any, base: str, texts: dict[str, str], kind: str, **fields: str) -> None:
    page.goto(f"{base}/deck")
    page.select_option("#id_kind", kind)
    for name, value in fields.items():
        if name == "antenna_id":
            page.select_option(f"#id_{name}", value)
        else:
            page.fill(f"#id_{name}", value)
    page.click(f"main form button:has-text('{texts['add']}')")
    page.wait_for_url(f"{base}/deck")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_deck_of_three_columns(browser: Any, live_server: Any, language: str) -> None:
    texts = TEXTS[language]
    base = live_server.url
    reader = make_account("veilleuse")
    author = make_account("conservateur")
    httpx.get(f"{base}/auth/login", headers={"Accept-Language": language}, timeout=120)
    page = new_page(browser, language)
    log_in(page, base, "veilleuse")

    page.goto(f"{base}/antennas")
    page.fill("#id_title", "Patrimoine")
    page.fill("#id_keywords", "patrimoine écrit")
    page.click(f"main form button:has-text('{texts['create']}')")
    page.wait_for_url(f"{base}/antennas/*")
    antenna = queries.antennas(reader).get()

    add_column(page, base, texts, "home")
    add_column(page, base, texts, "hashtag", tag="#Patrimoine")
    add_column(page, base, texts, "antenna", antenna_id=str(antenna.pk))
    titles = page.locator(".deck .column h2").all_inner_texts()
    assert titles == [texts["home"], "#patrimoine", texts["antenna"]]

    # Side by side on a wide screen, stacked on a phone.
    boxes = [c.bounding_box() for c in page.locator(".deck .column").all()]
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"]
    assert boxes[0]["y"] == boxes[1]["y"] == boxes[2]["y"]
    page.set_viewport_size({"width": 390, "height": 800})
    boxes = [c.bounding_box() for c in page.locator(".deck .column").all()]
    assert boxes[0]["x"] == boxes[1]["x"] == boxes[2]["x"]
    assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    page.set_viewport_size({"width": 1280, "height": 800})

    # A new post appears live in the hashtag and antenna columns (streaming, then polling).
    post_status(author, "Journées du PATRIMOINE ÉCRIT en #Patrimoine")
    hashtag = page.locator(".deck .column").nth(1)
    hashtag.locator(".column-entry", has_text="Journées du PATRIMOINE").wait_for(timeout=30_000)
    assert hashtag.locator(".column-entry.unread").count() == 1
    page.reload()
    caught = page.locator(".deck .column").nth(2)
    assert caught.locator(".column-entry", has_text="PATRIMOINE ÉCRIT").count() == 1

    # Reading: the column's "mark as read" clears its unread marks, without JavaScript too.
    hashtag = page.locator(".deck .column").nth(1)
    hashtag.locator(f"button:has-text('{texts['read']}')").click()
    page.wait_for_url(f"{base}/deck*")
    assert page.locator(".deck .column").nth(1).locator(".column-entry.unread").count() == 0
    assert [c.kind for c in queries.columns(reader)] == ["home", "hashtag", "antenna"]
    assert not page.errors
