"""The whole journey in real Chromium: sign up, confirm, post with a hashtag and an
described image, follow, home timeline, reply, boost, favourite, search with and
without accents, report, and a moderator acting on the report; in French and English."""

import io
import re
from typing import Any

import pytest
from django.core import mail
from PIL import Image

from babillard.accounts.models import Account
from babillard.core.testing import PASSWORD, make_account
from babillard.moderation.models import Report
from babillard.statuses.models import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "fr": {
        "post": "Nouvelle étagère de #Romans à la médiathèque !",
        "alt": "Une étagère de romans",
        "home": "Accueil",
        "reply": "Superbe étagère, bravo",
        "signed_up": "Consultez vos courriels",
        "confirmed": "Votre adresse électronique est confirmée",
        "reported": "les modérateurs examineront votre signalement",
        "suspended": "Le compte est suspendu.",
        "accept": "fr-FR",
    },
    "en": {
        "post": "New étagère of #Novels at the library!",
        "alt": "A shelf of novels",
        "home": "Home",
        "reply": "Lovely étagère, well done",
        "signed_up": "Check your e-mail",
        "confirmed": "Your e-mail address is confirmed",
        "reported": "the moderators will look at your report",
        "suspended": "The account is suspended.",
        "accept": "en-GB",
    },
}


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def new_page(browser: Any, language: str) -> Any:
    context = browser.new_context(locale=TEXTS[language]["accept"])
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors
    return page


def log_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/home")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_journey(browser: Any, live_server: Any, language: str) -> None:
    texts = TEXTS[language]
    base = live_server.url
    alice = make_account("alice", display_name="Alice Martin")
    make_account("modo", moderator=True)

    # Sign up and confirm the address from the e-mail.
    claire = new_page(browser, language)
    claire.goto(f"{base}/auth/sign_up")
    assert claire.locator("html").get_attribute("lang") == language
    claire.fill("#id_username", "claire")
    claire.fill("#id_email", "claire@example.org")
    claire.fill("#id_password", "un-long-mot-de-passe")
    claire.fill("#id_password_again", "un-long-mot-de-passe")
    claire.check("#id_accept")
    claire.click("main form button[type=submit]")
    claire.get_by_text(texts["signed_up"]).first.wait_for()
    link = re.search(r"https?://\S+(/auth/confirm/\S+/)", mail.outbox[-1].body)
    assert link
    claire.goto(base + link.group(1))
    claire.get_by_text(texts["confirmed"]).wait_for()
    log_in(claire, base, "claire", "un-long-mot-de-passe")

    # Post with a hashtag and a described image, without a reload (htmx).
    # The counter counts as Mastodon: a link of any length counts 23 characters.
    claire.fill("#id_text", "Voir https://example.org/" + "a" * 100)
    assert claire.inner_text("#compose-counter").startswith("472 ")
    claire.fill("#id_text", texts["post"])
    assert re.match(r"^\d+ \D+ \(500\)$", claire.inner_text("#compose-counter"))
    assert claire.inner_text("#compose-counter").startswith(str(500 - len(texts["post"])))
    claire.click("#compose details:has(#id_image_1) > summary")
    claire.set_input_files(
        "#id_image_1", files=[{"name": "shelf.png", "mimeType": "image/png", "buffer": png()}]
    )
    claire.fill("#id_alt_1", texts["alt"])
    claire.evaluate("window.notReloaded = true")
    claire.click("#compose button[type=submit]")
    claire.locator("#timeline-items article", has_text=texts["post"][:20]).wait_for()
    assert claire.input_value("#id_text") == ""
    assert claire.evaluate("window.notReloaded === true")
    post = Status.objects.get(account__username="claire")
    assert post.media.get().description == texts["alt"]
    assert claire.locator(f"#status-{post.pk} img[alt='{texts['alt']}']").count() == 1

    # Alice follows Claire and sees the post on her home timeline.
    reader = new_page(browser, language)
    log_in(reader, base, "alice")
    reader.goto(f"{base}/@claire")
    reader.click("form[action$='/follow'] button")
    reader.goto(f"{base}/home")
    article = reader.locator(f"#status-{post.pk}")
    article.wait_for()
    assert texts["home"] in reader.inner_text("nav")

    # Boost and favourite without reloading; the buttons show their new state.
    reader.evaluate("window.notReloaded = true")
    article.locator("form[action$='/reblog'] button").click()
    reader.locator(
        f"#status-{post.pk} form[action$='/unreblog'] button[aria-pressed=true]"
    ).wait_for()
    reader.locator(f"#status-{post.pk} form[action$='/favourite'] button").click()
    reader.locator(
        f"#status-{post.pk} form[action$='/unfavourite'] button[aria-pressed=true]"
    ).wait_for()
    assert reader.evaluate("window.notReloaded === true")
    post.refresh_from_db()
    assert (post.reblogs_count, post.favourites_count) == (1, 1)

    # Reply from the thread page.
    reader.goto(f"{base}/@claire/{post.pk}")
    reader.fill("#reply #id_text", f"@claire {texts['reply']}")
    reader.click("#reply button[type=submit]")
    reader.locator(".descendants article", has_text=texts["reply"]).wait_for()
    assert Status.objects.filter(account=alice, in_reply_to=post).exists()

    # Search with and without accents.
    for query in ("étagère", "etagere"):
        reader.goto(f"{base}/search?q={query}")
        reader.locator(f"#status-{post.pk}").wait_for()

    # Report the post.
    reader.goto(f"{base}/@claire/{post.pk}")
    reader.click(f"#status-{post.pk} a[href*='/report']")
    reader.select_option("#id_category", "spam")
    reader.fill("#id_comment", "Test")
    reader.click("main form button[type=submit]")
    reader.get_by_text(texts["reported"]).wait_for()
    report = Report.objects.get()
    assert list(report.statuses.all()) == [post]

    # A moderator suspends the account from the report.
    moderator = new_page(browser, language)
    log_in(moderator, base, "modo")
    moderator.goto(f"{base}/moderation/reports")
    moderator.click(f"a[href='/moderation/reports/{report.pk}']")
    moderator.click("button[formaction$='/suspend']")
    moderator.get_by_text(texts["suspended"]).wait_for()
    assert Account.objects.get(username="claire").is_suspended
    anonymous = new_page(browser, language)
    response = anonymous.goto(f"{base}/@claire")
    assert response is not None and response.status == 404

    for page in (claire, reader, moderator):
        assert not page.errors, page.errors
