"""The event pages: JSON-LD, forms, joining, agendas with filters, "my events"."""

import json
import re
from typing import Any

from django.test import Client

from babillard.core.testing import PASSWORD
from babillard.events import services
from babillard.events.models import Event, EventState
from babillard.events.tests.conftest import event_fields, soon


def _login(client: Client, account: Any) -> Client:
    assert client.login(username=account.user.username, password=PASSWORD)
    return client


def test_event_page_carries_schema_org_json_ld(client: Client, library: dict[str, Any]) -> None:
    event = services.create_event(
        library["editor"],
        institution_id=library["institution"].pk,
        site_id=library["site"].pk,
        capacity=10,
        **event_fields(),
    )
    page = client.get(f"/events/{event.pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["@type"] == "Event" and data["name"] == "Heure du conte"
    assert data["startDate"].endswith("+01:00") or data["startDate"].endswith("+02:00")
    assert data["location"]["address"]["addressLocality"] == "Lyon"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["maximumAttendeeCapacity"] == 10
    assert "Log in to join" in html


def test_french_page(client: Client, library: dict[str, Any]) -> None:
    event = services.create_event(library["editor"], **event_fields())
    html = client.get(f"/events/{event.pk}", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'lang="fr"' in html


def test_create_join_and_leave_through_the_forms(client: Client, library: dict[str, Any]) -> None:
    _login(client, library["editor"])
    form = client.get("/events/new")
    assert form.status_code == 200
    start = soon()
    response = client.post(
        "/events/new",
        {
            "title": "Club lecture",
            "description": "On lit.",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": start.replace(hour=20).strftime("%Y-%m-%dT%H:%M"),
            "timezone": "Europe/Paris",
            "organizer": str(library["institution"].pk),
            "site_id": str(library["site"].pk),
            "audience": "adults",
            "registration": "babillard",
            "capacity": "1",
            "waiting_list": "on",
            "tags": "club lecture",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(title="Club lecture")
    assert event.organizer == library["institution"] and event.capacity == 1
    assert services.local_start(event).hour == start.hour
    reader = Client()
    _login(reader, library["readers"][0])
    reader.post(f"/events/{event.pk}/participation", {"action": "join"})
    other = Client()
    _login(other, library["readers"][1])
    other.post(f"/events/{event.pk}/participation", {"action": "join"})
    event.refresh_from_db()
    assert (event.participants_count, event.waiting_count) == (1, 1)
    assert (
        "You are on the waiting list."
        in other.get(f"/events/{event.pk}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    reader.post(f"/events/{event.pk}/participation", {"action": "leave"})
    event.refresh_from_db()
    assert (event.participants_count, event.waiting_count) == (1, 0)
    listed = client.get(f"/events/{event.pk}/participants")
    assert listed.status_code == 200 and "bruno" in listed.content.decode()
    exported = client.get(f"/events/{event.pk}/participants.csv")
    assert exported["Content-Type"].startswith("text/csv")
    assert reader.get(f"/events/{event.pk}/participants").status_code == 403


def test_form_errors_are_shown_beside_the_fields(client: Client, library: dict[str, Any]) -> None:
    _login(client, library["editor"])
    start = soon()
    response = client.post(
        "/events/new",
        {
            "title": "Sans fin",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": start.replace(hour=10).strftime("%Y-%m-%dT%H:%M"),
            "timezone": "Europe/Paris",
            "audience": "all",
            "registration": "external",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert not Event.objects.filter(title="Sans fin").exists()


def test_edit_and_cancel(client: Client, library: dict[str, Any]) -> None:
    event = services.create_event(library["editor"], **event_fields())
    _login(client, library["editor"])
    assert client.get(f"/events/{event.pk}/edit").status_code == 200
    assert client.get(f"/events/{event.pk}/cancel").status_code == 200
    client.post(f"/events/{event.pk}/cancel")
    event.refresh_from_db()
    assert event.state == EventState.CANCELLED
    outsider = Client()
    _login(outsider, library["readers"][0])
    assert outsider.get(f"/events/{event.pk}/edit").status_code == 404


def test_agendas_and_filters(client: Client, library: dict[str, Any]) -> None:
    services.create_event(
        library["editor"],
        institution_id=library["institution"].pk,
        site_id=library["site"].pk,
        **event_fields(),
    )
    services.create_event(
        library["editor"],
        **event_fields(title="Atelier adultes", audience="adults", tags=["atelier"]),
    )
    everything = client.get("/events").content.decode()
    assert "Heure du conte" in everything and "Atelier adultes" in everything
    adults = client.get("/events", {"audience": "adults"}).content.decode()
    assert "Atelier adultes" in adults and "Heure du conte" not in adults
    site = client.get(f"/sites/{library['site'].pk}/events").content.decode()
    assert "Heure du conte" in site and "Atelier adultes" not in site
    assert "Atelier adultes" in client.get("/tags/atelier/events").content.decode()
    account = client.get(f"/@{library['institution'].username}/events").content.decode()
    assert "Heure du conte" in account
    bad = client.get("/events", {"from": "hier"}, HTTP_ACCEPT_LANGUAGE="en")
    assert bad.status_code == 200 and "ISO 8601" in bad.content.decode()
    for unknown in ("/@personne/events", "/@personne/events.ics", "/sites/999999/events"):
        assert client.get(unknown).status_code == 404
    assert client.get("/sites/999999/events.ics").status_code == 404


def test_my_events_and_the_feed_address(client: Client, library: dict[str, Any]) -> None:
    alice = library["readers"][0]
    event = services.create_event(library["editor"], **event_fields())
    services.join_event(alice, event)
    _login(client, alice)
    page = client.get("/events/mine").content.decode()
    assert "Heure du conte" in page
    token = services.calendar_settings(alice).feed_token
    assert token in page
    client.post("/events/mine", {"action": "regenerate"})
    assert services.calendar_settings(alice).feed_token != token
    client.post("/events/mine", {"action": "preferences", "email_reminders": "on"})
    assert services.calendar_settings(alice).email_reminders
