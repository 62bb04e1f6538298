"""Opening hours of a site, in its own time zone, and the kind of each day.

Hours are ``{"mon": [["09:00", "19:00"]], "tue": [...], ...}``: several ranges a
day allowed, ``"24:00"`` as the end of the last one; a day left out is closed; a
site with no hours at all is always open. Exceptional closures win over hours.
"""

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
MINUTES_IN_DAY = 24 * 60

DayKind = str
TERM = "term"
SCHOOL_HOLIDAYS = "school_holidays"
PUBLIC_HOLIDAY = "public_holiday"


def _minutes(value: Any) -> int:
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        raise ValidationError(
            _("Times are written HH:MM, e.g. 09:30 (%(value)s).") % {"value": value},
            code="opening_hours",
        )
    try:
        hours, minutes = int(value[:2]), int(value[3:])
    except ValueError:
        raise ValidationError(
            _("Times are written HH:MM, e.g. 09:30 (%(value)s).") % {"value": value},
            code="opening_hours",
        ) from None
    if not (0 <= minutes < 60 and (0 <= hours < 24 or (hours == 24 and minutes == 0))):
        raise ValidationError(
            _("%(value)s is not a time of day.") % {"value": value}, code="opening_hours"
        )
    return hours * 60 + minutes


def validate_opening_hours(data: Any) -> dict[str, list[list[str]]]:
    """Check weekly hours and return them with each day's ranges sorted."""
    if data in (None, ""):
        return {}
    if not isinstance(data, dict):
        raise ValidationError(
            _('Opening hours are an object such as {"mon": [["09:00", "19:00"]]}.'),
            code="opening_hours",
        )
    cleaned: dict[str, list[list[str]]] = {}
    for day, ranges in data.items():
        if day not in DAYS:
            raise ValidationError(
                _("Unknown day %(day)s: use mon, tue, wed, thu, fri, sat, sun.") % {"day": day},
                code="opening_hours",
            )
        if not isinstance(ranges, list):
            raise ValidationError(
                _("The hours of %(day)s are a list of [opening, closing] pairs.") % {"day": day},
                code="opening_hours",
            )
        spans = []
        for pair in ranges:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise ValidationError(
                    _("The hours of %(day)s are a list of [opening, closing] pairs.")
                    % {"day": day},
                    code="opening_hours",
                )
            start, end = _minutes(pair[0]), _minutes(pair[1])
            if start >= end:
                raise ValidationError(
                    _("On %(day)s, %(start)s is not before %(end)s.")
                    % {"day": day, "start": pair[0], "end": pair[1]},
                    code="opening_hours",
                )
            spans.append((start, end, [pair[0], pair[1]]))
        spans.sort()
        for (_s1, end1, first), (start2, _e2, second) in itertools.pairwise(spans):
            if start2 < end1:
                raise ValidationError(
                    _("On %(day)s, the ranges %(first)s and %(second)s overlap.")
                    % {"day": day, "first": "-".join(first), "second": "-".join(second)},
                    code="opening_hours",
                )
        if spans:
            cleaned[day] = [s[2] for s in spans]
    return cleaned


def validate_time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("Unknown time zone %(name)s.") % {"name": name}, code="time_zone"
        ) from None
    return name


@dataclass(frozen=True)
class OpenState:
    open: bool
    # When the site next closes (if open) or opens (if closed), when known within a week.
    until: datetime | None
    closure_reason: str = ""


def _day_ranges(hours: dict[str, list[list[str]]], day: date) -> list[tuple[int, int]]:
    return [(_minutes(a), _minutes(b)) for a, b in hours.get(DAYS[day.weekday()], [])]


def _closure_on(closures: Iterable[Any], day: date) -> Any:
    return next((c for c in closures if c.start <= day <= c.end), None)


def _at(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone) + timedelta(minutes=minutes)


def open_state(site: Any, at: datetime, closures: Iterable[Any] | None = None) -> OpenState:
    """Whether ``site`` is open at ``at``, computed in the site's time zone."""
    zone = ZoneInfo(site.time_zone)
    local = at.astimezone(zone)
    closures = list(site.closures.all() if closures is None else closures)
    today = local.date()
    closure = _closure_on(closures, today)
    if closure is not None:
        return OpenState(
            False,
            _next_opening(site, zone, closure.end + timedelta(days=1), -1, closures),
            closure.reason,
        )
    hours = site.opening_hours or {}
    if not hours:
        nxt = next((c for c in closures if c.start > today), None)
        return OpenState(True, datetime.combine(nxt.start, time.min, tzinfo=zone) if nxt else None)
    now_minutes = local.hour * 60 + local.minute
    for start, end in _day_ranges(hours, today):
        if start <= now_minutes < end:
            return OpenState(True, _at(today, end, zone))
    return OpenState(False, _next_opening(site, zone, today, now_minutes, closures))


def _next_opening(
    site: Any, zone: ZoneInfo, day: date, after_minutes: int, closures: list[Any]
) -> datetime | None:
    hours = site.opening_hours or {}
    for offset in range(15):
        current = day + timedelta(days=offset)
        if _closure_on(closures, current) is not None:
            continue
        if not hours:
            return _at(current, 0, zone)
        for start, _end in _day_ranges(hours, current):
            if offset > 0 or start > after_minutes:
                return _at(current, start, zone)
    return None


def is_open(site: Any, at: datetime, closures: Iterable[Any] | None = None) -> bool:
    return open_state(site, at, closures).open


@lru_cache(maxsize=32)
def _french_holidays(year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("FR", years=year))


def is_public_holiday(day: date) -> bool:
    """French public holidays (metropolitan France), computed by the ``holidays`` package."""
    return day in _french_holidays(day.year)


def day_kind(day: date, school_holidays: Iterable[Any]) -> DayKind:
    """Public holiday, school holidays (periods entered by the institution) or term time."""
    if is_public_holiday(day):
        return PUBLIC_HOLIDAY
    if any(h.start <= day <= h.end for h in school_holidays):
        return SCHOOL_HOLIDAYS
    return TERM
