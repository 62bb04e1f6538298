"""``/api/babillard/v1/`` spaces, sensor tokens, occupancy updates, the public feed and the
forecast: every contract path over plain HTTP, with its error cases."""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from babillard.api.tests.conftest import ApiClient
from babillard.core.testing import make_account
from babillard.institutions.models import Role
from babillard.institutions.services import add_member, create_site
from babillard.occupancy.services import create_space

V1 = "/api/babillard/v1"


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db: Any, token_for: Callable[..., str]) -> SimpleNamespace:
    """A library with a manager, a staff member and an outsider; two sites, the first
    (always open) with a reading room of 100 seats."""
    institution = make_account("bpi", kind="institution", display_name="Bpi")
    manager, staff, outsider = make_account("manon"), make_account("stella"), make_account("otto")
    add_member(institution, institution, manager, Role.MANAGER)
    add_member(institution, institution, staff, Role.STAFF)
    site = create_site(manager, name="Centre Pompidou", city="Paris")
    other_site = create_site(manager, name="Annexe", city="Paris")
    reading = create_space(manager, site, "Salle de lecture", 100)
    return SimpleNamespace(
        site=site,
        other_site=other_site,
        reading=reading,
        update=f"{V1}/spaces/{reading.pk}/occupancy",
        manager=ApiClient(token_for(manager)),
        staff=ApiClient(token_for(staff)),
        outsider=ApiClient(token_for(outsider)),
        read_only=ApiClient(token_for(staff, "read")),
        anonymous=ApiClient(),
    )


def sensor_for(world: SimpleNamespace, site: Any) -> ApiClient:
    created = world.manager.post(f"{V1}/sites/{site.pk}/sensor_tokens", {"name": "porte"})
    assert created.status_code == 200, created.content
    return ApiClient(created.json()["token"])


def test_create_space(world: SimpleNamespace) -> None:
    created = world.manager.post(
        f"{V1}/sites/{world.site.pk}/spaces", {"name": "Niveau 2", "capacity": 40}
    )
    assert created.status_code == 200
    assert created.json()["id"] and created.json()["capacity"] == 40
    as_form = world.manager.post(
        f"{V1}/sites/{world.site.pk}/spaces", {"name": "Niveau 3", "capacity": "12"}, form=True
    )
    assert as_form.json()["capacity"] == 12


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("anonymous", {"name": "N", "capacity": 4}, 401),
        ("staff", {"name": "N", "capacity": 4}, 403),
        ("outsider", {"name": "N", "capacity": 4}, 403),
        ("manager", {"name": "", "capacity": 4}, 422),
        ("manager", {"name": "N", "capacity": 0}, 422),
        ("manager", {"name": "N", "capacity": "many"}, 422),
    ],
)
def test_create_space_errors(world: SimpleNamespace, who: str, body: Any, status: int) -> None:
    response = getattr(world, who).post(f"{V1}/sites/{world.site.pk}/spaces", body)
    assert response.status_code == status
    assert "error" in response.json()
    assert world.manager.post(f"{V1}/sites/999999/spaces", body).status_code == 404


def test_sensor_tokens_are_shown_once_and_revoked(world: SimpleNamespace) -> None:
    created = world.manager.post(f"{V1}/sites/{world.site.pk}/sensor_tokens")
    body = created.json()
    assert set(body) >= {"id", "token"} and body["token"].startswith("bbs_")
    sensor = ApiClient(body["token"])
    assert sensor.post(world.update, {"count": 3}).status_code == 200
    path = f"{V1}/sites/{world.site.pk}/sensor_tokens/{body['id']}"
    assert world.staff.delete(path).status_code == 403
    assert world.anonymous.delete(path).status_code == 401
    assert world.manager.delete(path).status_code == 200
    assert sensor.post(world.update, {"count": 4}).status_code == 401
    assert (
        world.manager.delete(f"{V1}/sites/{world.site.pk}/sensor_tokens/999999").status_code == 404
    )
    for who, status in (("anonymous", 401), ("staff", 403), ("outsider", 403)):
        refused = getattr(world, who).post(f"{V1}/sites/{world.site.pk}/sensor_tokens")
        assert refused.status_code == status


def test_updates_by_sensor_and_staff(world: SimpleNamespace) -> None:
    sensor = sensor_for(world, world.site)
    counted = sensor.post(world.update, {"count": 85, "queue_minutes": 15})
    assert counted.status_code == 200
    assert counted.json() | {"updated_at": None} == {
        "id": str(world.reading.pk),
        "name": "Salle de lecture",
        "capacity": 100,
        "count": 85,
        "level": "high",
        "queue_minutes": 15,
        "updated_at": None,
    }
    assert world.staff.post(world.update, {"delta": 20}).json()["level"] == "full"
    assert world.staff.post(world.update, {"count": 10}).json()["level"] == "low"
    assert world.staff.post(world.update, {"full": True}).json()["level"] == "full"
    assert world.staff.post(world.update, {"full": False}).json()["level"] == "low"
    assert world.manager.post(world.update, {"closed": True}).json()["level"] == "closed"
    as_form = world.staff.post(world.update, {"closed": "false", "count": "60"}, form=True)
    assert as_form.status_code == 422
    as_form = world.staff.post(world.update, {"count": "60"}, form=True)
    assert as_form.json()["count"] == 60


