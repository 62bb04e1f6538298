"""Every write about live occupancy: spaces, sensor tokens, updates (validated,
idempotent, rate-limited), automatic posts, and the history's upkeep.

Front doors map onto these functions one to one (``queries`` for the reads):

- POST   /api/babillard/v1/sites/:id/spaces                 -> create_space
- POST   /api/babillard/v1/sites/:id/sensor_tokens          -> create_sensor_token
- DELETE /api/babillard/v1/sites/:id/sensor_tokens/:id      -> revoke_sensor_token
- POST   /api/babillard/v1/spaces/:id/occupancy             -> update_occupancy (after
         authenticate_sensor_token for a sensor's bearer token; ``RateLimited`` is the 429
         with its ``retry_after``, ``Forbidden`` the 403, ``ValidationError`` the 422)
- GET    /api/babillard/v1/sites/:id/occupancy              -> occupancy.queries.site_occupancy
- GET    /api/babillard/v1/sites/:id/forecast               -> occupancy.queries.site_forecast
- the staff phone page: its sites and spaces -> occupancy.queries.sites_for_staff; its
         buttons (+1, -1, set count, full, open again, queue 0-120) -> update_occupancy
- the site page and the widget -> occupancy.queries.site_occupancy, upcoming_closures,
         day_curve, space_forecast (its ``sentences``: "Usually full from 10:40")
- the network page -> occupancy.queries.network_status
- the site's automatic-post settings                        -> set_auto_posts
- statistics page (managers) -> occupancy.queries.heat_map, busiest_days,
         compare_with_previous_year; open-data CSV per site and month -> history_csv
- daily upkeep (``manage.py occupancy_upkeep``) -> summarise_history, purge_idempotency_keys
"""

import hashlib
import json
import math
import secrets
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from babillard.accounts.models import Account, Visibility
from babillard.core.errors import Forbidden, NotFound
from babillard.core.tasks import enqueue_on_commit
from babillard.institutions import hours
from babillard.institutions.models import Role, Site
from babillard.institutions.queries import has_role, require_role
from babillard.occupancy.models import (
    AutoPost,
    AutoPostKind,
    AutoPostPolicy,
    HistoryPoint,
    IdempotencyKey,
    Level,
    SensorToken,
    Space,
)

MAX_QUEUE_MINUTES = 24 * 60
MAX_COUNT = 1_000_000
SUMMARY_SPAN = 900
RAW_HISTORY_DAYS = 8
IDEMPOTENCY_DAYS = 1
AUTO_POST_SPACING = timedelta(minutes=30)
# Sensor tokens start with this, so a leaked one is recognised by secret scanners.
TOKEN_PREFIX = "bbs_"  # noqa: S105


def max_age() -> timedelta:
    """How old a value may be before it shows as ``unknown`` (default 30 minutes)."""
    return timedelta(minutes=int(getattr(settings, "OCCUPANCY_MAX_AGE_MINUTES", 30)))


