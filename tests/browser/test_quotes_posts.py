"""Quotes and reply policies in real Chromium, in French and in English: a reader quotes a
post from its "Quote" action and sees it embedded in their own; an author picks "People I
mention" as the reply policy, and another reader's reply is refused with a message."""

from typing import Any

import httpx
import pytest

from babillard.core.testing import make_account
from babillard.statuses.models import Quote, Status
from babillard.statuses.services import post_status
from tests.browser.test_journey import log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "fr": {
        "quote": "Citer",
        "mentioned": "Les personnes que je mentionne",
        "refused": "Seules les personnes mentionnées dans ce message peuvent y répondre.",
    },
    "en": {
        "quote": "Quote",
        "mentioned": "People I mention",
        "refused": "Only the people mentioned in this post may reply to it.",
    },
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_quote_a_post_and_a_refused_reply(browser: Any, live_server: Any, language: str) -> None:
    texts = TEXTS[language]
    base = live_server.url
    alice = make_account("alice", display_name="Alice Martin")
    bob = make_account("bob", display_name="Bob Durand")
    source = post_status(alice, "C'est moi ou CAIRN est en panne ?", spoiler_text="Panne")
    # The first request of a fresh server loads templates and catalogues.
    httpx.get(f"{base}/auth/login", headers={"Accept-Language": language}, timeout=120)

    # Bob quotes Alice's post from its "Quote" action.
    reader = new_page(browser, language)
    log_in(reader, base, "bob")
    reader.goto(f"{base}/@alice/{source.pk}")
    reader.click(f"#status-{source.pk} footer a:text-is('{texts['quote']}')")
    reader.wait_for_url(f"{base}/compose?quote={source.pk}")
    preview = reader.locator(".compose-quote")
    assert "Alice Martin" in preview.inner_text() and "Panne" in preview.inner_text()
    reader.fill("#id_text", "Pareil à Lyon.")
    reader.click("#compose button.primary")
    quote = Status.objects.get(account=bob)
    reader.wait_for_url(f"{base}/@bob/{quote.pk}")
    embedded = reader.locator(f"#status-{quote.pk} blockquote.quoted-status")
    assert "Alice Martin" in embedded.inner_text()
    embedded.locator("summary").click()  # the quoted post's content warning
    assert "CAIRN" in embedded.inner_text()
    assert not reader.locator(f"#status-{quote.pk} .quote-inline").is_visible()
    assert Quote.objects.get(status=quote).state == "accepted"

    # Alice allows replies from the people she mentions only; Bob's reply is refused.
    author = new_page(browser, language)
    log_in(author, base, "alice")
    author.goto(f"{base}/compose")
    author.fill("#id_text", "Une question pour l'équipe")
    author.select_option("#id_reply_policy", label=texts["mentioned"])
    author.click("#compose button.primary")
    question = Status.objects.get(account=alice, text="Une question pour l'équipe")
    assert question.reply_policy == "mentioned"
    reader.goto(f"{base}/@alice/{question.pk}")
    reader.fill("#id_text", "Je réponds")
    reader.click("#compose button.primary")
    assert texts["refused"] in reader.locator("main").inner_text()
    assert not Status.objects.filter(in_reply_to=question).exists()
    # The refused form comes back with 400, which Chromium logs; nothing else went wrong.
    assert [e for e in reader.errors if "400" not in e] == [] and author.errors == []
