"""Reports and probe results exchanged with a peer instance through the platform actors:
what is sent (no reporter, only the institution and its city), what is accepted from a
peer, and what is ignored from an instance that did not opt in."""

from typing import Any

import pytest
from django.test import Client

from babillard.federation.remote import resolve_actor
from babillard.federation.tests.conftest import FakeNetwork, signed_post
from babillard.outages import queries, services
from babillard.outages.models import Platform, Probe, Report


@pytest.fixture
def peer_cairn(network: FakeNetwork, cairn: Platform) -> Any:
    actor = network.actor("cairn", host="peer.example", kind="Service")
    resolve_actor(actor.uri)
    return actor


def _report(actor: Any, number: int = 7, **changes: Any) -> dict[str, Any]:
    document = {
        "type": "OutageReport",
        "id": f"https://peer.example/platforms/cairn/reports/{number}",
        "attributedTo": actor.uri,
        "platform": "cairn",
        "problem": "down",
        "city": "Lille",
        "institution": "https://peer.example/users/bu_lille",
        "institutionName": "BU de Lille",
        "published": "2026-01-01T10:00:00+00:00",
        "updated": "2026-01-01T10:00:00+00:00",
        **changes,
    }
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{document['id']}#create/1",
        "type": "Create",
        "actor": actor.uri,
        "to": ["http://127.0.0.1:8000/users/cairn"],
        "object": document,
    }


def test_a_peer_report_counts_with_its_city(
    client: Client,
    network: FakeNetwork,
    peer_cairn: Any,
    cairn: Platform,
) -> None:
    services.add_peer("peer.example")
    # Sent "now": the report's own clock may not be ahead of ours.
    response = signed_post(client, "/inbox", _report(peer_cairn, updated=None), peer_cairn)
    assert response.status_code == 202
    report = Report.objects.get()
    assert (report.origin, report.city, report.problem) == ("peer.example", "Lille", "down")
    assert report.account is None
    assert queries.status(cairn)["cities"] == ["Lille"]
    # Sent again with the same id: the report is replaced, not added.
    again = _report(peer_cairn, problem="slow", updated=None)
    again["id"] = again["id"].replace("/1", "/2")
    signed_post(client, "/inbox", again, peer_cairn)
    assert Report.objects.get().problem == "slow"


def test_a_peer_probe_shows_where_it_comes_from(
    client: Client,
    network: FakeNetwork,
    peer_cairn: Any,
    cairn: Platform,
) -> None:
    services.add_peer("peer.example")
    activity = _report(peer_cairn)
    activity["object"] = {
        "type": "ProbeResult",
        "id": "https://peer.example/platforms/cairn/probes/3",
        "platform": "cairn",
        "url": "https://www.cairn.info/",
        "ok": True,
        "statusCode": 200,
        "latencyMs": 210,
        "tlsExpiresAt": "2027-02-01T00:00:00+00:00",
        "checkedAt": None,
    }
    activity["id"] = "https://peer.example/platforms/cairn/probes/3#create/1"
    signed_post(client, "/inbox", activity, peer_cairn)
    [probe] = Probe.objects.all()
    assert (probe.origin, probe.ok, probe.latency_ms) == ("peer.example", True, 210)
    [shown] = queries.status(cairn)["probes"]
    assert shown["from"] == "peer.example" and shown["latency_ms"] == 210


def test_nothing_is_taken_from_an_instance_that_did_not_opt_in(
    client: Client,
    network: FakeNetwork,
    peer_cairn: Any,
) -> None:
    signed_post(client, "/inbox", _report(peer_cairn, updated=None), peer_cairn)
    assert not Report.objects.exists()


def test_a_platform_actor_speaks_only_for_its_platform(
    client: Client,
    network: FakeNetwork,
    cairn: Platform,
) -> None:
    services.add_peer("peer.example")
    jstor = network.actor("jstor", host="peer.example", kind="Service")
    signed_post(client, "/inbox", _report(jstor, updated=None), jstor)
    assert not Report.objects.exists()


def test_local_reports_go_to_the_peers_platform_actor(
    network: FakeNetwork,
    peer_cairn: Any,
    cairn: Platform,
    network4: dict[str, Any],
) -> None:
    services.add_peer("peer.example")
    services.report_problem(network4["staff"]["bm_lyon"], cairn, "down", "Rien ne charge")
    [activity] = network.activities("Create")
    assert activity["actor"] == cairn.actor.uri and activity["to"] == [peer_cairn.uri]
    document = activity["object"]
    assert document["type"] == "OutageReport" and document["platform"] == "cairn"
    assert document["city"] == "Lyon" and document["problem"] == "down"
    assert document["institution"] == network4["institutions"]["bm_lyon"].uri
    # Neither the reporter nor the comment leaves the instance.
    text = str(activity)
    assert "bm_lyon_staff" not in text and "Rien ne charge" not in text
