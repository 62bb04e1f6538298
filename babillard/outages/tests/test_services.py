"""The registry, reports and the decision rule, incidents and their notifications."""

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from freezegun import freeze_time

from babillard.accounts.models import Account
from babillard.core.errors import Forbidden
from babillard.core.testing import make_account
from babillard.institutions.models import Role
from babillard.institutions.services import add_member
from babillard.notifications.models import Notification, NotificationType
from babillard.outages import queries, services
from babillard.outages.models import Incident, Platform, Report, State, Subscription
from babillard.outages.tests.conftest import make_institution
from babillard.statuses.models import Status


def _probe_up(platform: Platform) -> None:
    services.record_probe(platform, platform.home_url, ok=True, status_code=200, latency_ms=120)


def test_a_platform_gets_its_service_actor(cairn: Platform) -> None:
    assert cairn.slug == "cairn" and cairn.approved
    assert cairn.actor is not None and cairn.actor.username == "cairn" and cairn.actor.bot
    assert cairn.state == State.UNKNOWN


def test_only_moderators_add_and_members_propose(moderator: Any, db: Any) -> None:
    member = make_account("membre")
    with pytest.raises(Forbidden):
        services.create_platform(member, name="Numilog", url="https://www.numilog.com/")
    proposal = services.propose_platform(member, name="Numilog", url="https://www.numilog.com/")
    assert not proposal.approved and proposal.actor is None
    assert list(queries.proposals()) == [proposal]
    with pytest.raises(Forbidden):
        services.approve_platform(member, proposal)
    approved = services.approve_platform(moderator, proposal)
    assert approved.approved and approved.actor is not None
    with pytest.raises(ValidationError):
        services.create_platform(moderator, name="Numilog", url="https://numilog.com/")
    with pytest.raises(ValidationError):
        services.create_platform(moderator, name="Bad", url="ftp://example.org/")


def test_three_institutions_in_two_cities_open_an_incident(
    network4: dict[str, Any], cairn: Platform
) -> None:
    _probe_up(cairn)
    cairn.refresh_from_db()
    assert cairn.state == State.OPERATIONAL
    staff = network4["staff"]
    # Two institutions of one city are not enough, whatever their number of reports.
    services.report_problem(staff["bm_lyon"], cairn, "down")
    services.report_problem(staff["bu_lyon"], cairn, "down")
    cairn.refresh_from_db()
    assert cairn.state == State.DEGRADED
    assert not Incident.objects.exists()
    services.report_problem(staff["bu_lille"], cairn, "login", "Le proxy renvoie une 502")
    cairn.refresh_from_db()
    assert cairn.state == State.PROBABLE_OUTAGE
    [incident] = Incident.objects.all()
    assert incident.state == "investigating" and incident.is_open
    status = queries.status(cairn)
    assert status["state"] == "probable_outage"
    assert status["institutions"] == 3 and status["reports_last_hour"] == 3
    assert status["cities"] == ["Lille", "Lyon"]
    assert status["incident"]["id"] == str(incident.pk)
    # The platform actor posted the opening, publicly.
    post = Status.objects.get(account=cairn.actor)
    assert post.visibility == "public" and "Cairn" in post.text


def test_reports_older_than_the_window_do_not_count(
    network4: dict[str, Any], cairn: Platform
) -> None:
    _probe_up(cairn)
    staff = network4["staff"]
    with freeze_time(timezone.now() - timedelta(minutes=20)):
        services.report_problem(staff["bm_lyon"], cairn, "down")
        services.report_problem(staff["bu_lyon"], cairn, "down")
    _probe_up(cairn)
    services.report_problem(staff["bu_lille"], cairn, "down")
    cairn.refresh_from_db()
    assert cairn.state == State.LOCAL_PROBLEM
    assert not Incident.objects.exists()


def test_the_baseline_must_be_clearly_exceeded(
    network4: dict[str, Any], cairn: Platform, settings: Any
) -> None:
    """A platform reported every quarter hour of this hour for eight weeks has a baseline of 1:
    three reports are not three times more."""
    now = timezone.now()
    hour = now.replace(minute=0, second=0, microsecond=0)
    for week in range(1, 9):
        for quarter in range(4):
            Report.objects.create(
                platform=cairn,
                institution_key=f"old{week}{quarter}",
                problem="slow",
                created_at=hour - timedelta(weeks=week, minutes=-15 * quarter - 1),
                updated_at=hour - timedelta(weeks=week, minutes=-15 * quarter - 1),
            )
    assert queries.baseline(cairn, now) == 1.0
    # The chart draws the same baseline for this hour's quarters, and none elsewhere.
    bars = queries.chart(cairn)
    assert {b.baseline for b in bars if b.at >= hour} == {1.0}
    assert {b.baseline for b in bars if b.at < hour - timedelta(hours=1)} == {0.0}
    _probe_up(cairn)
    for person in list(network4["staff"].values())[:3]:
        services.report_problem(person, cairn, "down")
    cairn.refresh_from_db()
    assert cairn.state == State.DEGRADED
    settings.OUTAGES_BASELINE_FACTOR = 2
    assert services.evaluate(cairn) == State.PROBABLE_OUTAGE


def test_a_single_institution_with_probes_up_is_a_local_problem(
    network4: dict[str, Any], cairn: Platform
) -> None:
    _probe_up(cairn)
    institution = network4["institutions"]["bm_nantes"]
    colleague = make_account("collegue")
    add_member(institution, institution, colleague, Role.STAFF)
    services.report_problem(network4["staff"]["bm_nantes"], cairn, "down")
    services.report_problem(colleague, cairn, "login")
    cairn.refresh_from_db()
    assert cairn.state == State.LOCAL_PROBLEM
    assert queries.status(cairn)["institutions"] == 1


