from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from freezegun import freeze_time

from babillard.accounts.services import follow
from babillard.core.errors import Forbidden, NotFound
from babillard.institutions.services import create_site
from babillard.occupancy import services
from babillard.occupancy.models import (
    AutoPost,
    HistoryPoint,
    IdempotencyKey,
    Level,
    SensorToken,
    Space,
)
from babillard.occupancy.queries import slot_peaks
from babillard.statuses.models import Status
from babillard.timelines import queries as timelines

# --- levels ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "level"),
    [
        (0, Level.LOW),
        (49, Level.LOW),
        (50, Level.MODERATE),
        (79, Level.MODERATE),
        (80, Level.HIGH),
        (99, Level.HIGH),
        (100, Level.FULL),
        (140, Level.FULL),
    ],
)
def test_levels_by_share_of_capacity(count, level):
    now = timezone.now()
    assert services.level_of(count, 100, updated_at=now, now=now) == level


def test_declared_full_closed_stale_and_outside_hours():
    now = timezone.now()
    fresh = now - timedelta(minutes=29)
    stale = now - timedelta(minutes=31)
    assert services.level_of(3, 100, declared_full=True, updated_at=fresh, now=now) == Level.FULL
    assert (
        services.level_of(3, 100, declared_closed=True, updated_at=fresh, now=now) == Level.CLOSED
    )
    assert services.level_of(3, 100, updated_at=stale, now=now) == Level.UNKNOWN
    assert services.level_of(3, 100, updated_at=None, now=now) == Level.UNKNOWN
    assert services.level_of(3, 100, open_now=False, updated_at=fresh, now=now) == Level.CLOSED
    with override_settings(OCCUPANCY_MAX_AGE_MINUTES=60):
        assert services.level_of(3, 100, updated_at=stale, now=now) == Level.LOW


# --- updates -------------------------------------------------------------------------------


def test_staff_update_returns_the_new_state_and_keeps_history(world):
    state = services.update_occupancy(world.reading, world.staff, count=42, queue_minutes=15)
    assert state["count"] == 42 and state["level"] == Level.LOW
    assert state["queue_minutes"] == 15 and state["id"] == str(world.reading.pk)
    state = services.update_occupancy(world.reading.pk, world.staff, delta=+10)
    assert state["count"] == 52 and state["level"] == Level.MODERATE
    state = services.update_occupancy(world.reading.pk, world.staff, delta=-2)
    assert state["count"] == 50
    assert list(HistoryPoint.objects.values_list("count", flat=True)) == [42, 52, 50]


def test_a_count_above_capacity_is_kept_and_shown_full(world):
    state = services.update_occupancy(world.floor, world.staff, count=14)
    assert state["count"] == 14 and state["level"] == Level.FULL


def test_declared_full_and_open_again(world):
    assert services.update_occupancy(world.reading, world.staff, count=20)["level"] == Level.LOW
    assert services.update_occupancy(world.reading, world.staff, full=True)["level"] == Level.FULL
    assert services.update_occupancy(world.reading, world.staff, full=False)["level"] == Level.LOW
    closed = services.update_occupancy(world.reading, world.staff, closed=True)
    assert closed["level"] == Level.CLOSED and closed["queue_minutes"] is None
    assert services.update_occupancy(world.reading, world.staff, closed=False)["level"] == "low"


def test_outside_opening_hours_the_space_is_closed(world):
    space = services.create_space(world.manager, world.hours_site, "Salle", 20)
    sunday = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    state = services.update_occupancy(space, world.staff, count=5, now=sunday)
    assert state["level"] == Level.CLOSED
    monday = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert services.update_occupancy(space, world.staff, count=5, now=monday)["level"] == "low"


