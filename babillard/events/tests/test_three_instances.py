"""Three real Babillard servers on loopback: an institution on A organises an event with
two places; readers on B and C join it through the API, the waiting list moves up when
one leaves, and moving the event online notifies every participant on every instance.

The servers and their harness are in ``babillard.core.tests.servers``.
"""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar

from babillard.core.tests.servers import (  # noqa: F401  (fixture)
    ApiClient,
    Instance,
    instances,
    wait_for,
)

API = "/api/babillard/v1"
SETUP_ORGANISER = """
import json
from babillard.accounts.services import create_local_user
from babillard.events import services
from babillard.institutions.models import Site
user = create_local_user("mediatheque", "mediatheque@example.org", "x" * 20, kind="institution")
site = Site.objects.create(institution=user.account, name="Centre", city="Lyon")
event = services.create_event(user.account, site_id=site.pk, capacity=2, registration="babillard",
    title="Atelier", starts_at=STARTS, ends_at=ENDS, timezone="Europe/Paris")
print(json.dumps({"id": event.pk, "url": services.event_url(event)}))
"""


class Reader(ApiClient):
    """One account's API client on one instance, and what it reads of the event."""

    def find_event(self, url: str) -> str:
        """The event's id on this instance, found by URL as a Mastodon client would."""
        found = self.call("GET", "/api/v2/search", params={"q": url, "resolve": "true"})
        [status] = found["statuses"]
        return str(status["babillard"]["event"]["id"])

    def state(self, event_id: str) -> str:
        return str(self.call("GET", f"{API}/events/{event_id}")["participation"])

    def notified_of_change(self) -> bool:
        found = self.call("GET", "/api/v1/notifications")
        return any(n["type"] == "event.update" for n in found)


@pytest.mark.own_databases
def test_an_event_across_three_instances(instances: dict[str, Instance]) -> None:  # noqa: F811
    a, b, c = instances["a"], instances["b"], instances["c"]
    paris = ZoneInfo("Europe/Paris")
    day = (datetime.now(paris) + timedelta(days=3)).date()
    start = datetime(day.year, day.month, day.day, 18, tzinfo=paris)
    created = json.loads(
        a.shell(
            SETUP_ORGANISER,
            STARTS=start.isoformat(),
            ENDS=(start + timedelta(hours=2)).isoformat(),
        )
    )
    organiser = Reader(a, "mediatheque")
    bob, carol, dan = Reader(b, "bob"), Reader(c, "carol"), Reader(c, "dan")

    def listed() -> list[tuple[str, str]]:
        rows = organiser.call("GET", f"{API}/events/{created['id']}/participants")
        return [(row["account"]["acct"], row["state"]) for row in rows]

    # B's reader joins through the API: pending until A accepts, then on A's list.
    on_b = bob.find_event(created["url"])
    joined = bob.call("POST", f"{API}/events/{on_b}/participation")
    assert joined["state"] in ("pending", "participant")
    wait_for(lambda: bob.state(on_b) == "participant", "A's Accept reaching B")
    assert listed() == [(b.handle("bob"), "participant")]

    # C's two readers: one takes the last place, the other waits.
    on_c = carol.find_event(created["url"])
    carol.call("POST", f"{API}/events/{on_c}/participation")
    wait_for(lambda: carol.state(on_c) == "participant", "carol accepted")
    dan.call("POST", f"{API}/events/{on_c}/participation")
    wait_for(lambda: dan.state(on_c) == "waiting", "dan on the waiting list")
    assert [state for _who, state in listed()] == ["participant", "participant", "waiting"]

    # B's reader leaves: C's waiting reader moves up on both sides.
    bob.call("DELETE", f"{API}/events/{on_b}/participation")
    wait_for(lambda: dan.state(on_c) == "participant", "dan moving up")
    assert sorted(listed()) == sorted(
        [(c.handle("carol"), "participant"), (c.handle("dan"), "participant")]
    )
    # B's reader comes back, on the waiting list this time.
    bob.call("POST", f"{API}/events/{on_b}/participation")
    wait_for(lambda: bob.state(on_b) == "waiting", "bob waiting")

    # Moved online: everyone taking part or waiting, on every instance, is told.
    organiser.call(
        "PATCH",
        f"{API}/events/{created['id']}",
        json={"status": "moved_online", "online_url": "https://visio.example/atelier"},
    )
    for reader in (bob, carol, dan):
        wait_for(reader.notified_of_change, f"{reader.server.name} told of the change")
    assert carol.call("GET", f"{API}/events/{on_c}")["status"] == "moved_online"

    # Calendars: the event's zone and hour, then STATUS:CANCELLED once cancelled.
    organiser.call("POST", f"{API}/events/{created['id']}/cancel")
    document = httpx.get(f"http://{a.domain}/events/{created['id']}.ics", timeout=30)
    [item] = Calendar.from_ical(document.content).walk("VEVENT")
    assert item["dtstart"].params["TZID"] == "Europe/Paris"
    assert item.decoded("dtstart").hour == 18
    assert str(item["status"]) == "CANCELLED"
    wait_for(lambda: bob.call("GET", f"{API}/events/{on_b}")["status"] == "cancelled", "B told")
