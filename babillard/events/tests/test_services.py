from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from freezegun import freeze_time

from babillard.core.errors import Forbidden
from babillard.core.testing import make_account, run_due_tasks
from babillard.events import queries, services
from babillard.events.models import EventState, ParticipationState
from babillard.events.tests.conftest import event_fields, soon
from babillard.institutions.models import AuditEntry
from babillard.notifications.models import Notification, NotificationType
from babillard.timelines.models import HomeFeedEntry


def test_creating_as_the_institution_publishes_an_announcement(library: dict[str, Any]) -> None:
    follower = make_account("fan")
    from babillard.accounts.services import follow

    follow(follower, library["institution"])
    event = services.create_event(
        library["editor"],
        institution_id=library["institution"].pk,
        site_id=library["site"].pk,
        **event_fields(),
    )
    assert event.organizer == library["institution"]
    announcement = event.announcement
    assert announcement is not None and announcement.account == library["institution"]
    assert "Heure du conte" in announcement.text
    assert f"/events/{event.pk}" in announcement.text
    assert "Centre" in announcement.text and "18:00" in announcement.text
    assert HomeFeedEntry.objects.filter(owner=follower, status=announcement).exists()
    assert AuditEntry.objects.filter(institution=library["institution"], status_id=announcement.pk)
    assert [t.name for t in event.tags.all()] == ["conte"]
    assert event.starts_at.utcoffset() == timedelta(0) or event.starts_at.tzinfo is not None


def test_times_are_kept_as_instants_and_shown_in_the_zone(library: dict[str, Any]) -> None:
    event = services.create_event(library["readers"][0], **event_fields())
    assert services.local_start(event).hour == 18
    assert event.time_zone == "Europe/Paris"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"title": ""}, "title"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"starts_at": "2030-01-01T10:00"}, "starts_at"),
        ({"audience": "robots"}, "audience"),
        ({"registration": "maybe"}, "registration"),
        ({"registration": "external"}, "registration_url"),
        ({"capacity": "0"}, "capacity"),
        ({"online_url": "ftp://x"}, "online_url"),
        ({"tags": ["no spaces please"]}, "tags"),
        ({"colour": "red"}, "invalid"),
    ],
)
def test_bad_input_is_refused_with_its_field(
    library: dict[str, Any], changes: dict[str, Any], code: str
) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_event(library["readers"][0], **event_fields(**changes))
    assert error.value.error_list[0].code == code


def test_end_before_start_is_refused(library: dict[str, Any]) -> None:
    start = soon()
    with pytest.raises(ValidationError):
        services.create_event(
            library["readers"][0],
            **event_fields(ends_at=(start - timedelta(hours=1)).isoformat()),
        )