@pytest.mark.parametrize(
    "body",
    [
        {"count": -1},
        {"count": "12"},
        {"count": True},
        {"count": 1.5},
        {"delta": "1"},
        {"count": 3, "delta": 1},
        {"full": True, "closed": False},
        {},
        {"full": "yes"},
        {"closed": 1},
        {"queue_minutes": -5},
        {"queue_minutes": 2000},
        {"count": 3, "colour": "blue"},
        {"delta": -6},
    ],
)
def test_bad_updates_are_refused_and_nothing_written(world, body):
    services.update_occupancy(world.floor, world.staff, count=5)
    with pytest.raises(ValidationError):
        services.update_occupancy(world.floor, world.staff, **body)
    world.floor.refresh_from_db()
    assert world.floor.count == 5 and not world.floor.declared_full
    assert HistoryPoint.objects.count() == 1


def test_who_may_update(world):
    with pytest.raises(Forbidden):
        services.update_occupancy(world.reading, world.outsider, count=1)
    other = create_site(world.institution, name="Autre site")
    token, _raw = services.create_sensor_token(world.manager, other)
    with pytest.raises(Forbidden):
        services.update_occupancy(world.reading, token, count=1)
    services.update_occupancy(world.reading, world.manager, count=1)
    services.update_occupancy(world.reading, world.institution, count=2)
    assert HistoryPoint.objects.count() == 2
    with pytest.raises(NotFound):
        services.update_occupancy(999999, world.staff, count=1)


# --- sensor tokens -------------------------------------------------------------------------


def test_sensor_tokens_are_scoped_hashed_shown_once_and_revocable(world):
    with pytest.raises(Forbidden):
        services.create_sensor_token(world.staff, world.site)
    token, raw = services.create_sensor_token(world.manager, world.site, "Porte nord")
    stored = SensorToken.objects.get(pk=token.pk)
    assert raw not in {stored.token_hash, stored.prefix, stored.name}
    assert raw.startswith(stored.prefix)
    assert services.authenticate_sensor_token(raw) == token
    assert services.authenticate_sensor_token(raw + "x") is None
    assert services.authenticate_sensor_token(None) is None
    state = services.update_occupancy(world.reading, token, count=7)
    assert state["count"] == 7
    assert SensorToken.objects.get(pk=token.pk).last_used_at is not None
    with pytest.raises(Forbidden):
        services.revoke_sensor_token(world.staff, world.site, token.pk)
    services.revoke_sensor_token(world.manager, world.site, token.pk)
    assert services.authenticate_sensor_token(raw) is None
    token.refresh_from_db()
    with pytest.raises(Forbidden):
        services.update_occupancy(world.reading, token, count=8)
    with pytest.raises(NotFound):
        services.revoke_sensor_token(world.manager, world.site, 999999)


# --- idempotency ---------------------------------------------------------------------------


def test_the_same_idempotency_key_replays_without_writing(world):
    token, _raw = services.create_sensor_token(world.manager, world.site)
    first = services.update_occupancy(world.reading, token, delta=3, idempotency_key="abc")
    again = services.update_occupancy(world.reading, token, delta=3, idempotency_key="abc")
    assert first == again and first["count"] == 3
    world.reading.refresh_from_db()
    assert world.reading.count == 3
    assert HistoryPoint.objects.count() == 1
    with pytest.raises(ValidationError):
        services.update_occupancy(world.reading, token, delta=4, idempotency_key="abc")
    # Another writer's key is its own.
    other = services.update_occupancy(world.reading, world.staff, delta=3, idempotency_key="abc")
    assert other["count"] == 6
    assert IdempotencyKey.objects.count() == 2


def test_idempotency_keys_are_purged_after_a_day(world):
    services.update_occupancy(world.reading, world.staff, count=1, idempotency_key="k")
    assert services.purge_idempotency_keys(timezone.now() + timedelta(hours=23)) == 0
    assert services.purge_idempotency_keys(timezone.now() + timedelta(hours=25)) == 1


# --- rate limits ---------------------------------------------------------------------------


