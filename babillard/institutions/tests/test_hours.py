from datetime import UTC, date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from babillard.institutions import hours

PARIS = ZoneInfo("Europe/Paris")


def _site(opening_hours, time_zone="Europe/Paris"):
    return SimpleNamespace(opening_hours=opening_hours, time_zone=time_zone)


WEEK = {"mon": [["09:00", "12:00"], ["14:00", "19:00"]], "sat": [["10:00", "24:00"]]}


def test_hours_are_sorted_and_checked():
    cleaned = hours.validate_opening_hours({"mon": [["14:00", "19:00"], ["09:00", "12:00"]]})
    assert cleaned == {"mon": [["09:00", "12:00"], ["14:00", "19:00"]]}
    assert hours.validate_opening_hours(None) == {}
    for bad in (
        {"mon": [["12:00", "12:00"]]},
        {"mon": [["09:00"]]},
        {"mon": "09:00-19:00"},
        {"xyz": []},
        {"mon": [["24:30", "25:00"]]},
        {"mon": [["09:60", "10:00"]]},
    ):
        with pytest.raises(ValidationError):
            hours.validate_opening_hours(bad)


def test_open_and_until_in_the_site_time_zone():
    site = _site(WEEK)
    # Monday 2026-03-02, 10:30 in Paris is 09:30 UTC.
    state = hours.open_state(site, datetime(2026, 3, 2, 9, 30, tzinfo=UTC), closures=[])
    assert state.open and state.until == datetime(2026, 3, 2, 12, 0, tzinfo=PARIS)
    lunch = hours.open_state(site, datetime(2026, 3, 2, 12, 30, tzinfo=PARIS), closures=[])
    assert not lunch.open and lunch.until == datetime(2026, 3, 2, 14, 0, tzinfo=PARIS)
    evening = hours.open_state(site, datetime(2026, 3, 2, 19, 0, tzinfo=PARIS), closures=[])
    assert not evening.open and evening.until == datetime(2026, 3, 7, 10, 0, tzinfo=PARIS)
    assert hours.is_open(site, datetime(2026, 3, 7, 23, 59, tzinfo=PARIS), closures=[])
    # The same instant is 09:30 in Paris but 03:30 in Montreal, where the site is closed.
    montreal = _site(WEEK, "America/Montreal")
    assert not hours.is_open(montreal, datetime(2026, 3, 2, 8, 30, tzinfo=UTC), closures=[])
    assert hours.is_open(site, datetime(2026, 3, 2, 8, 30, tzinfo=UTC), closures=[])


def test_a_site_without_hours_is_always_open_except_closures():
    site = _site({})
    assert hours.is_open(site, datetime(2026, 3, 1, 3, 0, tzinfo=PARIS), closures=[])
    closure = SimpleNamespace(start=date(2026, 3, 1), end=date(2026, 3, 2), reason="Travaux")
    state = hours.open_state(site, datetime(2026, 3, 1, 12, 0, tzinfo=PARIS), closures=[closure])
    assert not state.open and state.closure_reason == "Travaux"
    assert state.until == datetime(2026, 3, 3, 0, 0, tzinfo=PARIS)


def test_closures_win_over_hours():
    closure = SimpleNamespace(start=date(2026, 3, 2), end=date(2026, 3, 2), reason="")
    site = _site(WEEK)
    assert not hours.is_open(site, datetime(2026, 3, 2, 10, 0, tzinfo=PARIS), closures=[closure])


def test_kinds_of_day():
    school = [SimpleNamespace(start=date(2026, 4, 18), end=date(2026, 5, 3))]
    assert hours.day_kind(date(2026, 5, 1), school) == hours.PUBLIC_HOLIDAY  # Fête du travail
    assert hours.day_kind(date(2026, 7, 14), []) == hours.PUBLIC_HOLIDAY
    assert hours.day_kind(date(2026, 4, 6), []) == hours.PUBLIC_HOLIDAY  # Easter Monday
    assert hours.day_kind(date(2026, 4, 20), school) == hours.SCHOOL_HOLIDAYS
    assert hours.day_kind(date(2026, 3, 10), school) == hours.TERM


def test_time_zones_are_checked():
    assert hours.validate_time_zone("America/Cayenne") == "America/Cayenne"
    with pytest.raises(ValidationError):
        hours.validate_time_zone("Mars/Olympus")


def test_after_a_closure_the_site_opens_at_its_first_range_even_at_midnight():
    site = _site({"tue": [["00:00", "12:00"]]})
    closure = SimpleNamespace(start=date(2026, 3, 2), end=date(2026, 3, 2), reason="")
    state = hours.open_state(site, datetime(2026, 3, 2, 10, 0, tzinfo=PARIS), closures=[closure])
    assert state.until == datetime(2026, 3, 3, 0, 0, tzinfo=PARIS)
