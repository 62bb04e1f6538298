"""iCalendar feeds parsed back with ``icalendar``: zones, daylight saving, status, sequence."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.test import Client
from icalendar import Calendar

from babillard.events import services
from babillard.events.tests.conftest import event_fields

PARIS = ZoneInfo("Europe/Paris")


def _parse(response: Any) -> Calendar:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def _at(year: int, month: int, day: int, hour: int) -> str:
    return datetime(year, month, day, hour, 0, tzinfo=PARIS).isoformat()


def _dst_pair(library: dict[str, Any]) -> list[Any]:
    """Two events at 18:00 Paris time either side of a daylight-saving change."""
    year = datetime.now(PARIS).year + 1
    editor, institution = library["editor"], library["institution"]
    winter = services.create_event(
        editor,
        institution_id=institution.pk,
        site_id=library["site"].pk,
        **event_fields(title="Hiver", starts_at=_at(year, 3, 20, 18), ends_at=_at(year, 3, 20, 19)),
    )
    summer = services.create_event(
        editor,
        institution_id=institution.pk,
        **event_fields(
            title="Été", starts_at=_at(year, 4, 3, 18), ends_at=_at(year, 4, 3, 20), tags=["été"]
        ),
    )
    return [winter, summer]


def test_times_stay_right_across_daylight_saving(client: Client, library: dict[str, Any]) -> None:
    winter, summer = _dst_pair(library)
    calendar = _parse(client.get(f"/@{library['institution'].username}/events.ics"))
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Hiver", "Été"}
    for item in events.values():
        start = item.decoded("dtstart")
        assert item["dtstart"].params["TZID"] == "Europe/Paris"
        assert start.hour == 18 and start.utcoffset() is not None
    assert events["Hiver"].decoded("dtstart").utcoffset() == timedelta(hours=1)
    assert events["Été"].decoded("dtstart").utcoffset() == timedelta(hours=2)
    assert events["Hiver"].decoded("dtstart") == winter.starts_at
    assert events["Été"].decoded("dtend") == summer.ends_at
    zones = calendar.walk("VTIMEZONE")
    assert [str(z["tzid"]) for z in zones] == ["Europe/Paris"]
    assert {c.name for c in zones[0].subcomponents} >= {"STANDARD", "DAYLIGHT"}


def test_cancelled_event_and_sequence(client: Client, library: dict[str, Any]) -> None:
    event = services.create_event(library["editor"], **event_fields())
    services.update_event(library["editor"], event, title="Contes du soir")
    services.cancel_event(library["editor"], event)
    item = _parse(client.get(f"/events/{event.pk}.ics")).walk("VEVENT")[0]
    assert str(item["status"]) == "CANCELLED"
    assert int(item["sequence"]) == 2
    assert str(item["uid"]).endswith(f"/events/{event.pk}")
    assert str(item["summary"]) == "Contes du soir"


def test_site_tag_and_instance_feeds(client: Client, library: dict[str, Any]) -> None:
    _dst_pair(library)
    site = _parse(client.get(f"/sites/{library['site'].pk}/events.ics"))
    assert [str(e["summary"]) for e in site.walk("VEVENT")] == ["Hiver"]
    tag = _parse(client.get("/tags/été/events.ics"))
    assert [str(e["summary"]) for e in tag.walk("VEVENT")] == ["Été"]
    everything = _parse(client.get("/events.ics"))
    assert len(everything.walk("VEVENT")) == 2
    assert "Centre" in str(site.walk("VEVENT")[0]["location"])


def test_private_feed_of_my_events_with_a_regenerable_token(
    client: Client, library: dict[str, Any]
) -> None:
    alice = library["readers"][0]
    winter, _summer = _dst_pair(library)
    services.join_event(alice, winter)
    token = services.calendar_settings(alice).feed_token
    mine = _parse(client.get(f"/events/mine/{token}.ics"))
    assert [str(e["summary"]) for e in mine.walk("VEVENT")] == ["Hiver"]
    services.regenerate_feed_token(alice)
    assert client.get(f"/events/mine/{token}.ics").status_code == 404
    assert client.get("/events/mine/guess.ics").status_code == 404
