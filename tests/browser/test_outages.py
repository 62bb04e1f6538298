"""E-resource platforms in real Chromium, in French and in English, from a phone-sized
window: a librarian follows a platform's incidents and reports it down, the board shows
the probable outage, and a moderator resolves the incident, which the librarian is told of."""

from typing import Any

import httpx
import pytest

from babillard.core.testing import make_account
from babillard.institutions.models import Role, Site
from babillard.institutions.services import add_member
from babillard.notifications.models import Notification
from babillard.outages import services
from babillard.outages.models import Incident, Platform
from tests.browser.test_accessibility import CHECKS
from tests.browser.test_journey import TEXTS as JOURNEY
from tests.browser.test_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TEXTS = {
    "fr": {
        "down": "Inaccessible",
        "follow": "Suivre les incidents",
        "thanks": "Merci : votre signalement compte dès maintenant.",
        "probable": "Panne probable",
        "update": "Mettre à jour l\u2019incident",
        "operational": "Opérationnelle",
    },
    "en": {
        "down": "Down",
        "follow": "Follow incidents",
        "thanks": "Thank you: your report counts now.",
        "probable": "Probable outage",
        "update": "Update the incident",
        "operational": "Operational",
    },
}


def _phone(browser: Any, language: str) -> Any:
    context = browser.new_context(locale=JOURNEY[language]["accept"], viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors
    return page


def _librarian(username: str, city: str) -> Any:
    institution = make_account(f"{username}_bib", kind="institution")
    Site.objects.create(institution=institution, name="Centre", city=city)
    person = make_account(username)
    add_member(institution, institution, person, Role.STAFF)
    return person


@pytest.mark.parametrize("language", ["fr", "en"])
def test_report_follow_and_resolve_from_a_phone(
    browser: Any, live_server: Any, language: str
) -> None:
    texts = TEXTS[language]
    base = live_server.url
    cairn = services.create_platform(None, name="Cairn", url="https://www.cairn.info/")
    services.record_probe(cairn, cairn.home_url, ok=True, status_code=200, latency_ms=150)
    services.report_problem(_librarian("lyon", "Lyon"), cairn, "down")
    services.report_problem(_librarian("lille", "Lille"), cairn, "login")
    librarian = _librarian("nantes", "Nantes")
    make_account("modo", moderator=True)

    httpx.get(f"{base}/auth/login", headers={"Accept-Language": language}, timeout=120)
    page = _phone(browser, language)
    log_in(page, base, "nantes")
    page.goto(f"{base}/platforms/cairn")
    page.click(f"main button:has-text('{texts['follow']}')")
    page.locator(".messages").wait_for()
    page.click(f".report-buttons button:has-text('{texts['down']}')")
    page.locator(".messages", has_text=texts["thanks"]).wait_for()
    page.locator("#platform-state .state", has_text=texts["probable"]).wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"

    page.goto(f"{base}/platforms")
    row = page.locator("#platform-board li[data-platform=cairn]")
    assert texts["probable"] in row.inner_text()
    incident = Incident.objects.get(platform=cairn)

    moderator = _phone(browser, language)
    log_in(moderator, base, "modo")
    moderator.goto(f"{base}/platforms/cairn")
    moderator.select_option("#update-state", "resolved")
    moderator.fill("#update-message", "Rétabli / restored")
    moderator.click(f"main button:has-text('{texts['update']}')")
    moderator.locator("#platform-state .state", has_text=texts["operational"]).wait_for()
    incident.refresh_from_db()
    assert not incident.is_open
    assert Notification.objects.filter(
        recipient=librarian, from_account=Platform.objects.get(pk=cairn.pk).actor
    ).exists()
    page.goto(f"{base}/platforms")
    assert (
        texts["operational"] in page.locator("#platform-board li[data-platform=cairn]").inner_text()
    )
    for path in ("/platforms", "/platforms/cairn", "/platforms/propose"):
        page.goto(base + path)
        assert page.evaluate(CHECKS) == [], path
    moderator.goto(f"{base}/platforms/proposals")
    assert moderator.evaluate(CHECKS) == []
    assert not page.errors and not moderator.errors