def test_sensor_tokens_are_rate_limited_with_bursts(world):
    token, _raw = services.create_sensor_token(world.manager, world.site)
    other, _raw = services.create_sensor_token(world.manager, world.site)
    with freeze_time("2026-03-02 10:00:00") as clock:
        for i in range(10):
            services.update_occupancy(world.reading, token, count=i)
        with pytest.raises(services.RateLimited) as refused:
            services.update_occupancy(world.reading, token, count=99)
        assert refused.value.retry_after == 1
        assert HistoryPoint.objects.count() == 10
        # Other tokens have their own bucket; a replayed key costs nothing.
        services.update_occupancy(world.reading, other, count=10, idempotency_key="x")
        clock.tick(1)
        services.update_occupancy(world.reading, token, count=11)
        with pytest.raises(services.RateLimited):
            services.update_occupancy(world.reading, token, count=12)
        clock.tick(3)
        for i in range(3):
            services.update_occupancy(world.reading, token, count=20 + i)
        with pytest.raises(services.RateLimited):
            services.update_occupancy(world.reading, token, count=30)
    # Staff on the phone page are not rate-limited like sensors.
    for i in range(15):
        services.update_occupancy(world.reading, world.staff, count=i)


def test_the_bucket_refills_at_the_sustained_rate():
    for i in range(10):
        services.check_rate("t", now=1000.0 + i * 0.01)
    with pytest.raises(services.RateLimited) as refused:
        services.check_rate("t", now=1000.2)
    assert refused.value.retry_after == 1
    services.check_rate("t", now=1001.2)
    with override_settings(OCCUPANCY_RATE=0.25):
        with pytest.raises(services.RateLimited) as refused:
            services.check_rate("t", now=1001.3)
        assert refused.value.retry_after == 4


# --- automatic posts -----------------------------------------------------------------------


def _enable(world, **options):
    return services.set_auto_posts(world.manager, world.site, enabled=True, **options)


def test_automatic_posts_when_full_and_reopened_reach_followers(world):
    from babillard.core.testing import make_account

    reader = make_account("lectrice")
    follow(reader, world.institution)
    _enable(world)
    start = timezone.now()
    services.update_occupancy(world.floor, world.staff, count=5, now=start)
    assert not Status.objects.filter(account=world.institution).exists()
    services.update_occupancy(world.floor, world.staff, count=10, now=start)
    post = Status.objects.get(account=world.institution)
    # The default French template (its translation comes with the catalogues).
    assert post.text.startswith("Niveau 2 (Centre Pompidou)") and post.language == "fr"
    assert post.visibility == "public"
    assert post.pk in {s.pk for s in timelines.home(reader).items}
    # Still full: no second post.
    services.update_occupancy(world.floor, world.staff, count=11, now=start)
    assert Status.objects.filter(account=world.institution).count() == 1
    # Seats again within 30 minutes of the last post of this space: nothing.
    services.update_occupancy(world.floor, world.staff, count=8, now=start + timedelta(minutes=10))
    assert Status.objects.filter(account=world.institution).count() == 1
    services.update_occupancy(world.floor, world.staff, count=10, now=start + timedelta(minutes=40))
    services.update_occupancy(world.floor, world.staff, count=3, now=start + timedelta(minutes=75))
    kinds = list(AutoPost.objects.order_by("created_at").values_list("kind", flat=True))
    assert kinds == ["full", "full", "reopened"]
    assert Status.objects.filter(account=world.institution).count() == 3


def test_automatic_posts_use_the_template_of_the_language(world):
    _enable(world, language="en", templates={"en": {"full": "{space} at {site} is full!"}})
    services.update_occupancy(world.floor, world.staff, full=True)
    assert Status.objects.get(account=world.institution).text == (
        "Niveau 2 at Centre Pompidou is full!"
    )