class RateLimited(Exception):
    """Too many updates for one sensor token; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Retry after {retry_after} s")
        self.retry_after = retry_after


# --- levels -------------------------------------------------------------------------------


def level_of(
    count: int,
    capacity: int,
    *,
    declared_full: bool = False,
    declared_closed: bool = False,
    open_now: bool = True,
    updated_at: datetime | None = None,
    now: datetime | None = None,
) -> str:
    """The level shown for a space.

    Closed outside opening hours; a value older than ``max_age()`` (or none at
    all) is ``unknown``, never shown as current; then declared closed, declared
    full or at capacity, and the share of seats taken: under 50 % low, under
    80 % moderate, under 100 % high.
    """
    if not open_now:
        return Level.CLOSED
    now = now or timezone.now()
    if updated_at is None or now - updated_at > max_age():
        return Level.UNKNOWN
    if declared_closed:
        return Level.CLOSED
    return level_for_count(count, capacity, declared_full=declared_full)


def level_for_count(count: int, capacity: int, *, declared_full: bool = False) -> str:
    if declared_full or count >= capacity:
        return Level.FULL
    if count * 100 >= 80 * capacity:
        return Level.HIGH
    if count * 100 >= 50 * capacity:
        return Level.MODERATE
    return Level.LOW


def space_level(space: Space, open_now: bool, now: datetime | None = None) -> str:
    return level_of(
        space.count,
        space.capacity,
        declared_full=space.declared_full,
        declared_closed=space.declared_closed,
        open_now=open_now,
        updated_at=space.updated_at,
        now=now,
    )


def space_state(space: Space, open_now: bool, now: datetime | None = None) -> dict[str, Any]:
    """A space as the JSON feed and the update answer show it."""
    level = space_level(space, open_now, now)
    current = level not in (Level.UNKNOWN,)
    return {
        "id": str(space.pk),
        "name": space.name,
        "capacity": space.capacity,
        "count": space.count if current else None,
        "level": str(level),
        "queue_minutes": space.queue_minutes if current and level != Level.CLOSED else None,
        "updated_at": space.updated_at.isoformat() if space.updated_at else None,
    }


# --- spaces -------------------------------------------------------------------------------


def _clean_space(name: Any, capacity: Any) -> tuple[str, int]:
    name = str(name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError(_("A space has a name of 1 to 200 characters."), code="name")
    if (
        isinstance(capacity, bool)
        or not isinstance(capacity, int)
        or not 1 <= capacity <= MAX_COUNT
    ):
        raise ValidationError(
            _("The capacity is a whole number of seats, at least 1."), code="capacity"
        )
    return name, capacity


def create_space(actor: Account, site: Site, name: Any, capacity: Any) -> Space:
    """A room or floor of a site, by the institution or a manager."""
    require_role(actor, site.institution, Role.MANAGER)
    name, capacity = _clean_space(name, capacity)
    position = site.spaces.count()
    return Space.objects.create(site=site, name=name, capacity=capacity, position=position)


def update_space(actor: Account, space: Space, *, name: Any = None, capacity: Any = None) -> Space:
    require_role(actor, space.site.institution, Role.MANAGER)
    name, capacity = _clean_space(
        space.name if name is None else name, space.capacity if capacity is None else capacity
    )
    space.name, space.capacity = name, capacity
    space.save(update_fields=["name", "capacity"])
    return space


def delete_space(actor: Account, space: Space) -> None:
    require_role(actor, space.site.institution, Role.MANAGER)
    space.delete()


# --- sensor tokens ------------------------------------------------------------------------


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_sensor_token(actor: Account, site: Site, name: str = "") -> tuple[SensorToken, str]:
    """A token for a door counter of this site. The token itself is returned once, here;
    only its hash is stored."""
    require_role(actor, site.institution, Role.MANAGER)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = SensorToken.objects.create(
        site=site,
        name=name.strip()[:100],
        token_hash=_hash_token(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 4],
        created_by=actor,
    )
    return token, raw


def revoke_sensor_token(actor: Account, site: Site, token_id: int | str) -> SensorToken:
    require_role(actor, site.institution, Role.MANAGER)
    try:
        token = SensorToken.objects.get(site=site, pk=int(token_id))
    except (SensorToken.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFound(token_id) from None
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate_sensor_token(raw: str | None) -> SensorToken | None:
    """The active sensor token for a bearer value, or ``None``."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    return (
        SensorToken.objects.select_related("site")
        .filter(token_hash=_hash_token(raw), revoked_at__isnull=True)
        .first()
    )


def check_rate(key: str, *, now: float | None = None) -> None:
    """A token bucket in the cache: ``OCCUPANCY_RATE`` a second sustained, bursts of
    ``OCCUPANCY_BURST``; raises ``RateLimited`` with the seconds to wait.

    The bucket is read and written without a lock: two requests of the same token
    racing in the same instant may both pass, which a door counter (one device per
    token, one request at a time) never does; the limit protects the server from a
    runaway device, not from an adversary holding the token.
    """
    rate = float(getattr(settings, "OCCUPANCY_RATE", 1.0))
    burst = float(getattr(settings, "OCCUPANCY_BURST", 10))
    now = time.time() if now is None else now
    cache_key = f"occupancy-rate:{key}"
    state = cache.get(cache_key)
    tokens, stamp = (burst, now) if state is None else (float(state[0]), float(state[1]))
    tokens = min(burst, tokens + max(0.0, now - stamp) * rate)
    if tokens < 1:
        raise RateLimited(max(1, math.ceil((1 - tokens) / rate)))
    cache.set(cache_key, [tokens - 1, now], timeout=int(burst / rate) + 60)