@pytest.mark.parametrize(
    "body",
    [
        {"count": -1},
        {"count": 1.5},
        {"count": "many"},
        {"delta": -1000},
        {"full": "yes"},
        {"count": 1, "delta": 1},
        {},
        {"queue_minutes": 5000},
        {"seats": 3},
    ],
)
def test_bad_bodies_are_422_with_the_reason(world: SimpleNamespace, body: Any) -> None:
    response = world.staff.post(world.update, body)
    assert response.status_code == 422
    assert response.json()["error"].startswith("Validation failed: ")
    assert len(response.json()["error"]) > len("Validation failed: ")


def test_who_may_update(world: SimpleNamespace) -> None:
    assert world.anonymous.post(world.update, {"count": 1}).status_code == 401
    assert ApiClient("bbs_unknown").post(world.update, {"count": 1}).status_code == 401
    assert ApiClient("nonsense").post(world.update, {"count": 1}).status_code == 401
    other_sensor = sensor_for(world, world.other_site)
    assert other_sensor.post(world.update, {"count": 1}).status_code == 403
    assert world.outsider.post(world.update, {"count": 1}).status_code == 403
    assert world.read_only.post(world.update, {"count": 1}).status_code == 403
    assert world.staff.post(f"{V1}/spaces/999999/occupancy", {"count": 1}).status_code == 404


def test_idempotency_key_replays_the_first_answer(world: SimpleNamespace) -> None:
    sensor = sensor_for(world, world.site)
    first = sensor.post(world.update, {"delta": 5}, **{"Idempotency-Key": "k1"})
    again = sensor.post(world.update, {"delta": 5}, **{"Idempotency-Key": "k1"})
    assert first.json() == again.json()
    assert first.json()["count"] == 5
    reused = sensor.post(world.update, {"delta": 6}, **{"Idempotency-Key": "k1"})
    assert reused.status_code == 422


def test_rate_limit_answers_429_with_retry_after(world: SimpleNamespace, settings: Any) -> None:
    # A slow refill, so that however slow the requests, the eleventh finds the bucket empty.
    settings.OCCUPANCY_RATE = 0.01
    sensor = sensor_for(world, world.site)
    answers = [sensor.post(world.update, {"count": n}) for n in range(12)]
    codes = [a.status_code for a in answers]
    assert codes[:10] == [200] * 10
    assert codes[-1] == 429
    assert int(answers[-1]["Retry-After"]) >= 1
    assert answers[-1].json()["error"] == "Too many requests"


def test_public_feed_without_token_and_cors_open(world: SimpleNamespace) -> None:
    world.staff.post(world.update, {"count": 100, "queue_minutes": 30})
    response = Client().get(f"{V1}/sites/{world.site.pk}/occupancy", HTTP_ORIGIN="https://bpi.fr")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    body = response.json()
    assert set(body) >= {"site", "open", "spaces", "updated_at"}
    assert body["open"] is True and body["site"]["id"] == str(world.site.pk)
    (space,) = body["spaces"]
    assert set(space) == {"id", "name", "capacity", "count", "level", "queue_minutes", "updated_at"}
    assert (space["count"], space["level"], space["queue_minutes"]) == (100, "full", 30)
    assert body["updated_at"] == space["updated_at"]
    assert Client().get(f"{V1}/sites/999999/occupancy").status_code == 404


def test_public_forecast(world: SimpleNamespace) -> None:
    response = Client().get(f"{V1}/sites/{world.site.pk}/forecast")
    assert response.status_code == 200
    body = response.json()
    assert body["site_id"] == str(world.site.pk) and body["timezone"] == "Europe/Paris"
    (space,) = body["spaces"]
    assert space["id"] == str(world.reading.pk) and space["name"] == "Salle de lecture"
    assert 7 * 48 <= len(space["slots"]) <= 7 * 48 + 1
    assert set(space["slots"][0]) >= {"start", "expected_count", "level"}
    assert Client().get(f"{V1}/sites/999999/forecast").status_code == 404


def test_openapi_describes_the_occupancy_paths(db: Any) -> None:
    paths = Client().get(f"{V1}/openapi.json").json()["paths"]
    update = paths["/api/babillard/v1/spaces/{space_id}/occupancy"]["post"]["responses"]
    assert {"200", "401", "403", "404", "422", "429"} <= set(update)
    feed = paths["/api/babillard/v1/sites/{site_id}/occupancy"]["get"]["responses"]
    assert feed["200"]["content"]["application/json"]["schema"]