def test_automatic_posts_have_a_daily_limit(world):
    _enable(world, max_per_day=2)
    extra = services.create_space(world.manager, world.site, "Niveau 3", 10)
    base = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for space in (world.floor, extra, world.reading):
        services.update_occupancy(space, world.staff, full=True, now=base)
    assert AutoPost.objects.count() == 2
    # The next day, in the site's time zone, counts afresh.
    services.update_occupancy(world.reading, world.staff, full=False, now=base + timedelta(days=1))
    services.update_occupancy(world.reading, world.staff, full=True, now=base + timedelta(days=1))
    assert AutoPost.objects.count() == 3


def test_no_automatic_posts_unless_turned_on(world):
    services.update_occupancy(world.floor, world.staff, full=True)
    services.set_auto_posts(world.manager, world.site, enabled=False)
    services.update_occupancy(world.floor, world.staff, full=False)
    services.update_occupancy(world.floor, world.staff, full=True)
    assert not Status.objects.filter(account=world.institution).exists()


@pytest.mark.parametrize(
    "options",
    [
        {"language": "de"},
        {"max_per_day": 0},
        {"templates": {"de": {"full": "voll"}}},
        {"templates": {"fr": {"empty": "vide"}}},
        {"templates": {"fr": {"full": ""}}},
        {"templates": {"fr": {"full": "x" * 401}}},
    ],
)
def test_bad_automatic_post_settings_are_refused(world, options):
    with pytest.raises(ValidationError):
        _enable(world, **options)
    with pytest.raises(Forbidden):
        services.set_auto_posts(world.staff, world.site, enabled=True)


# --- spaces ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "capacity"), [("", 10), ("Salle", 0), ("Salle", -3), ("Salle", "10"), ("S", True)]
)
def test_bad_spaces_are_refused(world, name, capacity):
    before = Space.objects.count()
    with pytest.raises(ValidationError):
        services.create_space(world.manager, world.site, name, capacity)
    assert Space.objects.count() == before


def test_only_managers_manage_spaces(world):
    with pytest.raises(Forbidden):
        services.create_space(world.staff, world.site, "Salle", 10)
    with pytest.raises(Forbidden):
        services.update_space(world.staff, world.floor, capacity=20)
    services.update_space(world.manager, world.floor, capacity=20)
    world.floor.refresh_from_db()
    assert world.floor.capacity == 20


# --- history upkeep --------------------------------------------------------------------------


def test_history_is_summarised_per_quarter_hour_after_eight_days(world):
    now = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
    old_start = now - timedelta(days=9, hours=2)  # 10:00 UTC, nine days ago
    points = [
        HistoryPoint(space=world.reading, at=old_start + timedelta(seconds=10 * i), count=i % 37)
        for i in range(360)  # one hour, every ten seconds
    ]
    recent = [
        HistoryPoint(space=world.reading, at=now - timedelta(days=2, seconds=10 * i), count=5)
        for i in range(20)
    ]
    HistoryPoint.objects.bulk_create(points + recent)
    old_day = old_start.date()
    peaks_before = slot_peaks(world.reading, [old_day])
    removed = services.summarise_history(now)
    assert removed == 360 - 4
    summaries = list(HistoryPoint.objects.filter(span_seconds=900).order_by("at"))
    assert [s.at for s in summaries] == [old_start + timedelta(minutes=15 * q) for q in range(4)]
    assert all(s.count == 36 for s in summaries)
    assert HistoryPoint.objects.filter(span_seconds=0).count() == 20
    assert slot_peaks(world.reading, [old_day]) == peaks_before
    # Running it again changes nothing; a late point joins its quarter.
    assert services.summarise_history(now) == 0
    HistoryPoint.objects.create(space=world.reading, at=old_start + timedelta(minutes=1), count=90)
    services.summarise_history(now)
    summaries = list(HistoryPoint.objects.filter(span_seconds=900).order_by("at"))
    assert len(summaries) == 4 and summaries[0].count == 90