# --- updates ------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def clean_update(
    *,
    count: Any = None,
    delta: Any = None,
    full: Any = None,
    closed: Any = None,
    queue_minutes: Any = None,
) -> dict[str, Any]:
    """Check an update's body: one of count, delta, full, closed, and/or a queue."""
    given = {
        k: v
        for k, v in {"count": count, "delta": delta, "full": full, "closed": closed}.items()
        if v is not None
    }
    if len(given) > 1:
        raise ValidationError(
            _("Send one of count, delta, full or closed at a time."), code="invalid"
        )
    if not given and queue_minutes is None:
        raise ValidationError(
            _("Send count, delta, full, closed or queue_minutes."), code="invalid"
        )
    if count is not None and (not _is_int(count) or count < 0 or count > MAX_COUNT):
        raise ValidationError(_("count is a whole number, zero or more."), code="count")
    if delta is not None and (not _is_int(delta) or abs(delta) > MAX_COUNT):
        raise ValidationError(_("delta is a whole number."), code="delta")
    for name, value in (("full", full), ("closed", closed)):
        if value is not None and not isinstance(value, bool):
            raise ValidationError(_("%(name)s is true or false.") % {"name": name}, code=name)
    if queue_minutes is not None and (
        not _is_int(queue_minutes) or not 0 <= queue_minutes <= MAX_QUEUE_MINUTES
    ):
        raise ValidationError(
            _("queue_minutes is a whole number of minutes from 0 to 1440."), code="queue_minutes"
        )
    return {**given, **({"queue_minutes": queue_minutes} if queue_minutes is not None else {})}


def _authorise(by: Account | SensorToken, space: Space) -> str:
    """The scope of the writer (for rate limits and idempotency keys), or ``Forbidden``."""
    if isinstance(by, SensorToken):
        if not by.is_active or by.site_id != space.site_id:
            raise Forbidden("sensor token")
        return f"token:{by.pk}"
    if not has_role(by, space.site.institution, Role.STAFF):
        raise Forbidden(Role.STAFF)
    return f"account:{by.pk}"


def get_space(space_id: int | str) -> Space:
    try:
        return Space.objects.select_related("site", "site__institution").get(pk=int(space_id))
    except (Space.DoesNotExist, TypeError, ValueError, OverflowError):
        raise NotFound(space_id) from None


def update_occupancy(
    space: Space | int | str,
    by: Account | SensorToken,
    *,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    **body: Any,
) -> dict[str, Any]:
    """Apply one update from staff or a sensor and return the space's new state.

    ``body`` holds ``count``, ``delta``, ``full``, ``closed`` and ``queue_minutes``
    as sent. A count above capacity is kept and shows as ``full``; a count that
    would go below zero is refused. The same ``idempotency_key`` from the same
    writer replays the first answer without writing again. Sensor tokens are
    rate-limited per token.
    """
    if not isinstance(space, Space):
        space = get_space(space)
    scope = _authorise(by, space)
    unknown = set(body) - {"count", "delta", "full", "closed", "queue_minutes"}
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            code="invalid",
        )
    cleaned = clean_update(**body)
    request_hash = hashlib.sha256(
        json.dumps({"space": space.pk, **cleaned}, sort_keys=True).encode()
    ).hexdigest()
    if idempotency_key:
        idempotency_key = idempotency_key.strip()[:255]
        replay = _replay(scope, idempotency_key, request_hash)
        if replay is not None:
            return replay
    if isinstance(by, SensorToken):
        check_rate(scope)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            state = _apply(space.pk, cleaned, now, by)
            if idempotency_key:
                IdempotencyKey.objects.create(
                    scope=scope,
                    key=idempotency_key,
                    space_id=space.pk,
                    request_hash=request_hash,
                    response=state,
                )
    except IntegrityError:
        # The same key raced in from a retry: answer what the first one wrote.
        replay = _replay(scope, idempotency_key or "", request_hash)
        if replay is None:
            raise
        return replay
    return state


