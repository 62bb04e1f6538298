import csv
import io
import math
import random
import statistics
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_package
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from babillard.core.errors import Forbidden
from babillard.institutions.services import (
    add_closure,
    add_school_holiday,
    create_site,
    set_network,
    update_institution,
)
from babillard.occupancy import queries, services
from babillard.occupancy.models import HistoryPoint, Level

PARIS = ZoneInfo("Europe/Paris")
HOURS = {day: [["09:00", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}
SCHOOL = (date(2026, 4, 18), date(2026, 5, 3))
# Monday 4 May 2026, 08:30 in Paris: the week ahead holds Friday 8 May, a public holiday.
NOW = datetime(2026, 5, 4, 8, 30, tzinfo=PARIS)


# --- the public feed -----------------------------------------------------------------------


def test_site_occupancy_feed(world):
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    services.update_occupancy(world.reading, world.staff, count=85, queue_minutes=30, now=now)
    services.update_occupancy(world.floor, world.staff, count=2, now=now - timedelta(minutes=45))
    feed = queries.site_occupancy(world.site, now)
    assert feed["open"] is True
    assert feed["site"]["name"] == "Centre Pompidou" and feed["site"]["timezone"] == "Europe/Paris"
    assert feed["updated_at"] == now.isoformat()
    reading, floor = feed["spaces"]
    assert reading == {
        "id": str(world.reading.pk),
        "name": "Salle de lecture",
        "capacity": 100,
        "count": 85,
        "level": "high",
        "queue_minutes": 30,
        "updated_at": now.isoformat(),
    }
    # Older than 30 minutes: unknown, and no count shown as if it were current.
    assert floor["level"] == "unknown" and floor["count"] is None


def test_closed_site_and_closures(world):
    space = services.create_space(world.manager, world.hours_site, "Salle", 20)
    monday = datetime(2026, 3, 2, 10, 0, tzinfo=PARIS)
    services.update_occupancy(space, world.staff, count=4, now=monday)
    feed = queries.site_occupancy(world.hours_site, monday)
    assert feed["open"] and feed["until"] == datetime(2026, 3, 2, 19, 0, tzinfo=PARIS).isoformat()
    assert feed["spaces"][0]["level"] == "low"
    add_closure(world.manager, world.hours_site, date(2026, 3, 2), date(2026, 3, 3), "Inventaire")
    feed = queries.site_occupancy(world.hours_site, monday)
    assert not feed["open"] and feed["spaces"][0]["level"] == "closed"
    assert feed["until"] == datetime(2026, 3, 4, 9, 0, tzinfo=PARIS).isoformat()
    assert [c.reason for c in queries.upcoming_closures(world.hours_site, monday)] == ["Inventaire"]


def test_network_page_lists_members_with_live_status(world):
    from babillard.core.testing import make_account

    network = make_account("reseau", kind="institution")
    update_institution(network, network, type="network")
    set_network(world.institution, world.institution, network)
    services.update_occupancy(world.floor, world.staff, full=True)
    status = queries.network_status(network)
    assert [entry["institution"].account for entry in status] == [world.institution]
    levels = {
        space["name"]: space["level"] for site in status[0]["sites"] for space in site["spaces"]
    }
    assert levels["Niveau 2"] == "full"


# --- forecasts: 8 weeks of generated history, checked against medians computed here -------


def _kind(day: date) -> str:
    if day in holidays_package.France(years=day.year):
        return "public"
    if SCHOOL[0] <= day <= SCHOOL[1]:
        return "school"
    return "term"


def _generate(space, rng):
    """Ten weeks of points every ten minutes in opening hours. Counts differ by kind of
    day, so that mixing kinds would change the medians; weeks 9 and 10 are far off,
    so that reaching past eight weeks would too."""
    points, truth = [], []
    day = date(2026, 2, 23)
    while day < NOW.date():
        if day.weekday() != 6:
            low, high = {"public": (0, 5), "school": (0, 15), "term": (10, 70)}[_kind(day)]
            if day < NOW.date() - timedelta(weeks=8):
                low, high = 400, 500
            moment = datetime.combine(day, time(9, 0), tzinfo=PARIS)
            while moment.time() < time(19, 0):
                count = rng.randint(low, high)
                full = rng.random() < 0.03
                closed = rng.random() < 0.02
                points.append(
                    HistoryPoint(space=space, at=moment, count=count, full=full, closed=closed)
                )
                truth.append((moment, count, full, closed))
                moment += timedelta(minutes=rng.choice([5, 10, 15]))
        day += timedelta(days=1)
    HistoryPoint.objects.bulk_create(points)
    return truth


def _expected_slots(truth, capacity):
    peaks: dict[tuple[date, int], int] = {}
    for moment, count, full, closed in truth:
        if closed:
            continue
        key = (moment.date(), (moment.hour * 60 + moment.minute) // 30)
        value = max(count, capacity) if full else count
        peaks[key] = max(peaks.get(key, 0), value)
    today = NOW.date()
    first = datetime.combine(today, time(NOW.hour, NOW.minute // 30 * 30), tzinfo=PARIS)
    expected = []
    start = first
    while start < NOW + timedelta(days=7):
        day = start.date()
        refs = [
            day_ - timedelta(0)
            for day_ in (today - timedelta(days=n) for n in range(1, 57))
            if day_.weekday() == day.weekday() and _kind(day_) == _kind(day)
        ]
        slot = (start.hour * 60 + start.minute) // 30
        values = [peaks[(ref, slot)] for ref in refs if (ref, slot) in peaks]
        count = math.floor(statistics.median(values) + 0.5) if values else None
        is_open = day.weekday() != 6 and time(9, 0) <= start.time() < time(19, 0)
        if not is_open:
            level = "closed"
        elif count is None:
            level = "unknown"
        elif count >= capacity:
            level = "full"
        elif count >= 0.8 * capacity:
            level = "high"
        elif count >= 0.5 * capacity:
            level = "moderate"
        else:
            level = "low"
        expected.append({"start": start.isoformat(), "expected_count": count, "level": level})
        start = datetime.combine(day, time.min, tzinfo=PARIS) + timedelta(minutes=(slot + 1) * 30)
    return expected


def test_forecast_replays_eight_weeks_against_independent_medians(world):
    site = create_site(world.manager, name="Bpi", city="Paris", opening_hours=HOURS)
    add_school_holiday(world.manager, world.institution, *SCHOOL, name="Printemps")
    space = services.create_space(world.manager, site, "Salle", 50)
    truth = _generate(space, random.Random(20260504))
    forecast = queries.site_forecast(site, NOW)
    assert forecast["site_id"] == str(site.pk) and forecast["timezone"] == "Europe/Paris"
    [computed] = forecast["spaces"]
    expected = _expected_slots(truth, 50)
    assert len(computed["slots"]) == len(expected) == 7 * 48
    assert computed["slots"] == expected
    # The kinds of day were really told apart: Friday 8 May (public holiday) follows
    # Friday 1 May only, not the term-time Fridays.
    by_start = {s["start"]: s["expected_count"] for s in computed["slots"]}
    holiday_noon = datetime(2026, 5, 8, 12, 0, tzinfo=PARIS).isoformat()
    term_noon = datetime(2026, 5, 7, 12, 0, tzinfo=PARIS).isoformat()
    assert by_start[holiday_noon] is not None and by_start[holiday_noon] <= 50
    assert by_start[term_noon] >= 10


def _fill_mondays(space, first_full: dict[date, time | None]):
    points = []
    for day, full_at in first_full.items():
        moment = datetime.combine(day, time(9, 0), tzinfo=PARIS)
        while moment.time() < time(13, 0):
            count = 10 if full_at is not None and moment.time() >= full_at else 4
            points.append(HistoryPoint(space=space, at=moment, count=count))
            moment += timedelta(minutes=5)
    HistoryPoint.objects.bulk_create(points)


def test_usually_full_from_sentence(world):
    space = services.create_space(world.manager, world.hours_site, "Carrels", 10)
    _fill_mondays(
        space,
        {
            date(2026, 4, 27): time(10, 35),
            date(2026, 4, 20): time(10, 40),
            date(2026, 4, 13): time(10, 45),
            date(2026, 4, 6): None,  # Easter Monday: another kind of day
            date(2026, 3, 30): time(10, 40),
            date(2026, 3, 23): time(11, 0),
        },
    )
    moment = queries.usually_full_from(space, date(2026, 5, 4), NOW)
    assert moment == time(10, 40)
    with translation.override("en"):
        assert queries.full_from_sentence(moment) == "Usually full from 10:40"
        forecast = queries.space_forecast(space, NOW)
    assert {"date": "2026-05-04", "text": "Usually full from 10:40"} in forecast["sentences"]
    assert "2026-05-05" not in {s["date"] for s in forecast["sentences"]}


def test_no_sentence_when_the_median_never_reaches_full(world):
    space = services.create_space(world.manager, world.hours_site, "Carrels", 10)
    _fill_mondays(
        space,
        {
            date(2026, 4, 27): time(10, 35),
            date(2026, 4, 20): None,
            date(2026, 4, 13): None,
            date(2026, 3, 30): time(10, 40),
            date(2026, 3, 23): None,
        },
    )
    assert queries.usually_full_from(space, date(2026, 5, 4), NOW) is None


def test_day_curve_against_the_usual_curve(world):
    space = services.create_space(world.manager, world.hours_site, "Carrels", 10)
    _fill_mondays(space, {date(2026, 4, 27): None, date(2026, 4, 20): time(9, 0)})
    for minutes, count in ((0, 2), (10, 5), (35, 3)):
        HistoryPoint.objects.create(
            space=space, at=datetime(2026, 5, 4, 9, minutes, tzinfo=PARIS), count=count
        )
    curve = queries.day_curve(space, datetime(2026, 5, 4, 9, 40, tzinfo=PARIS))
    assert len(curve) == 48
    nine, half_past, ten = curve[18], curve[19], curve[20]
    assert nine["count"] == 5 and half_past["count"] == 3 and ten["count"] is None
    # Usual: median of 4 (27 April) and 10 (20 April, full from 09:00) = 7.
    assert nine["usual"] == 7 and ten["usual"] == 7
    assert curve[0]["usual"] is None


# --- statistics --------------------------------------------------------------------------


def _points(space, values: dict[datetime, int]):
    HistoryPoint.objects.bulk_create(
        [HistoryPoint(space=space, at=at, count=count) for at, count in values.items()]
    )


def test_heat_map_busiest_days_and_previous_year(world):
    monday, tuesday = date(2026, 3, 2), date(2026, 3, 3)
    _points(
        world.floor,
        {
            datetime(2026, 3, 2, 10, 5, tzinfo=PARIS): 4,
            datetime(2026, 3, 2, 10, 20, tzinfo=PARIS): 6,
            datetime(2026, 3, 9, 10, 10, tzinfo=PARIS): 10,
            datetime(2026, 3, 3, 15, 0, tzinfo=PARIS): 3,
            datetime(2025, 3, 4, 15, 0, tzinfo=PARIS): 9,
        },
    )
    _points(world.reading, {datetime(2026, 3, 3, 15, 0, tzinfo=PARIS): 90})
    grid = queries.heat_map(world.manager, world.floor, monday, date(2026, 3, 15))
    assert grid[0] == {20: 80}  # Monday 10:00-10:30: peaks 6 and 10 -> 80 % of 10 seats
    assert grid[1] == {30: 30}
    assert grid[2] == {}
    busiest = queries.busiest_days(world.manager, world.site, monday, date(2026, 3, 15))
    assert [(d["date"], d["peak"], d["percent"]) for d in busiest] == [
        (tuesday, 93, 85),
        (date(2026, 3, 9), 10, 9),
        (monday, 6, 5),
    ]
    compared = queries.compare_with_previous_year(
        world.manager, world.floor, monday, date(2026, 3, 15)
    )
    assert compared["current"]["days_with_data"] == 3
    assert compared["current"]["max_peak"] == 10 and compared["current"]["days_full"] == 1
    assert compared["previous"]["start"] == date(2025, 3, 2)
    assert compared["previous"]["max_peak"] == 9 and compared["previous"]["days_full"] == 0


def test_statistics_are_for_managers(world):
    for viewer in (world.staff, world.outsider):
        with pytest.raises(Forbidden):
            queries.heat_map(viewer, world.floor, date(2026, 3, 1), date(2026, 3, 31))
        with pytest.raises(Forbidden):
            queries.busiest_days(viewer, world.site, date(2026, 3, 1), date(2026, 3, 31))
        with pytest.raises(Forbidden):
            queries.compare_with_previous_year(
                viewer, world.floor, date(2026, 3, 1), date(2026, 3, 31)
            )


def test_history_csv_per_site_and_month(world):
    _points(
        world.floor,
        {
            datetime(2026, 2, 28, 23, 59, tzinfo=PARIS): 1,
            datetime(2026, 3, 1, 0, 0, tzinfo=PARIS): 2,
            datetime(2026, 3, 31, 23, 59, tzinfo=PARIS): 3,
            datetime(2026, 4, 1, 0, 0, tzinfo=PARIS): 4,
        },
    )
    rows = list(csv.reader(io.StringIO(queries.history_csv(world.site, 2026, 3))))
    assert rows[0] == queries.CSV_HEADER
    assert [(r[2], r[4], r[5]) for r in rows[1:]] == [
        ("Niveau 2", "2026-03-01T00:00:00+01:00", "2"),
        ("Niveau 2", "2026-03-31T23:59:00+02:00", "3"),
    ]
    with pytest.raises(ValidationError):
        queries.history_csv(world.site, 2026, 13)


def test_forecast_levels_follow_the_site_hours(world):
    space = services.create_space(world.manager, world.hours_site, "Salle", 10)
    forecast = queries.space_forecast(space, NOW)
    levels = {s["start"]: s["level"] for s in forecast["slots"]}
    assert levels[datetime(2026, 5, 4, 8, 30, tzinfo=PARIS).isoformat()] == Level.CLOSED
    assert levels[datetime(2026, 5, 4, 9, 0, tzinfo=PARIS).isoformat()] == Level.UNKNOWN
    assert levels[datetime(2026, 5, 10, 12, 0, tzinfo=PARIS).isoformat()] == Level.CLOSED


def test_the_live_forecast_is_cached_within_its_half_hour(world):
    from freezegun import freeze_time

    space = services.create_space(world.manager, world.hours_site, "Salle", 10)
    with freeze_time(NOW):
        first = queries.site_forecast(world.hours_site)
        assert first == queries.site_forecast(world.hours_site, NOW)
        # History arriving within the same slot does not recompute the forecast.
        _fill_mondays(space, {date(2026, 4, 27): time(9, 0)})
        assert queries.site_forecast(world.hours_site) == first
        assert queries.site_forecast(world.hours_site, NOW) != first


def test_sites_for_the_staff_phone_page(world):
    names = [site.name for site in queries.sites_for_staff(world.staff)]
    assert names == ["Annexe", "Centre Pompidou"]
    assert [s.name for s in queries.sites_for_staff(world.institution)] == names
    assert queries.sites_for_staff(world.outsider) == []
