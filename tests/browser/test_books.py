"""A book review in real Chromium, in French and English: the ISBN typed with hyphens in
the composer, the book card, and "find it in my library" leading to the catalogue
address built from the library's template."""

from typing import Any

import pytest

from babillard.books.models import BookPost
from babillard.core.testing import PASSWORD, make_account
from babillard.institutions.models import Institution, Role
from babillard.institutions.services import add_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CATALOGUE = "https://catalogue.mediatheque.example/recherche?isbn={isbn}"
TEXTS = {
    "fr": {
        "accept": "fr-FR",
        "books": "Livres",
        "review": "Critique",
        "publish": "Publier",
        "find_it": "Le trouver dans ma bibliothèque",
        "published": "Votre message est publié.",
    },
    "en": {
        "accept": "en-GB",
        "books": "Books",
        "review": "Review",
        "publish": "Publish",
        "find_it": "Find it in my library",
        "published": "Your post is published.",
    },
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_review_and_find_it_in_my_library(browser: Any, live_server: Any, language: str) -> None:
    texts = TEXTS[language]
    base = live_server.url
    library = make_account("mediatheque", kind="institution", display_name="Médiathèque")
    Institution.objects.create(
        account=library, official_name="Médiathèque", catalogue_url_template=CATALOGUE
    )
    lea = make_account("lea", display_name="Léa")
    add_member(library, library, lea, Role.STAFF)

    context = browser.new_context(locale=texts["accept"])
    context.set_default_timeout(15_000)
    page = context.new_page()
    # The catalogue is another site: answer for it, so the test stays offline.
    page.route(
        "https://catalogue.mediatheque.example/**",
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<h1>Catalogue</h1>"
        ),
    )
    page.goto(f"{base}/auth/login")
    page.fill("#id_username", "lea")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/home")

    page.goto(f"{base}/compose")
    assert page.locator("html").get_attribute("lang") == language
    page.fill("#id_text", "Un classique qui n'a pas pris une ride.")
    page.click(f"details.compose-books summary:has-text('{texts['books']}')")
    page.fill("#id_book_isbn", "978-2-07-036002-4")
    page.select_option("#id_book_kind", label=texts["review"])
    page.select_option("#id_book_rating", "5")
    page.fill("#id_book_review_title", "L'absurde")
    page.click(f"#compose button[type=submit]:has-text('{texts['publish']}')")
    page.wait_for_selector(f"text={texts['published']}")
    post = BookPost.objects.get(status__account=lea)
    assert (post.kind, post.rating) == ("review", 5)
    assert post.books.get().isbn13 == "9782070360024"

    page.goto(f"{base}/books/9782070360024")
    card = page.locator("article.book-card")
    assert "9782070360024" in card.inner_text()
    assert page.locator(f"a[href$='/@lea/{post.status_id}']").count() >= 1
    with page.expect_navigation():
        card.get_by_role("link", name=texts["find_it"]).click()
    assert page.url == "https://catalogue.mediatheque.example/recherche?isbn=9782070360024"
    assert page.locator("h1").inner_text() == "Catalogue"
    context.close()
