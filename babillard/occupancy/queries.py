"""Reads of live occupancy: the public feed, curves, forecasts, statistics, exports.

Every past day is reduced to one value per space and half-hour slot: the
*peak* of the slot (the highest count recorded in it, or the capacity when the
space was declared full; points of a declared closure are left out). Peaks are
what a reader needs (will there be a seat?) and survive the history's
summarising into quarters of an hour unchanged.

The forecast of a slot is the median of that slot's peaks over the same
weekday of the last eight weeks, among days of the same kind only (term time,
school holidays, public holidays), rounded half up.
"""

import csv
import io
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from babillard.accounts.models import Account
from babillard.institutions import hours
from babillard.institutions.models import Role, SchoolHoliday, Site
from babillard.institutions.queries import require_role
from babillard.occupancy.models import HistoryPoint, Level, Space
from babillard.occupancy.services import level_for_count, space_state

SLOT_MINUTES = 30
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES
FORECAST_DAYS = 7
REFERENCE_WEEKS = 8


def _zone(site: Site) -> ZoneInfo:
    return ZoneInfo(site.time_zone)


def _slot_start(day: date, slot: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone) + timedelta(minutes=slot * SLOT_MINUTES)


def round_half_up(value: float) -> int:
    return math.floor(value + 0.5)


# --- the public feed -----------------------------------------------------------------------


def site_entity(site: Site) -> dict[str, Any]:
    return {
        "id": str(site.pk),
        "institution_id": str(site.institution_id),
        "name": site.name,
        "address": site.address,
        "postcode": site.postcode,
        "city": site.city,
        "latitude": site.latitude,
        "longitude": site.longitude,
        "timezone": site.time_zone,
        "opening_hours": site.opening_hours,
        "accessibility_notes": site.accessibility_notes,
    }


def site_occupancy(site: Site, now: datetime | None = None) -> dict[str, Any]:
    """``GET /api/babillard/v1/sites/:id/occupancy``: open or not, and each space's state."""
    now = now or timezone.now()
    state = hours.open_state(site, now)
    spaces = [space_state(space, state.open, now) for space in site.spaces.all()]
    stamps = [s["updated_at"] for s in spaces if s["updated_at"]]
    return {
        "site": site_entity(site),
        "open": state.open,
        "until": state.until.isoformat() if state.until else None,
        "spaces": spaces,
        "updated_at": max(stamps) if stamps else None,
    }


def sites_for_staff(account: Account) -> list[Site]:
    """The sites whose occupancy ``account`` may update (the staff phone page), with spaces."""
    return list(
        Site.objects.filter(Q(institution=account) | Q(institution__staff__member=account))
        .distinct()
        .select_related("institution")
        .prefetch_related("spaces")
        .order_by("city", "name")
    )


def upcoming_closures(site: Site, now: datetime | None = None) -> list[Any]:
    today = (now or timezone.now()).astimezone(_zone(site)).date()
    return list(site.closures.filter(end__gte=today).order_by("start"))


def network_status(network: Account, now: datetime | None = None) -> list[dict[str, Any]]:
    """A network's member institutions with their sites' live status, for its page."""
    from babillard.institutions.queries import network_members

    result = []
    for member in network_members(network):
        sites = Site.objects.filter(institution=member.account).prefetch_related(
            "spaces", "closures"
        )
        result.append(
            {"institution": member, "sites": [site_occupancy(site, now) for site in sites]}
        )
    return result


# --- peaks per slot ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Point:
    at: datetime
    count: int
    full: bool
    closed: bool


def _points(space: Space, start: datetime, end: datetime) -> Iterable[_Point]:
    """History in a time range as plain tuples: forecasts read tens of thousands."""
    rows = (
        HistoryPoint.objects.filter(space=space, at__gte=start, at__lt=end)
        .order_by("at")
        .values_list("at", "count", "full", "closed")
    )
    return (_Point(*row) for row in rows.iterator(chunk_size=5000))


