"""Pages checked in Chromium for the basics of RGAA / WCAG 2.1 AA, and every core
action done with JavaScript turned off."""

from typing import Any

import pytest

from babillard.accounts.services import follow
from babillard.core.testing import PASSWORD, image_bytes, make_account
from babillard.moderation.services import report
from babillard.statuses.models import Favourite, Status
from babillard.statuses.services import PollSpec, post_status, upload_media

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Returns a list of problems found on the page.
CHECKS = """() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("no lang attribute");
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push("image without alt: " + img.src);
  }
  const fields = document.querySelectorAll(
    "input:not([type=hidden]):not([type=submit]), select, textarea");
  for (const field of fields) {
    const labelled = (field.id && document.querySelector(`label[for="${field.id}"]`))
      || field.closest("label") || field.getAttribute("aria-label");
    if (!labelled) problems.push("field without label: " + (field.name || field.outerHTML));
  }
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")];
  if (document.querySelectorAll("h1").length !== 1) problems.push("not exactly one h1");
  let previous = 0;
  for (const h of headings) {
    const level = Number(h.tagName[1]);
    if (level > previous + 1) problems.push("heading level skipped at: " + h.textContent);
    previous = level;
  }
  const skip = document.querySelector("a.skip-link");
  if (!skip || !document.querySelector(skip.getAttribute("href"))) problems.push("no skip link");
  for (const button of document.querySelectorAll("button")) {
    if (!button.textContent.trim() && !button.getAttribute("aria-label")) {
      problems.push("button without text");
    }
  }
  return problems;
}"""


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/home")


def test_pages_pass_basic_accessibility_checks(browser: Any, live_server: Any) -> None:
    alice = make_account("alice", moderator=True)
    bob = make_account("bob")
    follow(bob, alice)
    media = upload_media(alice, image_bytes(), "Une étagère")
    post = post_status(alice, "Bonjour #veille", media_ids=[media.pk])
    post_status(alice, "Sondage", poll=PollSpec(options=["oui", "non"], expires_in=3600))
    post_status(bob, "@alice merci", in_reply_to=post)
    report(bob, alice, statuses=[post])
    base = live_server.url
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    pages = ["/", "/about", "/auth/login", "/auth/sign_up", "/public/local", "/@alice"]
    for path in pages:
        page.goto(base + path)
        assert page.evaluate(CHECKS) == [], path
    log_in(page, base, "alice")
    pages = [
        "/home",
        "/public/local",
        "/tags/veille",
        "/@alice",
        "/@bob",
        f"/@alice/{post.pk}",
        "/@alice/followers",
        "/compose",
        "/search?q=bonjour",
        "/notifications",
        "/lists",
        "/bookmarks",
        "/scheduled",
        "/settings/profile",
        "/settings/account",
        "/settings/preferences",
        "/settings/mutes",
        "/follow_requests",
        "/moderation/reports",
        "/moderation/sign_ups",
        "/moderation/accounts",
        "/moderation/log",
    ]
    for path in pages:
        page.goto(base + path)
        assert page.evaluate(CHECKS) == [], path
    # The keyboard reaches the skip link first, and it leads to the content.
    page.goto(base + "/home")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"


def test_core_actions_work_without_javascript(browser: Any, live_server: Any) -> None:
    alice = make_account("alice")
    make_account("bob")
    post = post_status(alice, "Sans JavaScript")
    base = live_server.url
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, base, "bob")
    page.goto(f"{base}/@alice")
    page.click("form[action$='/follow'] button")
    page.goto(f"{base}/@alice/{post.pk}")
    page.click(f"#status-{post.pk} form[action$='/favourite'] button")
    page.wait_for_url(f"{base}/@alice/{post.pk}")
    assert Favourite.objects.filter(status=post).exists()
    page.fill("#reply #id_text", "@alice replied without scripts")
    page.click("#reply button[type=submit]")
    page.locator(".descendants article", has_text="without scripts").wait_for()
    page.goto(f"{base}/home")
    page.fill("#id_text", "A post from a plain form")
    page.click("#compose button[type=submit]")
    page.wait_for_url(f"{base}/home")
    assert Status.objects.filter(text="A post from a plain form").exists()
