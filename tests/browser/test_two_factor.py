"""Two-factor authentication in real Chromium, in French and in English: a reader sets it
up from the settings (QR code and secret, first code, recovery codes shown once), then logs
in with the password and a code, and once with a recovery code; each page passes the basic
accessibility checks."""

from typing import Any

import pytest

from babillard.core.testing import PASSWORD, make_account
from babillard.security import queries
from babillard.security.tests.helpers import code_at
from tests.browser.test_accessibility import CHECKS
from tests.browser.test_journey import log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "fr": {
        "nav": "Double authentification",
        "set_up": "Mettre en place la double authentification",
        "turn_on": "Activer",
        "on": "La double authentification est activée.",
        "log_out": "Se déconnecter",
        "left": "il en reste 9",
    },
    "en": {
        "nav": "Two-factor authentication",
        "set_up": "Set up two-factor authentication",
        "turn_on": "Turn on",
        "on": "Two-factor authentication is on.",
        "log_out": "Log out",
        "left": "9 are left",
    },
}


def _accessible(page: Any) -> None:
    assert page.evaluate(CHECKS) == [], page.url


def _password_step(page: Any, base: str) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/auth/login/code")
    _accessible(page)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_set_up_two_factor_then_log_in_with_codes(
    browser: Any, live_server: Any, language: str
) -> None:
    texts = TEXTS[language]
    base = live_server.url
    alice = make_account("alice")
    page = new_page(browser, language)
    log_in(page, base, "alice")

    page.goto(f"{base}/settings/profile")
    page.get_by_role("link", name=texts["nav"]).click()
    page.get_by_role("button", name=texts["set_up"]).click()
    qr = page.locator("svg.two-factor-qr")
    qr.wait_for()
    assert qr.bounding_box()["width"] > 100  # type: ignore[index]
    _accessible(page)
    secret = page.locator("code.two-factor-secret").inner_text().replace(" ", "")
    assert secret == queries.two_factor_of(alice.user).secret  # type: ignore[arg-type, union-attr]

    page.fill("#id_code", code_at(secret))
    page.get_by_role("button", name=texts["turn_on"], exact=True).click()
    page.get_by_text(texts["on"]).wait_for()
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    _accessible(page)

    page.get_by_role("button", name=texts["log_out"]).click()
    _password_step(page, base)
    page.fill("#id_code", code_at(secret, +1))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/home")

    page.get_by_role("button", name=texts["log_out"]).click()
    _password_step(page, base)
    page.fill("#id_code", codes[0])
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/home")
    page.get_by_text(texts["left"]).wait_for()
    assert page.errors == []