def _replay(scope: str, key: str, request_hash: str) -> dict[str, Any] | None:
    stored = IdempotencyKey.objects.filter(scope=scope, key=key).first()
    if stored is None:
        return None
    if stored.request_hash != request_hash:
        raise ValidationError(
            _("This Idempotency-Key was used for a different update."), code="idempotency_key"
        )
    return dict(stored.response)


def _apply(space_id: int, cleaned: dict[str, Any], now: datetime, by: Any) -> dict[str, Any]:
    space = Space.objects.select_for_update().select_related("site").get(pk=space_id)
    site = space.site
    open_now = hours.is_open(site, now)
    # The last known level, however old: a room declared full an hour ago and opened
    # again now did go from full to free seats.
    before = (
        Level.UNKNOWN
        if space.updated_at is None
        else level_of(
            space.count,
            space.capacity,
            declared_full=space.declared_full,
            declared_closed=space.declared_closed,
            open_now=open_now,
            updated_at=now,
            now=now,
        )
    )
    if "count" in cleaned:
        space.count = cleaned["count"]
    if "delta" in cleaned:
        if space.count + cleaned["delta"] < 0:
            raise ValidationError(
                _("The count cannot go below zero (it is %(count)d).") % {"count": space.count},
                code="delta",
            )
        space.count += cleaned["delta"]
    if "full" in cleaned:
        space.declared_full = cleaned["full"]
    if "closed" in cleaned:
        space.declared_closed = cleaned["closed"]
    if "queue_minutes" in cleaned:
        space.queue_minutes = cleaned["queue_minutes"]
    space.updated_at = now
    space.save(
        update_fields=["count", "declared_full", "declared_closed", "queue_minutes", "updated_at"]
    )
    HistoryPoint.objects.create(
        space=space,
        at=now,
        count=space.count,
        full=space.declared_full,
        closed=space.declared_closed,
        queue_minutes=space.queue_minutes,
    )
    if isinstance(by, SensorToken):
        SensorToken.objects.filter(pk=by.pk).update(last_used_at=now)
    after = space_level(space, open_now, now)
    kind = None
    if after == Level.FULL and before != Level.FULL:
        kind = AutoPostKind.FULL
    elif before == Level.FULL and after in (Level.LOW, Level.MODERATE, Level.HIGH):
        kind = AutoPostKind.REOPENED
    if kind is not None and AutoPostPolicy.objects.filter(site=site, enabled=True).exists():
        from babillard.occupancy.tasks import post_occupancy_change

        enqueue_on_commit(post_occupancy_change, space.pk, str(kind), now.isoformat())
    return space_state(space, open_now, now)


# --- automatic posts ----------------------------------------------------------------------


def default_template(kind: str, language: str) -> str:
    with translation.override(language):
        if kind == AutoPostKind.FULL:
            return _("{space} ({site}) is full.")
        return _("Seats are free again in {space} ({site}).")


def set_auto_posts(
    actor: Account,
    site: Site,
    *,
    enabled: bool,
    max_per_day: int = 6,
    templates: dict[str, dict[str, str]] | None = None,
    language: str = "fr",
) -> AutoPostPolicy:
    """Turn automatic posts on or off for a site, with a template per language."""
    require_role(actor, site.institution, Role.MANAGER)
    languages = {code for code, _name in settings.LANGUAGES}
    if language not in languages:
        raise ValidationError(_("Unknown language."), code="language")
    if not _is_int(max_per_day) or not 1 <= max_per_day <= 48:
        raise ValidationError(_("From 1 to 48 posts a day."), code="max_per_day")
    templates = templates or {}
    if not isinstance(templates, dict):
        raise ValidationError(_("Templates are given per language."), code="templates")
    for code, texts in templates.items():
        if code not in languages or not isinstance(texts, dict):
            raise ValidationError(_("Templates are given per language."), code="templates")
        for kind, text in texts.items():
            if kind not in AutoPostKind.values or not isinstance(text, str) or not text.strip():
                raise ValidationError(
                    _("Each template is a text for full or reopened."), code="templates"
                )
            if len(text) > 400:
                raise ValidationError(_("A template has at most 400 characters."), code="templates")
    policy, _created = AutoPostPolicy.objects.update_or_create(
        site=site,
        defaults={
            "enabled": enabled,
            "max_per_day": max_per_day,
            "templates": templates,
            "language": language,
        },
    )
    return policy


