"""The whole XSS corpus on a post and on a profile, opened in real Chromium: no dialog opens,
no script from it runs, and a strict content security policy (added to each answer here, so
that an injected inline script or handler would be reported) reports nothing."""

from typing import Any

import pytest

from babillard.accounts.services import update_profile
from babillard.core.testing import image_bytes, make_account
from babillard.statuses.services import post_status, upload_media
from tests.xss import CORPUS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLICY = "script-src 'self'; object-src 'none'; base-uri 'none'"
WHOLE = "\n".join(CORPUS)
STIR = """() => {
  for (const element of document.querySelectorAll("main *")) {
    for (const kind of ["mouseover", "focus", "click", "toggle", "animationstart"]) {
      if (kind === "click" && element.closest("a, button, form, summary")) continue;
      element.dispatchEvent(new Event(kind));
    }
  }
}"""


def _chunks(limit: int) -> list[str]:
    """The corpus cut into pieces of at most ``limit`` characters, payloads kept whole."""
    pieces = [""]
    for payload in CORPUS:
        if pieces[-1] and len(pieces[-1]) + len(payload) + 1 > limit:
            pieces.append("")
        pieces[-1] = f"{pieces[-1]}\n{payload}".strip("\n")
    return pieces


def test_the_corpus_runs_nowhere(browser: Any, live_server: Any, settings: Any) -> None:
    settings.DOMAIN = live_server.url.split("://", 1)[1]
    settings.MAX_STATUS_CHARACTERS = 20_000
    author = make_account("auteur")
    bio, *others = _chunks(500)
    update_profile(
        author,
        display_name=CORPUS[0][:30],
        note=bio,
        fields=[{"name": p[:255], "value": p[:255]} for p in others[:4]],
    )
    media = upload_media(author, image_bytes(), description=WHOLE[:1500])
    status = post_status(author, WHOLE, spoiler_text=CORPUS[7], media_ids=[media.pk])
    for payload in CORPUS:
        post_status(author, payload)

    context = browser.new_context()
    context.set_default_timeout(30_000)

    def with_policy(route: Any) -> None:
        response = route.fetch()
        route.fulfill(
            response=response,
            headers={**response.headers, "content-security-policy": POLICY},
        )

    context.route(f"{live_server.url}/**", with_policy)
    page = context.new_page()
    dialogs: list[str] = []
    reported: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: reported.append(str(error)))
    page.on(
        "console",
        lambda message: (
            reported.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in (f"/@auteur/{status.pk}", "/@auteur"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        # Hover and focus everything, so that handlers waiting for a person would fire too.
        page.evaluate(STIR)
        page.wait_for_timeout(500)
        assert (
            page.evaluate("document.querySelectorAll('main script, main svg, main iframe').length")
            == 0
        )
        assert "alert(1)" in page.locator("main").inner_text()
    context.close()
    assert dialogs == []
    assert reported == []
