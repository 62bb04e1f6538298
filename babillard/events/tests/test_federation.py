"""Events over ActivityPub against documents shaped as Mobilizon sends them (written for
these tests from Mobilizon's converters), and what goes out to Mobilizon and Mastodon."""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from babillard.accounts.services import accept_follow_request, follow
from babillard.events import queries, services
from babillard.events.federation import event_object
from babillard.events.models import Event, EventState, ParticipationState
from babillard.events.tests.conftest import event_fields, soon
from babillard.federation.remote import resolve_actor
from babillard.federation.tests.conftest import FakeNetwork, signed_post
from babillard.notifications.models import Notification, NotificationType
from babillard.timelines.models import HomeFeedEntry

FIXTURES = Path(__file__).parent / "fixtures"
MOBILIZON_EVENT = "https://mobilizon.example/events/5d4b3d0e-1c8a-4c45-9d0a-8f1f6f0b7a21"


def fixture(name: str, **values: str) -> dict[str, Any]:
    text = (FIXTURES / name).read_text()
    for key, value in values.items():
        text = text.replace(f'"{key}"', json.dumps(value))
    return json.loads(text)  # type: ignore[no-any-return]


@pytest.fixture
def fanny(network: FakeNetwork) -> Any:
    """A Mobilizon person (Mobilizon's actors live at ``/@name``)."""
    return network.actor("fanny", host="mobilizon.example", uri="https://mobilizon.example/@fanny")


def _follows(reader: Any, actor: Any) -> None:
    """``reader`` follows the remote actor, the remote side having accepted."""
    remote = resolve_actor(actor.uri)
    follow(reader, remote)
    accept_follow_request(remote, reader)


def _mobilizon_event(**changes: Any) -> dict[str, Any]:
    start = soon(days=4, hour=14)
    activity = fixture(
        "mobilizon_create_event.json",
        STARTS=start.isoformat(),
        ENDS=(start + timedelta(hours=3)).isoformat(),
    )
    activity["object"].update(changes)
    return activity


def test_a_mobilizon_event_reaches_timelines_and_agendas(
    client: Client,
    network: FakeNetwork,
    fanny: Any,
    library: dict[str, Any],
) -> None:
    reader = library["readers"][0]
    _follows(reader, fanny)
    response = signed_post(client, "/inbox", _mobilizon_event(), fanny)
    assert response.status_code == 202
    event = Event.objects.get(uri=MOBILIZON_EVENT)
    assert event.title == "Repair café du quartier"
    assert event.capacity == 12 and event.time_zone == "Europe/Paris"
    assert event.state == EventState.CONFIRMED
    assert "Maison des associations" in event.address and "Lyon" in event.address
    assert event.cover_remote_url == "https://mobilizon.example/media/banner.jpg"
    assert services.local_start(event).hour == 14
    assert [t.name for t in event.tags.all()] == ["reparation"]
    assert HomeFeedEntry.objects.filter(owner=reader, status=event.announcement).exists()
    assert "Repair café" in event.announcement.content
    assert list(queries.agenda(tag="reparation")) == [event]


def test_an_event_nobody_follows_is_not_stored(
    client: Client,
    network: FakeNetwork,
    fanny: Any,
    library: dict[str, Any],
) -> None:
    signed_post(client, "/inbox", _mobilizon_event(), fanny)
    assert not Event.objects.filter(uri=MOBILIZON_EVENT).exists()


def test_update_in_upper_case_status_notifies_local_participants(
    client: Client,
    network: FakeNetwork,
    fanny: Any,
    library: dict[str, Any],
) -> None:
    reader = library["readers"][0]
    _follows(reader, fanny)
    signed_post(client, "/inbox", _mobilizon_event(), fanny)
    event = Event.objects.get(uri=MOBILIZON_EVENT)
    participation = services.join_event(reader, event)
    assert participation.state == ParticipationState.PENDING
    update = _mobilizon_event(**{"ical:status": "CANCELLED"})
    update["type"], update["id"] = "Update", f"{MOBILIZON_EVENT}/update/1"
    signed_post(client, "/inbox", update, fanny)
    event.refresh_from_db()
    assert event.state == EventState.CANCELLED and event.sequence == 1
    assert Notification.objects.filter(recipient=reader, type=NotificationType.EVENT_UPDATE)


def test_joining_a_mobilizon_event_sends_join_and_mobilizon_accepts(
    client: Client,
    network: FakeNetwork,
    fanny: Any,
    library: dict[str, Any],
) -> None:
    reader = library["readers"][0]
    _follows(reader, fanny)
    signed_post(client, "/inbox", _mobilizon_event(), fanny)
    event = Event.objects.get(uri=MOBILIZON_EVENT)
    participation = services.join_event(reader, event)
    [join] = network.activities("Join")
    assert join["object"] == MOBILIZON_EVENT and join["actor"] == reader.uri
    accept = fixture("mobilizon_accept.json", JOIN=join["id"], PARTICIPANT=reader.uri)
    assert signed_post(client, "/inbox", accept, fanny).status_code == 202
    participation.refresh_from_db()
    assert participation.state == ParticipationState.PARTICIPANT
    services.leave_event(reader, event)
    [leave] = network.activities("Leave")
    assert leave["object"] == MOBILIZON_EVENT