def publish_auto_post(space_id: int, kind: str, when: datetime | None = None) -> int | None:
    """Post from the institution that a space filled or has seats again, within limits:
    at most ``max_per_day`` a day per site and one per space per 30 minutes."""
    from babillard.statuses.services import post_status

    now = when or timezone.now()
    with transaction.atomic():
        policy = (
            AutoPostPolicy.objects.select_for_update()
            .select_related("site", "site__institution")
            .filter(site__spaces__pk=space_id, enabled=True)
            .first()
        )
        if policy is None:
            return None
        site = policy.site
        space = Space.objects.get(pk=space_id)
        if AutoPost.objects.filter(space=space, created_at__gt=now - AUTO_POST_SPACING).exists():
            return None
        zone = ZoneInfo(site.time_zone)
        day_start = datetime.combine(now.astimezone(zone).date(), datetime.min.time(), zone)
        posted_today = AutoPost.objects.filter(
            space__site=site,
            created_at__gte=day_start,
            created_at__lt=day_start + timedelta(days=1),
        ).count()
        if posted_today >= policy.max_per_day:
            return None
        template = (policy.templates.get(policy.language) or {}).get(kind) or default_template(
            kind, policy.language
        )
        text = template.replace("{space}", space.name).replace("{site}", site.name)
        try:
            status = post_status(
                site.institution, text, visibility=Visibility.PUBLIC, language=policy.language
            )
        except ValidationError:
            # A template too long once the names are in: nothing to post, nothing to retry.
            return None
        AutoPost.objects.create(space=space, kind=kind, status_id=status.pk, created_at=now)
        return int(status.pk)


# --- upkeep -------------------------------------------------------------------------------


def summarise_history(now: datetime | None = None) -> int:
    """Fold points older than eight days into one point per space and quarter of an hour,
    keeping the peak count (so forecasts and heat maps, which read peaks, do not change).

    Idempotent: summaries already made are folded again with late points of their
    quarter. Returns the number of rows removed.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=RAW_HISTORY_DAYS)
    cutoff = datetime.fromtimestamp(
        (int(cutoff.timestamp()) // SUMMARY_SPAN) * SUMMARY_SPAN, tz=cutoff.tzinfo
    )
    removed = 0
    space_ids = (
        HistoryPoint.objects.filter(span_seconds=0, at__lt=cutoff)
        .values_list("space_id", flat=True)
        .distinct()
    )
    for space_id in list(space_ids):
        with transaction.atomic():
            raw = list(
                HistoryPoint.objects.filter(space_id=space_id, span_seconds=0, at__lt=cutoff)
            )
            buckets: dict[int, list[HistoryPoint]] = defaultdict(list)
            for point in raw:
                buckets[int(point.at.timestamp()) // SUMMARY_SPAN * SUMMARY_SPAN].append(point)
            starts = [datetime.fromtimestamp(b, tz=now.tzinfo) for b in buckets]
            earlier = list(
                HistoryPoint.objects.filter(
                    space_id=space_id, span_seconds=SUMMARY_SPAN, at__in=starts
                )
            )
            for point in earlier:
                buckets[int(point.at.timestamp())].append(point)
            summaries = [
                HistoryPoint(
                    space_id=space_id,
                    at=datetime.fromtimestamp(start, tz=now.tzinfo),
                    count=max(p.count for p in points),
                    full=any(p.full for p in points),
                    closed=all(p.closed for p in points),
                    queue_minutes=max(
                        (p.queue_minutes for p in points if p.queue_minutes is not None),
                        default=None,
                    ),
                    span_seconds=SUMMARY_SPAN,
                )
                for start, points in buckets.items()
            ]
            gone = [p.pk for p in raw] + [p.pk for p in earlier]
            for offset in range(0, len(gone), 500):
                HistoryPoint.objects.filter(pk__in=gone[offset : offset + 500]).delete()
            HistoryPoint.objects.bulk_create(summaries, batch_size=500)
            removed += len(gone) - len(summaries)
    return removed


def purge_idempotency_keys(now: datetime | None = None) -> int:
    limit = (now or timezone.now()) - timedelta(days=IDEMPOTENCY_DAYS)
    deleted, _rows = IdempotencyKey.objects.filter(created_at__lt=limit).delete()
    return deleted