def test_all_probes_down_with_reports_is_an_outage(
    network4: dict[str, Any], cairn: Platform
) -> None:
    services.record_probe(cairn, cairn.home_url, ok=False, error="HTTP 503", status_code=503)
    cairn.refresh_from_db()
    assert cairn.state == State.DEGRADED
    for name in ("bm_lyon", "bu_lille", "bm_nantes"):
        services.report_problem(network4["staff"][name], cairn, "down")
    cairn.refresh_from_db()
    assert cairn.state == State.OUTAGE
    assert Incident.objects.filter(platform=cairn, resolved_at__isnull=True).count() == 1


def test_placement_and_a_second_report_within_30_minutes(
    network4: dict[str, Any], cairn: Platform
) -> None:
    person = network4["staff"]["bu_lille"]
    first = services.report_problem(person, cairn, "slow")
    assert (first.city, first.institution_name) == ("Lille", "bu_lille")
    assert first.institution_key == network4["institutions"]["bu_lille"].uri
    with freeze_time(timezone.now() + timedelta(minutes=20)):
        second = services.report_problem(person, cairn, "down", "Plus rien")
    assert second.pk == first.pk and second.problem == "down" and second.comment == "Plus rien"
    with freeze_time(timezone.now() + timedelta(minutes=80)):
        third = services.report_problem(person, cairn, "down")
    assert third.pk != first.pk
    loner = make_account("loner")
    Account.objects.filter(pk=loner.pk).update(city="Brest")
    loner.refresh_from_db()
    assert services.report_problem(loner, cairn, "other").city == "Brest"


def test_bad_reports_are_refused(network4: dict[str, Any], cairn: Platform) -> None:
    person = network4["staff"]["bm_lyon"]
    with pytest.raises(ValidationError):
        services.report_problem(person, cairn, "exploded")
    with pytest.raises(ValidationError):
        services.report_problem(person, cairn, "down", "x" * 501)
    assert not Report.objects.exists()


def test_who_may_update_an_incident(
    network4: dict[str, Any], cairn: Platform, moderator: Any
) -> None:
    for name in ("bm_lyon", "bu_lille", "bm_nantes"):
        services.report_problem(network4["staff"][name], cairn, "down")
    incident = Incident.objects.get()
    # Staff of an institution that is not verified may not.
    with pytest.raises(Forbidden):
        services.update_incident(network4["staff"]["bm_lyon"], incident, "identified", "Proxy")
    verified = make_institution("bnu", "Strasbourg", verified=True)
    librarian = make_account("bibliothecaire")
    add_member(verified, verified, librarian, Role.STAFF)
    services.update_incident(
        librarian, incident, "identified", "Panne du serveur d'authentification"
    )
    vendor = make_account("cairn_support")
    Platform.objects.filter(pk=cairn.pk).update(vendor_account=vendor)
    services.update_incident(vendor, incident, "monitoring", "Correctif déployé")
    with pytest.raises(ValidationError):
        services.update_incident(moderator, incident, "fixed", "")
    services.update_incident(moderator, incident, "resolved", "Rétabli")
    incident.refresh_from_db()
    assert incident.state == "resolved" and incident.resolved_at is not None
    assert [u.state for u in incident.updates.all()] == [
        "investigating",
        "identified",
        "monitoring",
        "resolved",
    ]
    with pytest.raises(ValidationError):
        services.update_incident(moderator, incident, "monitoring", "")


def test_resolving_tells_subscribers_in_the_app_and_by_email(
    network4: dict[str, Any], cairn: Platform, moderator: Any
) -> None:
    reader = make_account("abonnee")
    quiet = make_account("discret")
    services.subscribe(reader, cairn)
    services.subscribe(quiet, cairn, email=False)
    for name in ("bm_lyon", "bu_lille", "bm_nantes"):
        services.report_problem(network4["staff"][name], cairn, "down")
    incident = Incident.objects.get()
    mail.outbox.clear()
    update = services.update_incident(
        moderator, incident, "resolved", "Tout est rentré dans l'ordre"
    )
    for account in (reader, quiet):
        assert Notification.objects.filter(
            recipient=account, type=NotificationType.STATUS, status=update.post
        ).exists()
    assert [m.to for m in mail.outbox] == [["abonnee@example.org"]]
    assert "Cairn" in mail.outbox[0].subject
    services.unsubscribe(reader, cairn)
    assert not Subscription.objects.filter(account=reader).exists()


def test_me_too_counts_as_a_report(network4: dict[str, Any], cairn: Platform) -> None:
    for name in ("bm_lyon", "bu_lille", "bm_nantes"):
        services.report_problem(network4["staff"][name], cairn, "slow")
    incident = Incident.objects.get()
    report = services.me_too(network4["staff"]["bu_lyon"], incident)
    assert report.problem == "down" and report.city == "Lyon"
    assert queries.status(cairn)["institutions"] == 4


def test_loadplatforms_loads_the_starter_list_once(db: Any) -> None:
    from django.core.management import call_command

    call_command("loadplatforms")
    count = Platform.objects.count()
    assert count >= 30
    assert Platform.objects.get(slug="cairn").home_url == "https://www.cairn.info/"
    assert Platform.objects.get(slug="generalis").actor is not None
    call_command("loadplatforms")
    assert Platform.objects.count() == count