def test_a_mobilizon_join_is_accepted_then_leave_removes_it(
    client: Client,
    network: FakeNetwork,
    fanny: Any,
    library: dict[str, Any],
) -> None:
    event = services.create_event(library["editor"], capacity=1, **event_fields())
    uri = services.event_url(event)
    join = fixture("mobilizon_join.json", EVENT=uri, ORGANIZER=library["editor"].uri)
    assert signed_post(client, "/inbox", join, fanny).status_code == 202
    event.refresh_from_db()
    assert event.participants_count == 1
    [accept] = network.activities("Accept")
    assert accept["object"]["id"] == join["id"] and accept["object"]["type"] == "Join"
    assert accept["actor"] == library["editor"].uri
    leave = fixture("mobilizon_leave.json", EVENT=uri, ORGANIZER=library["editor"].uri)
    signed_post(client, "/inbox", leave, fanny)
    event.refresh_from_db()
    assert event.participants_count == 0


def test_a_join_when_full_without_waiting_list_is_rejected(
    client: Client,
    network: FakeNetwork,
    fanny: Any,
    library: dict[str, Any],
) -> None:
    event = services.create_event(
        library["editor"], capacity=1, waiting_list=False, **event_fields()
    )
    services.join_event(library["readers"][0], event)
    join = fixture(
        "mobilizon_join.json", EVENT=services.event_url(event), ORGANIZER=library["editor"].uri
    )
    signed_post(client, "/inbox", join, fanny)
    [reject] = network.activities("Reject")
    assert reject["object"]["id"] == join["id"]
    assert not event.participations.filter(account__uri=fanny.uri).exists()


def test_undo_of_a_join_removes_the_participant(
    client: Client,
    network: FakeNetwork,
    fanny: Any,
    library: dict[str, Any],
) -> None:
    event = services.create_event(library["editor"], **event_fields())
    join = fixture(
        "mobilizon_join.json", EVENT=services.event_url(event), ORGANIZER=library["editor"].uri
    )
    signed_post(client, "/inbox", join, fanny)
    undo = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "https://mobilizon.example/undo/1",
        "type": "Undo",
        "actor": fanny.uri,
        "object": {k: v for k, v in join.items() if k != "@context"},
    }
    signed_post(client, "/inbox", undo, fanny)
    event.refresh_from_db()
    assert event.participants_count == 0


def test_outgoing_event_speaks_mobilizon_and_reaches_participants_servers(
    client: Client,
    network: FakeNetwork,
    fanny: Any,
    library: dict[str, Any],
) -> None:
    institution = library["institution"]
    follow(resolve_actor(fanny.uri), institution)
    event = services.create_event(
        library["editor"],
        institution_id=institution.pk,
        site_id=library["site"].pk,
        capacity=20,
        **event_fields(),
    )
    [create] = network.activities("Create")
    document = create["object"]
    assert document["type"] == "Event" and document["id"] == services.event_url(event)
    assert document["name"] == "Heure du conte" and document["timezone"] == "Europe/Paris"
    assert document["joinMode"] == "free" and document["maximumAttendeeCapacity"] == 20
    assert document["participantCount"] == 0 and document["ical:status"] == "CONFIRMED"
    assert document["location"]["type"] == "Place"
    assert document["location"]["address"]["type"] == "PostalAddress"
    assert document["location"]["address"]["addressLocality"] == "Lyon"
    assert document["startTime"].endswith("Z")
    assert "mz" in create["@context"][2] and "ical" in create["@context"][2]
    # The page's address serves the same object to ActivityPub clients.
    fetched = client.get(
        f"/events/{event.pk}", HTTP_ACCEPT="application/activity+json", HTTP_HOST="127.0.0.1:8000"
    )
    assert fetched.json()["id"] == document["id"]
    network.sent.clear()
    services.update_event(
        library["editor"], event, state="moved_online", online_url="https://visio.example/c"
    )
    [update] = network.activities("Update")
    assert update["object"]["eventStatus"] == "https://schema.org/EventMovedOnline"
    assert update["object"]["isOnline"] is True


def test_cancelled_event_says_cancelled_to_mobilizon(library: dict[str, Any]) -> None:
    event = services.create_event(library["editor"], **event_fields())
    cancelled = services.cancel_event(library["editor"], event)
    assert event_object(cancelled)["ical:status"] == "CANCELLED"


def test_a_gancio_event_with_a_plain_address(
    client: Client, network: FakeNetwork, library: dict[str, Any]
) -> None:
    """Gancio publishes its events from one ``relay`` actor, the address as plain text."""
    relay = network.actor(
        "relay",
        host="gancio.example",
        kind="Application",
        uri="https://gancio.example/federation/u/relay",
    )
    _follows(library["readers"][0], relay)
    start = soon(days=6, hour=21)
    event_id = "https://gancio.example/federation/m/42"
    activity = {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": f"{event_id}#create",
        "type": "Create",
        "actor": relay.uri,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [f"{relay.uri}/followers"],
        "object": {
            "id": event_id,
            "type": "Event",
            "name": "Concert au parc",
            "url": "https://gancio.example/event/concert-au-parc",
            "content": "<p>Jazz en plein air.</p>",
            "startTime": start.isoformat(),
            "endTime": (start + timedelta(hours=2)).isoformat(),
            "attributedTo": relay.uri,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "cc": [f"{relay.uri}/followers"],
            "location": {"type": "Place", "name": "Parc de la Tête d'Or", "address": "Lyon"},
            "tag": [
                {"type": "Hashtag", "name": "#jazz", "href": "https://gancio.example/tag/jazz"}
            ],
        },
    }
    assert signed_post(client, "/inbox", activity, relay).status_code == 202
    event = Event.objects.get(uri=event_id)
    assert event.address == "Parc de la Tête d'Or, Lyon"
    assert event.url == "https://gancio.example/event/concert-au-parc"
    assert event.starts_at == start and event.time_zone == settings.TIME_ZONE
    assert list(queries.agenda(tag="jazz")) == [event]
