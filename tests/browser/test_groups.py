"""Groups in real Chromium, in French and in English: a librarian creates a group whose
posts wait for a moderator, a reader asks to join and is accepted, posts from the group
page, and the moderator shares then removes the post."""

from typing import Any

import httpx
import pytest

from babillard.core.testing import make_account
from babillard.groups import queries
from tests.browser.test_journey import log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "fr": {
        "create": "Créer le groupe",
        "ask": "Demander à rejoindre",
        "accept": "Accepter",
        "post": "Envoyer au groupe",
        "share": "Partager ce message",
        "leave": "Quitter le groupe",
        "waiting": "Aucun message en attente.",
    },
    "en": {
        "create": "Create the group",
        "ask": "Ask to join",
        "accept": "Accept",
        "post": "Send to the group",
        "share": "Share this post",
        "leave": "Leave the group",
        "waiting": "No post waiting.",
    },
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_create_join_post_and_moderate(browser: Any, live_server: Any, language: str) -> None:
    texts = TEXTS[language]
    base = live_server.url
    make_account("claire")
    reader = make_account("alice")
    httpx.get(f"{base}/auth/login", headers={"Accept-Language": language}, timeout=120)
    moderator = new_page(browser, language)
    log_in(moderator, base, "claire")
    moderator.goto(f"{base}/groups")
    moderator.fill("#id_username", "polars")
    moderator.fill("#id_display_name", "Polars du Nord")
    moderator.fill("#id_rules", "Pas de divulgâchage.")
    moderator.select_option("#id_join_mode", "approval")
    moderator.check("#id_hold_posts")
    moderator.click(f"main form button:has-text('{texts['create']}')")
    moderator.wait_for_url(f"{base}/groups/polars")
    assert "Pas de divulgâchage." in moderator.content()

    member = new_page(browser, language)
    log_in(member, base, "alice")
    member.goto(f"{base}/groups")
    member.click("text=Polars du Nord")
    member.click(f"main form button:has-text('{texts['ask']}')")
    member.wait_for_url(f"{base}/groups/polars")

    moderator.goto(f"{base}/groups/polars/moderation")
    moderator.click(f"main li:has-text('@alice') button:has-text('{texts['accept']}')")
    moderator.wait_for_url(f"{base}/groups/polars/moderation")
    assert queries.is_member(reader, queries.get_group("polars"))

    member.goto(f"{base}/groups/polars")
    member.fill("#id_text", "Qui a lu « Le Lagon noir » ?")
    member.click(f"main form button:has-text('{texts['post']}')")
    member.wait_for_url(f"{base}/groups/polars")
    assert member.get_by_role("button", name=texts["leave"]).count() == 1

    moderator.goto(f"{base}/groups/polars/moderation")
    assert "Le Lagon noir" in moderator.content()
    moderator.click(f"main form button:has-text('{texts['share']}')")
    moderator.wait_for_url(f"{base}/groups/polars/moderation")
    assert texts["waiting"] in moderator.content()
    member.goto(f"{base}/groups/polars")
    assert "Le Lagon noir" in member.content()
    assert moderator.errors == [] and member.errors == []
