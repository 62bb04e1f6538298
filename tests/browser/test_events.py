"""Events in real Chromium, in French and in English: a reader creates an event through
the form, another joins it from the event page, and the .ics download parses back with
the event's hour in its own time zone."""

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar

from babillard.core.testing import make_account
from babillard.events.models import Event
from tests.browser.test_journey import log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "fr": {
        "publish": "Publier l\u2019événement",
        "join": "Participer",
        "joined": "Vous participez",
    },
    "en": {"publish": "Publish the event", "join": "Join", "joined": "You take part"},
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_create_join_and_download(
    browser: Any, live_server: Any, language: str, tmp_path: Path
) -> None:
    texts = TEXTS[language]
    base = live_server.url
    make_account("organiser")
    make_account("reader")
    day = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=5)).date()

    # The first request of a fresh server loads templates and catalogues: on a busy
    # machine that alone can outlast the browser's navigation timeout.
    httpx.get(f"{base}/auth/login", headers={"Accept-Language": language}, timeout=120)
    organiser = new_page(browser, language)
    log_in(organiser, base, "organiser")
    organiser.goto(f"{base}/events/new")
    organiser.fill("#id_title", "Lecture à voix haute")
    organiser.fill("#id_description", "Venez écouter.")
    organiser.fill("#id_starts_at", f"{day.isoformat()}T18:30")
    organiser.fill("#id_ends_at", f"{day.isoformat()}T20:00")
    organiser.select_option("#id_timezone", "Europe/Paris")
    organiser.fill("#id_address", "3 place Bellecour, Lyon")
    organiser.select_option("#id_registration", "babillard")
    organiser.fill("#id_capacity", "10")
    organiser.click(f"main form button:has-text('{texts['publish']}')")
    organiser.wait_for_url(f"{base}/events/*")
    event = Event.objects.get(title="Lecture à voix haute")
    assert organiser.locator("h1").inner_text() == "Lecture à voix haute"

    reader = new_page(browser, language)
    log_in(reader, base, "reader")
    reader.goto(f"{base}/events/{event.pk}")
    reader.click(f".event-actions button:has-text('{texts['join']}')")
    reader.locator(".event-actions p[role=status]", has_text=texts["joined"]).wait_for()
    event.refresh_from_db()
    assert event.participants_count == 1

    with reader.expect_download() as download_info:
        reader.click(f"a[href='/events/{event.pk}.ics']")
    saved = tmp_path / "event.ics"
    download_info.value.save_as(saved)
    [item] = Calendar.from_ical(saved.read_bytes()).walk("VEVENT")
    assert str(item["summary"]) == "Lecture à voix haute"
    assert item["dtstart"].params["TZID"] == "Europe/Paris"
    start = item.decoded("dtstart")
    assert (start.hour, start.minute) == (18, 30)
    assert not reader.errors and not organiser.errors
