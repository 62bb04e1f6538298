"""Reads about platforms that the pages, the API and the feeds share: the status (the
rule that turns reports and probes into a state), the baseline, the chart, the
uptime bars and the incident history.

The baseline follows Downdetector's method: for a given weekday and hour, the median
number of reports per quarter hour over the last eight weeks (32 quarter hours).
"""

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from babillard.core.errors import NotFound
from babillard.outages.models import (
    Incident,
    IncidentState,
    Platform,
    Probe,
    Report,
    State,
    Subscription,
)

QUARTER = timedelta(minutes=15)
BASELINE_WEEKS = 8
CHART_HOURS = 24
UPTIME_DAYS = 90


def get_platform(key: int | str) -> Platform:
    """An approved platform by id or slug, or ``NotFound``."""
    found = Platform.objects.filter(approved=True).select_related("actor", "vendor_account")
    text = str(key)
    platform = found.filter(pk=int(text)).first() if text.isdigit() else None
    platform = platform or found.filter(slug=text).first()
    if platform is None:
        raise NotFound(key)
    return platform


def get_incident(incident_id: int | str) -> Incident:
    try:
        return Incident.objects.select_related("platform").get(
            pk=int(incident_id), platform__approved=True
        )
    except (Incident.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(incident_id) from None


def open_incident(platform: Platform) -> Incident | None:
    return Incident.objects.filter(platform=platform, resolved_at__isnull=True).first()


def proposals() -> QuerySet[Platform]:
    return Platform.objects.filter(approved=False).select_related("proposed_by")


def is_subscribed(account: Any, platform: Platform) -> bool:
    return (
        account is not None
        and Subscription.objects.filter(platform=platform, account=account).exists()
    )


# --- the baseline ----------------------------------------------------------------------------


def _quarter(moment: datetime) -> datetime:
    return moment.replace(minute=moment.minute - moment.minute % 15, second=0, microsecond=0)


def _report_times(platform: Platform, spans: list[tuple[datetime, datetime]]) -> list[datetime]:
    """Creation times of the platform's reports within the given spans (one query)."""
    within = Q()
    for start, end in spans:
        within |= Q(created_at__gte=start, created_at__lt=end)
    found = Report.objects.filter(within, platform=platform)
    return list(found.values_list("created_at", flat=True))


def _weeks_back(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The same span in each of the eight weeks before: all a baseline needs to read."""
    return [
        (start - timedelta(weeks=week), end - timedelta(weeks=week))
        for week in range(1, BASELINE_WEEKS + 1)
    ]


def _baseline_from(counts: Counter[datetime], moment: datetime) -> float:
    """Median reports per quarter hour at ``moment``'s weekday and hour, eight weeks back."""
    hour = moment.replace(minute=0, second=0, microsecond=0)
    samples = [
        counts.get(hour - timedelta(weeks=week) + QUARTER * q, 0)
        for week in range(1, BASELINE_WEEKS + 1)
        for q in range(4)
    ]
    return float(statistics.median(samples))


def baseline(platform: Platform, moment: datetime | None = None) -> float:
    moment = moment or timezone.now()
    hour = moment.replace(minute=0, second=0, microsecond=0)
    times = _report_times(platform, _weeks_back(hour, hour + timedelta(hours=1)))
    return _baseline_from(Counter(_quarter(t) for t in times), moment)


# --- the state -------------------------------------------------------------------------------


@dataclass
class Window:
    reports: int
    institutions: int
    cities: list[str]


def window(platform: Platform, since: datetime) -> Window:
    found = Report.objects.filter(platform=platform, updated_at__gte=since)
    rows = list(found.values_list("institution_key", "city"))
    cities = sorted({city for _key, city in rows if city}, key=str.casefold)
    return Window(reports=len(rows), institutions=len({key for key, _city in rows}), cities=cities)


def recent_probes(platform: Platform) -> list[Probe]:
    """The latest check of each URL from each instance, within two probe periods."""
    since = timezone.now() - timedelta(seconds=2 * settings.OUTAGES_PROBE_SECONDS)
    latest: dict[tuple[str, str], Probe] = {}
    for probe in Probe.objects.filter(platform=platform, checked_at__gte=since):
        latest.setdefault((probe.origin, probe.url), probe)
    return list(latest.values())


def compute_state(platform: Platform) -> str:
    """The rule, in order:

    - an open incident whose cause is identified: ``outage``;
    - enough institutions in enough cities within the window (and since the last
      incident was resolved), above the baseline:
      ``outage`` if every recent probe fails, else ``probable_outage``;
    - another open incident: ``degraded`` while monitored, else ``probable_outage``;
    - every recent probe failing: ``outage`` with a report, ``degraded`` without;
    - a single institution reporting while a probe sees the platform up: ``local_problem``;
    - other reports, or slow probes: ``degraded``;
    - probes up, or no data at all: ``operational`` or ``unknown``.
    """
    now = timezone.now()
    since = now - timedelta(minutes=settings.OUTAGES_WINDOW_MINUTES)
    # Reports made before the last incident was resolved are answered: they do not reopen it.
    resolved = (
        Incident.objects.filter(platform=platform, resolved_at__gt=since)
        .order_by("-resolved_at")
        .values_list("resolved_at", flat=True)
        .first()
    )
    recent = window(platform, resolved or since)
    probes = recent_probes(platform)
    up = any(p.ok for p in probes)
    all_down = bool(probes) and not up
    crowd = (
        recent.institutions >= settings.OUTAGES_MIN_INSTITUTIONS
        and len(recent.cities) >= settings.OUTAGES_MIN_CITIES
        and recent.reports > settings.OUTAGES_BASELINE_FACTOR * baseline(platform, now)
    )
    incident = open_incident(platform)
    if incident is not None and incident.state == IncidentState.IDENTIFIED:
        return State.OUTAGE
    if crowd:
        return State.OUTAGE if all_down else State.PROBABLE_OUTAGE
    if incident is not None:
        if incident.state == IncidentState.MONITORING:
            return State.DEGRADED
        return State.PROBABLE_OUTAGE
    if all_down:
        return State.OUTAGE if recent.reports else State.DEGRADED
    if recent.institutions == 1 and up:
        return State.LOCAL_PROBLEM
    slow = any(p.ok and (p.latency_ms or 0) > settings.OUTAGES_SLOW_MS for p in probes)
    if recent.reports or slow:
        return State.DEGRADED
    if up or Probe.objects.filter(platform=platform).exists():
        return State.OPERATIONAL
    return State.UNKNOWN


# --- what the pages and the API show ---------------------------------------------------------


def incident_entity(incident: Incident) -> dict[str, Any]:
    return {
        "id": str(incident.pk),
        "platform_id": str(incident.platform_id),
        "state": incident.state,
        "opened_at": incident.opened_at.isoformat(),
        "resolved_at": incident.resolved_at.isoformat() if incident.resolved_at else None,
        "updates": [
            {
                "state": update.state,
                "message": update.message,
                "created_at": update.created_at.isoformat(),
                "status_id": str(update.post_id) if update.post_id else None,
            }
            for update in incident.updates.all()
        ],
    }


def status(platform: Platform) -> dict[str, Any]:
    """``GET /api/babillard/v1/platforms/:id/status``."""
    last_hour = window(platform, timezone.now() - timedelta(hours=1))
    incident = open_incident(platform)
    return {
        "state": platform.state,
        "reports_last_hour": last_hour.reports,
        "institutions": last_hour.institutions,
        "cities": last_hour.cities,
        "baseline": baseline(platform),
        "probes": [
            {
                "from": probe.origin or settings.DOMAIN,
                "url": probe.url,
                "ok": probe.ok,
                "status_code": probe.status_code,
                "latency_ms": probe.latency_ms,
                "tls_expires_at": probe.tls_expires_at.isoformat()
                if probe.tls_expires_at
                else None,
                "checked_at": probe.checked_at.isoformat(),
            }
            for probe in recent_probes(platform)
        ],
        "incident": incident_entity(incident) if incident is not None else None,
    }


def board() -> list[Platform]:
    """Every approved platform, the most reported in the last hour first."""
    since = timezone.now() - timedelta(hours=1)
    recent = Report.objects.filter(updated_at__gte=since).order_by().values_list("platform_id")
    counts = dict(recent.annotate(n=Count("id")).values_list("platform_id", "n"))
    platforms = list(Platform.objects.filter(approved=True))
    for platform in platforms:
        platform.recent_reports = counts.get(platform.pk, 0)  # type: ignore[attr-defined]
    return sorted(platforms, key=lambda p: (-p.recent_reports, p.name.casefold()))  # type: ignore[attr-defined]


def incidents(platform_id: Any = None) -> QuerySet[Incident]:
    found = Incident.objects.filter(platform__approved=True).select_related("platform")
    if platform_id not in (None, ""):
        try:
            found = found.filter(platform_id=int(platform_id))
        except (TypeError, ValueError):
            raise NotFound(platform_id) from None
    return found.prefetch_related("updates")


def cities(platform: Platform, since: datetime) -> list[tuple[str, int]]:
    """Cities reporting since ``since``, with how many institutions each, most first."""
    found = Report.objects.filter(platform=platform, updated_at__gte=since).exclude(city="")
    rows = found.values("city").annotate(n=Count("institution_key", distinct=True))
    return sorted(((r["city"], r["n"]) for r in rows), key=lambda r: (-r[1], r[0]))


@dataclass
class ChartBar:
    at: datetime
    reports: int
    baseline: float


def chart(platform: Platform) -> list[ChartBar]:
    """Reports per quarter hour over the last 24 hours, each with its baseline."""
    now = timezone.now()
    start = _quarter(now) - timedelta(hours=CHART_HOURS) + QUARTER
    first_hour = start.replace(minute=0)
    spans = [(start, now + QUARTER), *_weeks_back(first_hour, now + timedelta(hours=1))]
    times = _report_times(platform, spans)
    counts = Counter(_quarter(t) for t in times)
    slots = [start + QUARTER * i for i in range(CHART_HOURS * 4)]
    return [ChartBar(at, counts.get(at, 0), _baseline_from(counts, at)) for at in slots]


@dataclass
class UptimeDay:
    day: date
    checks: int
    ok: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.ok / self.checks, 2) if self.checks else None


def uptime(platform: Platform, days: int = UPTIME_DAYS) -> list[UptimeDay]:
    """Our own probes' share of successful checks per day, oldest first."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    since = timezone.make_aware(datetime(first.year, first.month, first.day))
    tally: dict[date, list[int]] = {}
    rows = Probe.objects.filter(platform=platform, origin="", checked_at__gte=since)
    for checked_at, ok in rows.values_list("checked_at", "ok"):
        counts = tally.setdefault(timezone.localdate(checked_at), [0, 0])
        counts[0] += 1
        counts[1] += int(ok)
    return [
        UptimeDay(day, *tally.get(day, [0, 0]))
        for day in (first + timedelta(days=i) for i in range(days))
    ]


def latest_probes(platform: Platform, limit: int = 20) -> list[Probe]:
    return list(Probe.objects.filter(platform=platform)[:limit])


def updates_feed(platform: Platform | None = None, limit: int = 50) -> list[Any]:
    """The latest incident updates (of one platform or all), newest first, for the feeds."""
    from babillard.outages.models import IncidentUpdate

    found = IncidentUpdate.objects.select_related("incident__platform").filter(
        incident__platform__approved=True
    )
    if platform is not None:
        found = found.filter(incident__platform=platform)
    return list(found.order_by("-created_at", "-id")[:limit])
