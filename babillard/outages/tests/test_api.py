"""``/api/babillard/v1/platforms`` and ``/incidents``: every contract path over HTTP."""

from collections.abc import Callable
from typing import Any

from babillard.api.tests.conftest import ApiClient
from babillard.core.testing import make_account
from babillard.outages import services
from babillard.outages.models import Platform

V1 = "/api/babillard/v1"


def test_moderators_add_platforms_and_anyone_lists_them(
    moderator: Any, token_for: Callable[..., str]
) -> None:
    member = ApiClient(token_for(make_account("membre")))
    body = {
        "name": "Classiques Garnier",
        "url": "https://classiques-garnier.com/",
        "vendor": "Classiques Garnier",
        "probe_urls": ["https://classiques-garnier.com/", "https://classiques-garnier.com/login"],
    }
    assert ApiClient().post(f"{V1}/platforms", body).status_code == 401
    assert member.post(f"{V1}/platforms", body).status_code == 403
    assert ApiClient(token_for(moderator, "read")).post(f"{V1}/platforms", body).status_code == 403
    response = ApiClient(token_for(moderator, "admin:write")).post(f"{V1}/platforms", body)
    assert response.status_code == 200, response.content
    created = response.json()
    assert created["slug"] == "classiques_garnier" and created["id"]
    assert created["probe_urls"] == body["probe_urls"]
    assert created["actor"] == "classiques_garnier"
    bad = ApiClient(token_for(moderator, "admin:write")).post(
        f"{V1}/platforms", {"name": "", "url": "x"}
    )
    assert bad.status_code == 422 and bad.json()["error"]
    listed = ApiClient().get(f"{V1}/platforms").json()
    assert [p["slug"] for p in listed] == ["classiques_garnier"]


def test_report_status_and_incident_updates(
    network4: dict[str, Any], cairn: Platform, moderator: Any, token_for: Callable[..., str]
) -> None:
    services.record_probe(cairn, cairn.home_url, ok=True, status_code=200, latency_ms=90)
    staff = network4["staff"]
    clients = {name: ApiClient(token_for(person)) for name, person in staff.items()}
    path = f"{V1}/platforms/{cairn.pk}/reports"
    assert ApiClient().post(path, {"problem": "down"}).status_code == 401
    unknown = clients["bm_lyon"].post(path, {"problem": "kaput"})
    assert unknown.status_code == 422 and "down" in unknown.json()["error"]
    first = clients["bm_lyon"].post(path, {"problem": "down", "comment": "Écran blanc"})
    assert first.status_code == 200, first.content
    assert first.json()["problem"] == "down" and first.json()["city"] == "Lyon"
    status = ApiClient().get(f"{V1}/platforms/{cairn.pk}/status").json()
    assert status["state"] == "local_problem" and status["incident"] is None
    assert status["probes"][0]["from"] and status["probes"][0]["ok"] is True
    assert status["probes"][0]["latency_ms"] == 90 and status["probes"][0]["checked_at"]
    clients["bu_lille"].post(path, {"problem": "down"})
    clients["bm_nantes"].post(path, {"problem": "slow"})
    status = ApiClient().get(f"{V1}/platforms/{cairn.pk}/status").json()
    assert status["state"] == "probable_outage"
    assert (status["reports_last_hour"], status["institutions"]) == (3, 3)
    assert status["cities"] == ["Lille", "Lyon", "Nantes"]
    assert status["baseline"] == 0
    incident = status["incident"]
    assert incident["state"] == "investigating"
    listed = ApiClient().get(f"{V1}/incidents", {"platform_id": cairn.pk}).json()
    assert [i["id"] for i in listed] == [incident["id"]]
    assert ApiClient().get(f"{V1}/incidents", {"platform_id": cairn.pk + 1}).json() == []

    updates = f"{V1}/incidents/{incident['id']}/updates"
    assert ApiClient().post(updates, {"state": "resolved"}).status_code == 401
    assert clients["bm_lyon"].post(updates, {"state": "identified"}).status_code == 403
    mod = ApiClient(token_for(moderator))
    assert mod.post(updates, {"state": "done", "message": ""}).status_code == 422
    answer = mod.post(updates, {"state": "identified", "message": "Certificat expiré"})
    assert answer.status_code == 200, answer.content
    assert [u["state"] for u in answer.json()["updates"]] == ["investigating", "identified"]
    assert ApiClient().get(f"{V1}/platforms/{cairn.pk}/status").json()["state"] == "outage"
    resolved = mod.post(updates, {"state": "resolved", "message": "Rétabli"}).json()
    assert resolved["resolved_at"] and resolved["state"] == "resolved"
    status = ApiClient().get(f"{V1}/platforms/{cairn.slug}/status").json()
    assert status["incident"] is None and status["state"] != "probable_outage"


def test_unknown_platform_is_404(db: Any) -> None:
    assert ApiClient().get(f"{V1}/platforms/999/status").status_code == 404
    assert ApiClient().get(f"{V1}/incidents/999").status_code == 404
