"""Reactions and local-only posts in real Chromium, in French and in English: a reader
puts an emoji on a post from the form under it and sees the count and who reacted; then
writes a local-only post from the composer, which anonymous visitors do not see."""

from typing import Any

import httpx
import pytest

from babillard.core.testing import make_account
from babillard.reactions.models import Reaction
from babillard.statuses.models import Status
from babillard.statuses.services import post_status
from tests.browser.test_journey import log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "fr": {"add": "Ajouter", "who": "Qui a réagi", "local": "local seulement"},
    "en": {"add": "Add", "who": "Who reacted", "local": "local only"},
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_react_and_post_local_only(browser: Any, live_server: Any, language: str) -> None:
    texts = TEXTS[language]
    base = live_server.url
    alice = make_account("alice", display_name="Alice Martin")
    bob = make_account("bob", display_name="Bob Durand")
    post = post_status(alice, "Nouveaux albums jeunesse")
    # The first request of a fresh server loads templates and catalogues.
    httpx.get(f"{base}/auth/login", headers={"Accept-Language": language}, timeout=120)

    reader = new_page(browser, language)
    log_in(reader, base, "bob")
    reader.goto(f"{base}/@alice/{post.pk}")
    article = reader.locator(f"#status-{post.pk}")
    article.locator(f"#react-{post.pk}").select_option(value="📚")
    article.locator(f"button:text-is('{texts['add']}')").click()
    pressed = reader.locator(f"#status-{post.pk} .reaction-counts button[aria-pressed=true]")
    pressed.wait_for()
    assert "📚" in pressed.inner_text() and "1" in pressed.inner_text()
    assert Reaction.objects.filter(account=bob, status=post, name="📚").exists()

    reader.click(f"#status-{post.pk} a:text-is('{texts['who']}')")
    reader.wait_for_url(f"{base}/@alice/{post.pk}/reactions")
    assert "@bob" in reader.locator("main").inner_text()

    # A local-only post from the composer: marked so, and hidden from visitors.
    reader.goto(f"{base}/compose")
    reader.fill("#id_text", "Réunion d'équipe jeudi")
    reader.check("#id_local_only")
    reader.click("#compose button.primary")
    written = Status.objects.get(account=bob, text="Réunion d'équipe jeudi")
    assert written.local_only
    reader.wait_for_url(f"{base}/@bob/{written.pk}")
    assert texts["local"] in reader.locator(f"#status-{written.pk} .meta").inner_text()
    visitor = new_page(browser, language)
    answer = visitor.goto(f"{base}/@bob/{written.pk}")
    assert answer is not None and answer.status == 404
    assert not reader.errors