def test_a_site_of_another_institution_is_refused(library: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        services.create_event(library["readers"][0], site_id=library["site"].pk, **event_fields())


def test_capacity_waiting_list_and_moving_up(library: dict[str, Any]) -> None:
    alice, bruno, chloe = library["readers"]
    event = services.create_event(library["editor"], capacity=2, **event_fields())
    assert services.join_event(alice, event).state == ParticipationState.PARTICIPANT
    assert services.join_event(bruno, event).state == ParticipationState.PARTICIPANT
    assert services.join_event(chloe, event).state == ParticipationState.WAITING
    assert services.join_event(chloe, event).state == ParticipationState.WAITING  # again: same
    event.refresh_from_db()
    assert (event.participants_count, event.waiting_count) == (2, 1)
    services.leave_event(alice, event)
    event.refresh_from_db()
    assert (event.participants_count, event.waiting_count) == (2, 0)
    assert queries.participation_state(chloe, event) == ParticipationState.PARTICIPANT
    assert Notification.objects.filter(recipient=chloe, type=NotificationType.EVENT_PROMOTED)


def test_full_without_waiting_list_refuses(library: dict[str, Any]) -> None:
    alice, bruno, _ = library["readers"]
    event = services.create_event(
        library["editor"], capacity=1, waiting_list=False, **event_fields()
    )
    services.join_event(alice, event)
    with pytest.raises(ValidationError) as error:
        services.join_event(bruno, event)
    assert error.value.error_list[0].code == "full"


def test_cancelled_and_external_events_cannot_be_joined(library: dict[str, Any]) -> None:
    alice = library["readers"][0]
    external = services.create_event(
        library["editor"],
        **event_fields(registration="external", registration_url="https://billets.example/1"),
    )
    with pytest.raises(ValidationError):
        services.join_event(alice, external)
    event = services.create_event(library["editor"], **event_fields())
    services.cancel_event(library["editor"], event)
    with pytest.raises(ValidationError):
        services.join_event(alice, event)


def test_only_the_organiser_side_manages(library: dict[str, Any]) -> None:
    event = services.create_event(
        library["editor"], institution_id=library["institution"].pk, **event_fields()
    )
    with pytest.raises(Forbidden):
        services.update_event(library["readers"][0], event, title="Pirate")
    with pytest.raises(Forbidden):
        queries.participants(library["readers"][0], event)
    updated = services.update_event(library["editor"], event, title="Contes d hiver")
    assert updated.title == "Contes d hiver"


def test_changes_raise_the_sequence_and_notify_participants(library: dict[str, Any]) -> None:
    alice, bruno, _ = library["readers"]
    event = services.create_event(library["editor"], **event_fields())
    services.join_event(alice, event)
    services.join_event(bruno, event)
    updated = services.update_event(library["editor"], event, title="Nouveau titre")
    assert updated.sequence == 1
    assert not Notification.objects.filter(type=NotificationType.EVENT_UPDATE).exists()
    moved = services.update_event(
        library["editor"], updated, state="moved_online", online_url="https://visio.example/a"
    )
    assert moved.sequence == 2 and moved.state == EventState.MOVED_ONLINE
    notified = Notification.objects.filter(type=NotificationType.EVENT_UPDATE)
    assert {n.recipient for n in notified} == {alice, bruno}
    with pytest.raises(ValidationError):
        services.update_event(library["editor"], moved, online_url="")


def test_reminder_the_day_before_with_e_mail_when_allowed(library: dict[str, Any]) -> None:
    alice, bruno, _ = library["readers"]
    event = services.create_event(library["editor"], **event_fields())
    services.join_event(alice, event)
    services.join_event(bruno, event)
    services.set_email_reminders(alice, True)
    assert run_due_tasks() == 0
    with freeze_time(event.starts_at - timedelta(hours=12)):
        assert run_due_tasks() == 1
    reminded = Notification.objects.filter(type=NotificationType.EVENT_REMINDER)
    assert {n.recipient for n in reminded} == {alice, bruno}
    assert [m.to for m in mail.outbox] == [[alice.user.email]]
    assert "Heure du conte" in mail.outbox[0].subject


def test_a_reminder_for_a_changed_date_does_nothing(library: dict[str, Any]) -> None:
    event = services.create_event(library["editor"], **event_fields())
    services.join_event(library["readers"][0], event)
    old_start = services._start_key(event)
    services.update_event(
        library["editor"],
        event,
        starts_at=soon(days=5).isoformat(),
        ends_at=(soon(days=5) + timedelta(hours=1)).isoformat(),
    )
    assert services.send_reminders(event.pk, old_start) == 0


def test_delete_removes_the_event_and_its_announcement(library: dict[str, Any]) -> None:
    event = services.create_event(library["editor"], **event_fields())
    status_id = event.announcement_id
    services.delete_event(library["editor"], event)
    from babillard.statuses.models import Status

    assert not Status.objects.filter(pk=status_id).exists()


def test_feed_token_is_regenerated(library: dict[str, Any]) -> None:
    alice = library["readers"][0]
    first = services.calendar_settings(alice).feed_token
    assert queries.feed_owner(first) == alice
    second = services.regenerate_feed_token(alice).feed_token
    assert second != first
    assert queries.feed_owner(second) == alice


def test_agenda_filters(library: dict[str, Any]) -> None:
    editor = library["editor"]
    children = services.create_event(
        editor,
        institution_id=library["institution"].pk,
        site_id=library["site"].pk,
        **event_fields(),
    )
    online = services.create_event(
        editor,
        **event_fields(
            title="Club en ligne",
            audience="adults",
            tags=["club"],
            online_url="https://visio.example/b",
        ),
    )
    later = soon(days=40)
    far = services.create_event(
        editor,
        **event_fields(
            title="Plus tard",
            starts_at=later.isoformat(),
            ends_at=(later + timedelta(hours=2)).isoformat(),
        ),
    )
    assert list(queries.agenda()) == [children, online, far]
    assert list(queries.agenda(audience="adults")) == [online]
    assert list(queries.agenda(place="online")) == [online]
    assert list(queries.agenda(place="on_site")) == [children]
    assert list(queries.agenda(place="Lyon")) == [children]
    assert list(queries.agenda(site_id=library["site"].pk)) == [children]
    assert list(queries.agenda(tag="club")) == [online]
    assert list(queries.agenda(account_id=editor.pk)) == [online, far]
    end = queries.parse_bound(soon(days=10).date().isoformat(), "to", end=True)
    assert list(queries.agenda(end=end)) == [children, online]
    with pytest.raises(ValidationError):
        queries.parse_bound("next week", "from")


def test_participants_csv_is_safe_for_spreadsheets(library: dict[str, Any]) -> None:
    sly = make_account("sly", display_name="=HYPERLINK(1)")
    event = services.create_event(library["editor"], **event_fields())
    services.join_event(sly, event)
    text = queries.participants_csv(library["editor"], event)
    assert text.splitlines()[0] == "handle,name,state,joined_at"
    assert "'=HYPERLINK(1)" in text
