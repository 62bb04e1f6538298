"""A hashtag wall projected in real Chromium, in French and in English: the page shows
the posts with their alt text and a QR code, a new post appears without a reload, and
the page never keeps more than its cap of posts."""

from typing import Any

import httpx
import pytest

from babillard.core.testing import image_bytes, make_account
from babillard.statuses import services as status_services
from tests.browser.test_journey import new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "fr": {"invite": "Publiez avec #congres2026 pour apparaître ici.", "empty": "Aucun message"},
    "en": {"invite": "Post with #congres2026 to appear here.", "empty": "No post yet."},
}
MAX_POSTS = 30


@pytest.mark.parametrize("language", ["fr", "en"])
def test_project_a_wall_and_watch_new_posts_appear(
    browser: Any, live_server: Any, language: str
) -> None:
    texts = TEXTS[language]
    base = live_server.url
    author = make_account("orateur", display_name="Orateur")
    media = status_services.upload_media(author, image_bytes(), "La salle comble")
    status_services.post_status(author, "Bienvenue au #Congres2026", media_ids=[media.pk])
    httpx.get(f"{base}/tags/congres2026/wall", headers={"Accept-Language": language}, timeout=120)

    screen = new_page(browser, language)
    screen.goto(f"{base}/tags/congres2026/wall")
    assert screen.locator("h1").inner_text() == "#congres2026"
    assert texts["invite"] in screen.locator(".wall-header").inner_text()
    assert screen.locator("svg.wall-qr").is_visible()
    assert screen.locator("img[alt='La salle comble']").is_visible()
    assert screen.locator("article.wall-post").count() == 1

    # A new post arrives through the hashtag's event stream, without a reload.
    status_services.post_status(author, "Première conférence à 10 h #congres2026")
    screen.locator("article.wall-post", has_text="Première conférence").wait_for()
    assert screen.locator("article.wall-post").first.inner_text().startswith("Orateur")
    assert "Première conférence" in screen.locator("article.wall-post").first.inner_text()

    # A day of posts: the page keeps the newest ones only. (One at a time: the test
    # database is an in-memory SQLite that refuses a write while the server reads.)
    for number in range(MAX_POSTS):
        status_services.post_status(author, f"Message {number} #congres2026")
        screen.locator("article.wall-post", has_text=f"Message {number}").first.wait_for()
    screen.wait_for_function(
        f"document.querySelectorAll('article.wall-post').length === {MAX_POSTS}"
    )
    assert screen.locator("article.wall-post", has_text="Bienvenue").count() == 0
    assert screen.errors == []
    screen.context.close()
