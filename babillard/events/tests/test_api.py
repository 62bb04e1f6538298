"""``/api/babillard/v1/events``: every contract path over plain HTTP, with its error cases."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from babillard.api.tests.conftest import ApiClient
from babillard.events.tests.conftest import event_fields, soon

V1 = "/api/babillard/v1"


@pytest.fixture
def clients(library: dict[str, Any], token_for: Callable[..., str]) -> dict[str, ApiClient]:
    alice, bruno, chloe = library["readers"]
    return {
        "editor": ApiClient(token_for(library["editor"])),
        "alice": ApiClient(token_for(alice)),
        "bruno": ApiClient(token_for(bruno)),
        "chloe": ApiClient(token_for(chloe)),
        "reader_only": ApiClient(token_for(alice, "read")),
        "anonymous": ApiClient(),
    }


def _create(clients: dict[str, ApiClient], library: dict[str, Any], **changes: Any) -> Any:
    given: dict[str, Any] = {
        "institution_id": str(library["institution"].pk),
        "site_id": str(library["site"].pk),
        "capacity": 2,
        **changes,
    }
    body = event_fields(**given)
    return clients["editor"].post(f"{V1}/events", body)


def test_create_answers_the_event(clients: dict[str, ApiClient], library: dict[str, Any]) -> None:
    response = _create(clients, library)
    assert response.status_code == 200, response.content
    event = response.json()
    assert event["status"] == "confirmed"
    assert event["status_id"] and event["url"].endswith(f"/events/{event['id']}")
    assert (event["participants_count"], event["waiting_count"]) == (0, 0)
    assert event["timezone"] == "Europe/Paris" and event["audience"] == "children"
    assert event["organizer"]["username"] == "mediatheque"
    status = clients["alice"].get(f"/api/v1/statuses/{event['status_id']}").json()
    assert status["babillard"]["event"]["id"] == event["id"]
    assert status["babillard"]["event"]["participation"] == "none"


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"title": ""}, 422),
        ({"timezone": "Nowhere/Land"}, 422),
        ({"starts_at": "demain"}, 422),
        ({"audience": "cats"}, 422),
        ({"registration": "external"}, 422),
        ({"capacity": "many"}, 422),
        ({"site_id": "999999"}, 422),
    ],
)
def test_create_refuses_bad_input(
    clients: dict[str, ApiClient], library: dict[str, Any], changes: dict[str, Any], status: int
) -> None:
    response = _create(clients, library, **changes)
    assert response.status_code == status
    assert response.json()["error"].startswith("Validation failed")


def test_create_needs_a_token_with_write(
    clients: dict[str, ApiClient], library: dict[str, Any]
) -> None:
    assert clients["anonymous"].post(f"{V1}/events", event_fields()).status_code == 401
    assert clients["reader_only"].post(f"{V1}/events", event_fields()).status_code == 403
    # Naming an institution one is not an editor of.
    response = clients["alice"].post(
        f"{V1}/events", event_fields(institution_id=str(library["institution"].pk))
    )
    assert response.status_code == 403


def test_get_patch_cancel_delete(clients: dict[str, ApiClient], library: dict[str, Any]) -> None:
    event = _create(clients, library).json()
    path = f"{V1}/events/{event['id']}"
    assert clients["anonymous"].get(path).json()["title"] == "Heure du conte"
    assert clients["anonymous"].get(f"{V1}/events/999999").status_code == 404
    assert clients["anonymous"].get(f"{V1}/events/nope").status_code == 404
    assert clients["alice"].patch(path, {"title": "Piraté"}).status_code == 403
    assert clients["editor"].patch(path, {"status": "nope"}).status_code == 422
    changed = clients["editor"].patch(path, {"title": "Contes", "status": "postponed"}).json()
    assert (changed["title"], changed["status"], changed["sequence"]) == ("Contes", "postponed", 1)
    assert clients["alice"].post(f"{path}/cancel").status_code == 403
    assert clients["editor"].post(f"{path}/cancel").json()["status"] == "cancelled"
    assert clients["alice"].delete(path).status_code == 403
    assert clients["editor"].delete(path).status_code == 200
    assert clients["anonymous"].get(path).status_code == 404


def test_participation_and_the_waiting_list(
    clients: dict[str, ApiClient], library: dict[str, Any]
) -> None:
    event = _create(clients, library).json()
    path = f"{V1}/events/{event['id']}/participation"
    assert clients["anonymous"].post(path).status_code == 401
    assert clients["alice"].post(path).json() == {
        "state": "participant",
        "participants_count": 1,
        "waiting_count": 0,
    }
    assert clients["bruno"].post(path).json()["state"] == "participant"
    assert clients["chloe"].post(path).json() == {
        "state": "waiting",
        "participants_count": 2,
        "waiting_count": 1,
    }
    left = clients["alice"].delete(path).json()
    assert left == {"state": "none", "participants_count": 2, "waiting_count": 0}
    assert clients["chloe"].get(f"{V1}/events/{event['id']}").json()["participation"] == (
        "participant"
    )
    assert clients["alice"].post(f"{V1}/events/999999/participation").status_code == 404


def test_full_event_without_waiting_list_answers_422(
    clients: dict[str, ApiClient], library: dict[str, Any]
) -> None:
    event = _create(clients, library, capacity=1, waiting_list=False).json()
    path = f"{V1}/events/{event['id']}/participation"
    clients["alice"].post(path)
    response = clients["bruno"].post(path)
    assert response.status_code == 422 and "full" in response.json()["error"]


def test_participants_list_and_csv(clients: dict[str, ApiClient], library: dict[str, Any]) -> None:
    event = _create(clients, library).json()
    for name in ("alice", "bruno", "chloe"):
        clients[name].post(f"{V1}/events/{event['id']}/participation")
    path = f"{V1}/events/{event['id']}/participants"
    assert clients["alice"].get(path).status_code == 403
    assert clients["anonymous"].get(path).status_code == 401
    listed = clients["editor"].get(path).json()
    assert [(p["account"]["username"], p["state"]) for p in listed] == [
        ("alice", "participant"),
        ("bruno", "participant"),
        ("chloe", "waiting"),
    ]
    exported = clients["editor"].get(path, {"format": "csv"})
    assert exported["Content-Type"].startswith("text/csv")
    lines = exported.content.decode().splitlines()
    assert lines[0] == "handle,name,state,joined_at" and len(lines) == 4


def test_list_with_filters(clients: dict[str, ApiClient], library: dict[str, Any]) -> None:
    first = _create(clients, library).json()
    later = soon(days=20)
    second = _create(
        clients,
        library,
        title="Atelier",
        tags=["atelier"],
        starts_at=later.isoformat(),
        ends_at=(later + timedelta(hours=2)).isoformat(),
    ).json()
    anonymous = clients["anonymous"]
    assert [e["id"] for e in anonymous.get(f"{V1}/events").json()] == [first["id"], second["id"]]
    assert [e["id"] for e in anonymous.get(f"{V1}/events", {"tag": "atelier"}).json()] == [
        second["id"]
    ]
    until = soon(days=10).date().isoformat()
    assert [e["id"] for e in anonymous.get(f"{V1}/events", {"to": until}).json()] == [first["id"]]
    from_instant = (later - timedelta(hours=1)).isoformat()
    assert [e["id"] for e in anonymous.get(f"{V1}/events", {"from": from_instant}).json()] == [
        second["id"]
    ]
    site = anonymous.get(f"{V1}/events", {"site_id": library["site"].pk}).json()
    assert len(site) == 2
    account = anonymous.get(f"{V1}/events", {"account_id": library["institution"].pk}).json()
    assert len(account) == 2
    assert anonymous.get(f"{V1}/events", {"from": "bientôt"}).status_code == 422
    assert anonymous.get(f"{V1}/events", {"site_id": "x"}).status_code == 422


def test_openapi_describes_the_event_paths(clients: dict[str, ApiClient]) -> None:
    document = clients["anonymous"].get(f"{V1}/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/babillard/v1/events",
        "/api/babillard/v1/events/{event_id}",
        "/api/babillard/v1/events/{event_id}/cancel",
        "/api/babillard/v1/events/{event_id}/participants",
        "/api/babillard/v1/events/{event_id}/participation",
    ):
        assert path in paths, path
    assert "EventEntity" in document["components"]["schemas"]
    created = paths["/api/babillard/v1/events"]["post"]["responses"]
    assert set(created) >= {"200", "401", "403", "422"}
