"""A board in real Chromium, in French and English: a curator creates it, adds a post by
its address, accepts a reader's suggestion, and a visitor reads the public page; every
page passes the basic accessibility checks of ``test_accessibility``."""

from typing import Any

import pytest

from babillard.boards import services
from babillard.boards.models import Board
from babillard.core.testing import PASSWORD, make_account
from babillard.statuses.services import post_status
from tests.browser.test_accessibility import CHECKS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "fr": {
        "accept": "fr-FR",
        "create": "Créer la sélection",
        "add": "Ajouter à la sélection",
        "added": "L'élément est dans la sélection.",
        "waiting": "1 suggestion en attente",
        "accept_button": "Accepter",
        "accepted": "La suggestion est dans la sélection.",
        "comment": "Commentaire du curateur :",
    },
    "en": {
        "accept": "en-GB",
        "create": "Create the board",
        "add": "Add to the board",
        "added": "The item is on the board.",
        "waiting": "1 suggestion waiting",
        "accept_button": "Accept",
        "accepted": "The suggestion is on the board.",
        "comment": "Curator's comment:",
    },
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_create_a_board_add_a_post_accept_a_suggestion(
    browser: Any, live_server: Any, settings: Any, language: str
) -> None:
    texts = TEXTS[language]
    base = live_server.url
    settings.DOMAIN = base.split("://", 1)[1]
    make_account("alice", display_name="Alice")
    bob = make_account("bob", display_name="Bob")
    post = post_status(bob, "Un guide des données ouvertes")

    context = browser.new_context(locale=texts["accept"])
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/auth/login")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/home")

    page.goto(f"{base}/boards")
    assert page.locator("html").get_attribute("lang") == language
    assert page.evaluate(CHECKS) == []
    page.fill("#id_title", "Veille numérique")
    page.fill("#id_description", "Données ouvertes et bibliothèques")
    page.click(f"button:has-text('{texts['create']}')")
    board = Board.objects.get()
    page.wait_for_url(f"{base}/boards/{board.pk}")

    page.fill("#id_reference", f"{base}/@bob/{post.pk}")
    page.fill("#id_comment", "Clair et complet")
    page.click(f"button:has-text('{texts['add']}')")
    page.wait_for_selector(f"text={texts['added']}")
    assert board.items.get().status_id == post.pk
    assert page.evaluate(CHECKS) == []
    page.goto(f"{base}/boards/{board.pk}/manage")
    assert page.evaluate(CHECKS) == []

    # A reader's suggestion waits in the queue until the curator accepts it.
    services.suggest(board, by=bob, url="https://example.org/rapport", title="Le rapport")
    page.goto(f"{base}/boards/{board.pk}")
    page.click(f"a:has-text('{texts['waiting']}')")
    assert page.evaluate(CHECKS) == []
    page.fill("input[name=comment]", "Les chiffres de l'année")
    page.click(f"button:has-text('{texts['accept_button']}')")
    page.wait_for_selector(f"text={texts['accepted']}")
    context.close()

    visitor = browser.new_context(locale=texts["accept"])
    reader = visitor.new_page()
    reader.goto(f"{base}/boards/{board.pk}")
    assert reader.locator("h1").inner_text() == "Veille numérique"
    assert reader.evaluate(CHECKS) == []
    body = reader.locator("main").inner_text()
    assert "Un guide des données ouvertes" in body
    assert "Clair et complet" in body and texts["comment"] in body
    link = reader.get_by_role("link", name="Le rapport")
    assert link.get_attribute("href") == "https://example.org/rapport"
    assert "Les chiffres de l'année" in body
    assert reader.locator("#id_reference").count() == 0
    visitor.close()