def slot_peaks(space: Space, days: Iterable[date]) -> dict[tuple[date, int], int]:
    """The peak of each half-hour slot of the given local days, where there is data."""
    zone = _zone(space.site)
    wanted = sorted(set(days))
    if not wanted:
        return {}
    start = datetime.combine(wanted[0], time.min, tzinfo=zone)
    end = datetime.combine(wanted[-1] + timedelta(days=1), time.min, tzinfo=zone)
    keep = set(wanted)
    peaks: dict[tuple[date, int], int] = {}
    for point in _points(space, start, end):
        if point.closed:
            continue
        local = point.at.astimezone(zone)
        if local.date() not in keep:
            continue
        key = (local.date(), (local.hour * 60 + local.minute) // SLOT_MINUTES)
        value = max(point.count, space.capacity) if point.full else point.count
        peaks[key] = max(peaks.get(key, 0), value)
    return peaks


@dataclass
class _Calendar:
    """Day kinds of one institution, with its school holidays read once."""

    holidays: list[SchoolHoliday]

    def kind(self, day: date) -> str:
        return hours.day_kind(day, self.holidays)


def _calendar(site: Site) -> _Calendar:
    return _Calendar(list(SchoolHoliday.objects.filter(institution_id=site.institution_id)))


def reference_days(target: date, today: date, calendar: _Calendar) -> list[date]:
    """The same weekday as ``target`` in the eight weeks before ``today``, same kind only."""
    kind = calendar.kind(target)
    back = (today - target).days % 7 or 7
    latest = today - timedelta(days=back)
    candidates = [latest - timedelta(weeks=w) for w in range(REFERENCE_WEEKS)]
    return [d for d in candidates if calendar.kind(d) == kind]


def _median_slots(peaks: dict[tuple[date, int], int], days: list[date]) -> dict[int, int]:
    by_slot: dict[int, list[int]] = defaultdict(list)
    for (day, slot), value in peaks.items():
        if day in days:
            by_slot[slot].append(value)
    return {slot: round_half_up(statistics.median(v)) for slot, v in by_slot.items()}


# --- curves --------------------------------------------------------------------------------


def day_curve(space: Space, now: datetime | None = None) -> list[dict[str, Any]]:
    """Today's peaks so far against the usual curve for this weekday (same kind of day)."""
    now = now or timezone.now()
    zone = _zone(space.site)
    today = now.astimezone(zone).date()
    calendar = _calendar(space.site)
    days = reference_days(today, today, calendar)
    peaks = slot_peaks(space, [today, *days])
    usual = _median_slots(peaks, days)
    current_slot = (now.astimezone(zone).hour * 60 + now.astimezone(zone).minute) // SLOT_MINUTES
    return [
        {
            "start": _slot_start(today, slot, zone),
            "count": peaks.get((today, slot)) if slot <= current_slot else None,
            "usual": usual.get(slot),
        }
        for slot in range(SLOTS_PER_DAY)
    ]


# --- forecast ------------------------------------------------------------------------------


def _first_full_minutes(space: Space, days: list[date]) -> dict[date, int]:
    """For each day, the local minute of the day when the space first was full."""
    zone = _zone(space.site)
    if not days:
        return {}
    start = datetime.combine(min(days), time.min, tzinfo=zone)
    end = datetime.combine(max(days) + timedelta(days=1), time.min, tzinfo=zone)
    first: dict[date, int] = {}
    wanted = set(days)
    for point in _points(space, start, end):
        local = point.at.astimezone(zone)
        day = local.date()
        filled = point.full or point.count >= space.capacity
        if day in wanted and day not in first and not point.closed and filled:
            first[day] = local.hour * 60 + local.minute
    return first


def usually_full_from(
    space: Space,
    target: date,
    now: datetime | None = None,
    *,
    medians: dict[int, int] | None = None,
) -> time | None:
    """When the median of ``target``'s kind of day reaches ``full``: the median moment the
    space filled on the reference days that filled (to five minutes), else ``None``."""
    now = now or timezone.now()
    today = now.astimezone(_zone(space.site)).date()
    days = reference_days(target, today, _calendar(space.site))
    if medians is None:
        medians = _median_slots(slot_peaks(space, days), days)
    if not any(value >= space.capacity for value in medians.values()):
        return None
    moments = list(_first_full_minutes(space, days).values())
    if not moments:
        return None
    minute = int(statistics.median(moments)) // 5 * 5
    return time(minute // 60, minute % 60)


def full_from_sentence(moment: time | None) -> str:
    if moment is None:
        return ""
    return _("Usually full from %(time)s") % {"time": moment.strftime("%H:%M")}


def space_forecast(
    space: Space, now: datetime | None = None, days: int = FORECAST_DAYS
) -> dict[str, Any]:
    """Half-hour slots from the current one over ``days`` days, each with its expected
    count (``None`` without history) and level (``closed`` outside opening hours)."""
    now = now or timezone.now()
    site = space.site
    zone = _zone(site)
    local_now = now.astimezone(zone)
    today = local_now.date()
    calendar = _calendar(site)
    closures = list(site.closures.all())
    targets = [today + timedelta(days=i) for i in range(days + 1)]
    refs = {target: reference_days(target, today, calendar) for target in targets}
    peaks = slot_peaks(space, {d for ds in refs.values() for d in ds})
    first_slot = (local_now.hour * 60 + local_now.minute) // SLOT_MINUTES
    end = now + timedelta(days=days)
    slots: list[dict[str, Any]] = []
    sentences: list[dict[str, str]] = []
    for target in targets:
        medians = _median_slots(peaks, refs[target])
        for slot in range(SLOTS_PER_DAY):
            if target == today and slot < first_slot:
                continue
            start = _slot_start(target, slot, zone)
            if start >= end:
                break
            expected = medians.get(slot)
            level: str
            if not hours.is_open(site, start, closures):
                level = Level.CLOSED
            elif expected is None:
                level = Level.UNKNOWN
            else:
                level = level_for_count(expected, space.capacity)
            slots.append(
                {"start": start.isoformat(), "expected_count": expected, "level": str(level)}
            )
        moment = usually_full_from(space, target, now, medians=medians)
        if moment is not None and target < today + timedelta(days=days):
            sentences.append({"date": target.isoformat(), "text": full_from_sentence(moment)})
    return {
        "id": str(space.pk),
        "name": space.name,
        "capacity": space.capacity,
        "slots": slots,
        "sentences": sentences,
    }


def site_forecast(site: Site, now: datetime | None = None) -> dict[str, Any]:
    """``GET /api/babillard/v1/sites/:id/forecast``.

    The live forecast (no ``now`` given) is cached until the half-hour slot changes,
    ten minutes at most: it reads weeks of history and changes only with the slot.
    """
    if now is not None:
        return _site_forecast(site, now)
    now = timezone.now()
    slot = int(now.timestamp()) // (SLOT_MINUTES * 60)
    key = f"occupancy-forecast:{site.pk}:{slot}"
    found = cache.get(key)
    if found is None:
        found = _site_forecast(site, now)
        cache.set(key, found, timeout=600)
    return found  # type: ignore[no-any-return]


def _site_forecast(site: Site, now: datetime) -> dict[str, Any]:
    return {
        "site_id": str(site.pk),
        "timezone": site.time_zone,
        "spaces": [space_forecast(space, now) for space in site.spaces.all()],
    }


# --- statistics (managers) -----------------------------------------------------------------


def _days(start: date, end: date) -> list[date]:
    if end < start:
        return []
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def heat_map(viewer: Account, space: Space, start: date, end: date) -> dict[int, dict[int, int]]:
    """Weekday (0 = Monday) x half-hour slot -> mean peak as a percentage of capacity."""
    require_role(viewer, space.site.institution, Role.MANAGER)
    peaks = slot_peaks(space, _days(start, end))
    cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (day, slot), value in peaks.items():
        cells[(day.weekday(), slot)].append(value)
    grid: dict[int, dict[int, int]] = {weekday: {} for weekday in range(7)}
    for (weekday, slot), values in cells.items():
        grid[weekday][slot] = round_half_up(100 * statistics.mean(values) / space.capacity)
    return grid


def _daily_peaks(space: Space, days: list[date]) -> dict[date, int]:
    daily: dict[date, int] = {}
    for (day, _slot), value in slot_peaks(space, days).items():
        daily[day] = max(daily.get(day, 0), value)
    return daily


def busiest_days(
    viewer: Account, site: Site, start: date, end: date, limit: int = 10
) -> list[dict[str, Any]]:
    """The days of a period with the highest share of the site's seats taken at peak."""
    require_role(viewer, site.institution, Role.MANAGER)
    days = _days(start, end)
    spaces = list(site.spaces.all())
    capacity = sum(s.capacity for s in spaces) or 1
    totals: dict[date, int] = defaultdict(int)
    for space in spaces:
        for day, value in _daily_peaks(space, days).items():
            totals[day] += value
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [
        {"date": day, "peak": value, "percent": round_half_up(100 * value / capacity)}
        for day, value in ranked
    ]


def _shift_year(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def period_summary(space: Space, start: date, end: date) -> dict[str, Any]:
    daily = _daily_peaks(space, _days(start, end))
    values = list(daily.values())
    return {
        "start": start,
        "end": end,
        "days_with_data": len(values),
        "mean_peak": round_half_up(statistics.mean(values)) if values else None,
        "max_peak": max(values) if values else None,
        "days_full": sum(1 for v in values if v >= space.capacity),
    }


def compare_with_previous_year(
    viewer: Account, space: Space, start: date, end: date
) -> dict[str, dict[str, Any]]:
    """The period's figures beside those of the same period a year earlier."""
    require_role(viewer, space.site.institution, Role.MANAGER)
    return {
        "current": period_summary(space, start, end),
        "previous": period_summary(space, _shift_year(start, -1), _shift_year(end, -1)),
    }


CSV_HEADER = [
    "site_id",
    "space_id",
    "space",
    "capacity",
    "time",
    "count",
    "full",
    "closed",
    "queue_minutes",
    "span_seconds",
]


def history_csv(site: Site, year: int, month: int) -> str:
    """Open data: every history point of a site's spaces in one month (local time)."""
    if not 1 <= month <= 12 or not 2000 <= year <= 9999:
        from django.core.exceptions import ValidationError

        raise ValidationError(_("Unknown month."), code="month")
    zone = _zone(site)
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    points = (
        HistoryPoint.objects.filter(space__site=site, at__gte=start, at__lt=end)
        .select_related("space")
        .order_by("space__position", "space_id", "at")
    )
    for point in points.iterator(chunk_size=2000):
        writer.writerow(
            [
                site.pk,
                point.space_id,
                point.space.name,
                point.space.capacity,
                point.at.astimezone(zone).isoformat(),
                point.count,
                int(point.full),
                int(point.closed),
                "" if point.queue_minutes is None else point.queue_minutes,
                point.span_seconds,
            ]
        )
    return out.getvalue()
