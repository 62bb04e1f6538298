from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from freezegun import freeze_time

from babillard.accounts.models import Visibility
from babillard.accounts.services import follow
from babillard.core.errors import Forbidden, NotFound
from babillard.core.testing import make_account, run_due_tasks
from babillard.institutions import queries, services
from babillard.institutions.models import (
    ActingGrant,
    AuditAction,
    AuditEntry,
    Institution,
    InstitutionType,
    Membership,
    Role,
    Site,
)
from babillard.notifications.queries import notifications_for
from babillard.statuses.models import ScheduledStatus, Status
from babillard.statuses.queries import can_see, visible_statuses
from babillard.statuses.services import post_status
from babillard.timelines import queries as timelines

# --- profiles and verification -------------------------------------------------------------


def test_manager_edits_profile_with_valid_isil_and_catalogue(library):
    institution, people = library
    found = services.update_institution(
        people["manon"],
        institution,
        name="Bibliothèque municipale de Lyon",
        type="public",
        isil="FR-693875201",
        website="https://www.bm-lyon.fr",
        catalogue_url_template="https://catalogue.bm-lyon.fr/search?isbn={isbn}",
    )
    found.refresh_from_db()
    assert found.official_name == "Bibliothèque municipale de Lyon"
    assert found.isil == "FR-693875201"
    assert not found.verified
    assert queries.institution_entity(institution) == {
        "type": "public",
        "isil": "FR-693875201",
        "verified": False,
        "network_id": None,
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"isil": "not an isil at all!"},
        {"type": "bookshop"},
        {"website": "javascript:alert(1)"},
        {"catalogue_url_template": "https://catalogue.example.org/search"},
        {"catalogue_url_template": "ftp://catalogue.example.org/{isbn}"},
        {"colour": "blue"},
    ],
)
def test_bad_profile_input_is_refused_and_nothing_written(library, changes):
    institution, people = library
    services.update_institution(people["manon"], institution, name="Avant")
    with pytest.raises(ValidationError):
        services.update_institution(people["manon"], institution, name="Après", **changes)
    assert Institution.objects.get(account=institution).official_name == "Avant"


@pytest.mark.parametrize("who", ["eddy", "stella", "otto"])
def test_only_managers_and_the_institution_edit_the_profile(library, who):
    institution, people = library
    with pytest.raises(Forbidden):
        services.update_institution(people[who], institution, name="Pirate")
    assert not Institution.objects.filter(account=institution, official_name="Pirate").exists()
    services.update_institution(institution, institution, name="Par elle-même")
    assert Institution.objects.get(account=institution).official_name == "Par elle-même"


def test_moderator_verifies_a_valid_isil_and_a_new_isil_needs_verifying_again(library):
    institution, people = library
    moderator = make_account("modo")
    moderator.user.is_moderator = True
    moderator.user.save()
    with pytest.raises(ValidationError):
        services.verify_institution(moderator, institution)
    services.update_institution(institution, institution, isil="FR-751131015")
    with pytest.raises(Forbidden):
        services.verify_institution(people["manon"], institution)
    found = services.verify_institution(moderator, institution)
    assert found.verified and found.verified_by == moderator
    assert queries.institution_entity(institution)["verified"] is True
    services.update_institution(institution, institution, isil="FR-693875201")
    assert queries.institution_entity(institution)["verified"] is False


def test_person_accounts_are_not_institutions(library):
    _institution, people = library
    with pytest.raises(NotFound):
        queries.get_institution(people["otto"].pk)
    assert queries.institution_entity(people["otto"]) is None


def test_network_membership(library):
    institution, people = library
    network = make_account("reseau", kind="institution")
    with pytest.raises(ValidationError):
        services.set_network(institution, institution, network)
    services.update_institution(network, network, type=InstitutionType.NETWORK)
    with pytest.raises(Forbidden):
        services.set_network(people["eddy"], institution, network)
    services.set_network(people["manon"], institution, network)
    assert [m.account for m in queries.network_members(network)] == [institution]
    assert queries.institution_entity(institution)["network_id"] == str(network.pk)
    with pytest.raises(ValidationError):
        services.update_institution(network, network, type="public")
    with pytest.raises(ValidationError):
        services.set_network(network, network, network)


# --- staff and roles -----------------------------------------------------------------------


def test_roles_include_the_ones_below(library):
    institution, people = library
    expected = {
        "manon": {Role.MANAGER, Role.EDITOR, Role.STAFF},
        "eddy": {Role.EDITOR, Role.STAFF},
        "stella": {Role.STAFF},
        "otto": set(),
    }
    for name, roles in expected.items():
        held = {r for r in Role if queries.has_role(people[name], institution, r)}
        assert held == roles, name
    assert all(queries.has_role(institution, institution, r) for r in Role)


def test_only_managers_manage_staff(library):
    institution, people = library
    for who in ("eddy", "stella", "otto"):
        with pytest.raises(Forbidden):
            services.add_member(people[who], institution, people["otto"], Role.STAFF)
        with pytest.raises(Forbidden):
            services.remove_member(people[who], institution, people["stella"])
    assert not Membership.objects.filter(member=people["otto"]).exists()
    services.add_member(people["manon"], institution, people["stella"], Role.EDITOR)
    assert queries.role_of(people["stella"], institution) == Role.EDITOR
    services.remove_member(people["manon"], institution, people["stella"])
    assert queries.role_of(people["stella"], institution) is None
    with pytest.raises(NotFound):
        services.remove_member(people["manon"], institution, people["stella"])


def test_staff_are_local_people_with_a_known_role(library):
    institution, people = library
    other = make_account("autre", kind="institution")
    with pytest.raises(ValidationError):
        services.add_member(institution, institution, other, Role.STAFF)
    with pytest.raises(ValidationError):
        services.add_member(institution, institution, people["otto"], "owner")
    expected = ["eddy", "manon", "stella"]
    for viewer in (institution, people["manon"]):
        assert (
            list(queries.staff(viewer, institution).values_list("member__username", flat=True))
            == expected
        )
    for viewer in (people["eddy"], people["stella"], people["otto"]):
        with pytest.raises(Forbidden):
            queries.staff(viewer, institution)


# --- acting as the institution -------------------------------------------------------------


def test_editor_posts_as_the_institution_and_the_audit_log_says_who(library):
    institution, people = library
    reader = make_account("lecteur")
    follow(reader, institution)
    post = services.post_as_institution(people["eddy"], institution, "Salle Labrouste ouverte")
    assert post.account == institution
    assert post.pk in {s.pk for s in timelines.home(reader).items}
    reply = services.post_as_institution(
        people["manon"], institution, "Et jusqu'à 20 h", in_reply_to=post
    )
    later = services.post_as_institution(
        people["eddy"],
        institution,
        "Demain",
        scheduled_at=timezone.now() + timedelta(hours=2),
    )
    assert isinstance(later, ScheduledStatus)
    public = post_status(reader, "Bonne nouvelle")
    boost = services.reblog_as_institution(people["eddy"], institution, public)
    log = queries.audit_log(people["manon"], institution).items
    assert [(e.acting_account.username, e.action, e.status_id) for e in log] == [
        ("eddy", AuditAction.REBLOG, boost.pk),
        ("eddy", AuditAction.SCHEDULE, later.pk),
        ("manon", AuditAction.REPLY, reply.pk),
        ("eddy", AuditAction.POST, post.pk),
    ]
    reply_id = reply.pk
    services.delete_as_institution(people["eddy"], institution, reply)
    assert not Status.objects.filter(pk=reply_id).exists()
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, status_id=reply_id).exists()


@pytest.mark.parametrize("who", ["stella", "otto"])
def test_non_editors_cannot_act_as_the_institution(library, who):
    institution, people = library
    with pytest.raises(Forbidden):
        services.post_as_institution(people[who], institution, "Usurpation")
    with pytest.raises(Forbidden):
        services.create_acting_grant(people[who], institution)
    assert not Status.objects.filter(account=institution).exists()
    assert not AuditEntry.objects.exists()


def test_only_managers_read_the_audit_log(library):
    institution, people = library
    for who in ("eddy", "stella", "otto"):
        with pytest.raises(Forbidden):
            queries.audit_log(people[who], institution)


def test_a_failed_post_writes_no_audit_row(library):
    institution, people = library
    with pytest.raises(ValidationError):
        services.post_as_institution(people["eddy"], institution, "x" * 600)
    assert not AuditEntry.objects.exists()


def test_acting_grants_are_attributed_and_revocable(library):
    institution, people = library
    grant = services.create_acting_grant(people["eddy"], institution)
    services.attach_token(grant, "token-123")
    assert queries.active_grant(grant.pk) == grant
    post = services.post_as_institution(people["eddy"], institution, "Par script", grant=grant)
    entry = AuditEntry.objects.get(status_id=post.pk)
    assert entry.acting_account == people["eddy"] and entry.grant == grant
    with pytest.raises(Forbidden):
        services.post_as_institution(people["manon"], institution, "Pas sa clé", grant=grant)
    with pytest.raises(Forbidden):
        services.revoke_acting_grant(people["stella"], institution, grant.pk)
    services.revoke_acting_grant(people["manon"], institution, grant.pk)
    assert queries.active_grant(grant.pk) is None
    with pytest.raises(Forbidden):
        services.post_as_institution(people["eddy"], institution, "Révoqué", grant=grant)
    with pytest.raises(NotFound):
        services.revoke_acting_grant(people["manon"], institution, 999999)


def test_removing_an_editor_revokes_their_grants(library):
    institution, people = library
    grant = services.create_acting_grant(people["eddy"], institution)
    services.add_member(people["manon"], institution, people["eddy"], Role.STAFF)
    assert queries.active_grant(grant.pk) is None  # no longer an editor
    services.add_member(people["manon"], institution, people["eddy"], Role.EDITOR)
    services.remove_member(people["manon"], institution, people["eddy"])
    assert ActingGrant.objects.get(pk=grant.pk).revoked_at is not None


def test_audit_rows_are_kept_one_year(library):
    institution, people = library
    with freeze_time(timezone.now() - timedelta(days=366)):
        services.post_as_institution(people["eddy"], institution, "Il y a longtemps")
    with freeze_time(timezone.now() - timedelta(days=300)):
        services.post_as_institution(people["eddy"], institution, "Cette année")
    from babillard.institutions.tasks import purge_audit_log

    purge_audit_log.call()
    assert list(AuditEntry.objects.values_list("action", flat=True)) == [AuditAction.POST]
    assert AuditEntry.objects.get().created_at > timezone.now() - timedelta(days=365)


# --- internal posts ------------------------------------------------------------------------


def test_internal_posts_are_seen_by_members_only(library):
    institution, people = library
    post = services.post_internal(people["stella"], "Réunion à 14 h @otto")
    assert post.visibility == Visibility.INTERNAL and post.internal_to == institution
    assert post.local_only
    for name in ("manon", "eddy", "stella"):
        assert can_see(people[name], post), name
        assert visible_statuses(people[name]).filter(pk=post.pk).exists(), name
    assert can_see(institution, post)
    assert not can_see(people["otto"], post)
    assert not can_see(None, post)
    assert not visible_statuses(people["otto"]).filter(pk=post.pk).exists()
    assert not notifications_for(people["otto"]).filter(status=post).exists()
    assert [s.pk for s in queries.internal_timeline(people["eddy"], institution).items] == [post.pk]
    with pytest.raises(NotFound):
        queries.internal_timeline(people["otto"], institution)


def test_a_removed_member_no_longer_sees_internal_posts(library):
    institution, people = library
    post = services.post_internal(people["eddy"], "Note interne")
    services.remove_member(people["manon"], institution, people["eddy"])
    assert not can_see(people["eddy"], post)


def test_a_reply_to_an_internal_post_is_internal_whatever_is_asked(library):
    institution, people = library
    post = services.post_internal(people["stella"], "Qui ferme ce soir ?")
    reply = post_status(people["eddy"], "Moi", visibility="public", in_reply_to=post)
    assert reply.visibility == Visibility.INTERNAL
    assert reply.internal_to == institution and reply.local_only
    assert not can_see(people["otto"], reply)
    assert not timelines.public(None, local=True).items


def test_outsiders_cannot_reply_to_internal_posts(library):
    _institution, people = library
    post = services.post_internal(people["stella"], "Interne")
    with pytest.raises(ValidationError):
        post_status(people["otto"], "Je m'invite", in_reply_to=post)
    assert not Status.objects.filter(account=people["otto"]).exists()


def test_internal_needs_membership_and_an_institution(library):
    institution, people = library
    with pytest.raises(ValidationError):
        services.post_internal(people["otto"], "Je ne suis pas membre")
    with pytest.raises(ValidationError):
        post_status(people["stella"], "Sans institution", visibility="internal")
    with pytest.raises(ValidationError):
        post_status(people["otto"], "Intrus", visibility="internal", internal_to=institution)
    assert not Status.objects.filter(visibility=Visibility.INTERNAL).exists()


def test_a_member_of_several_institutions_names_one(library):
    _institution, people = library
    other = make_account("autrebib", kind="institution")
    services.add_member(other, other, people["stella"], Role.STAFF)
    with pytest.raises(ValidationError):
        services.post_internal(people["stella"], "Pour qui ?")
    post = services.post_internal(people["stella"], "Pour l'autre", institution_id=other.pk)
    assert post.internal_to == other
    assert not can_see(people["eddy"], post)
    with pytest.raises(Forbidden):
        services.post_internal(people["eddy"], "Pas membre", institution_id=other.pk)
    with pytest.raises(ValidationError):
        services.post_internal(people["eddy"], "Inconnue", institution_id=999999)


def test_scheduled_internal_posts_stay_internal(library):
    institution, people = library
    with freeze_time(timezone.now() - timedelta(hours=1)):
        scheduled = services.post_internal(
            people["stella"], "Rappel", scheduled_at=timezone.now() + timedelta(minutes=10)
        )
    assert isinstance(scheduled, ScheduledStatus)
    assert run_due_tasks() == 1
    post = Status.objects.get(account=people["stella"])
    assert post.visibility == Visibility.INTERNAL and post.internal_to == institution
    assert post.local_only and not can_see(people["otto"], post)


def test_internal_posts_cannot_be_boosted(library):
    institution, people = library
    post = services.post_internal(people["stella"], "Interne")
    with pytest.raises(ValidationError):
        services.reblog_as_institution(people["eddy"], institution, post)


# --- templates, calendar ---------------------------------------------------------------------


def test_templates_and_editorial_calendar(library):
    institution, people = library
    template = services.create_template(
        people["eddy"], institution, "Salles pleines", "Toutes nos salles sont pleines."
    )
    with pytest.raises(ValidationError):
        services.create_template(people["eddy"], institution, "Salles pleines", "Doublon")
    with pytest.raises(Forbidden):
        services.create_template(people["stella"], institution, "X", "Y")
    assert list(queries.templates(people["eddy"], institution)) == [template]
    with pytest.raises(Forbidden):
        queries.templates(people["stella"], institution)
    now = timezone.localtime()
    start = now.date()
    first = services.post_as_institution(
        people["eddy"], institution, template.text, scheduled_at=now + timedelta(days=1)
    )
    second = services.post_as_institution(
        people["eddy"], institution, "Fermeture", scheduled_at=now + timedelta(days=3)
    )
    services.post_as_institution(
        people["eddy"], institution, "Plus tard", scheduled_at=now + timedelta(days=9)
    )
    calendar = queries.editorial_calendar(people["eddy"], institution, start)
    assert len(calendar) == 7
    assert calendar[start + timedelta(days=1)] == [first]
    assert calendar[start + timedelta(days=3)] == [second]
    assert sum(len(v) for v in calendar.values()) == 2
    with pytest.raises(Forbidden):
        queries.editorial_calendar(people["stella"], institution, start)
    services.delete_template(people["eddy"], institution, template.pk)
    assert not queries.templates(people["eddy"], institution).exists()


# --- sites -----------------------------------------------------------------------------------

HOURS = {"mon": [["09:00", "12:00"], ["14:00", "19:00"]], "sat": [["10:00", "18:00"]]}


def test_manager_creates_a_site_with_valid_hours(library):
    institution, people = library
    site = services.create_site(
        people["manon"],
        name="Part-Dieu",
        address="30 boulevard Vivier-Merle",
        postcode="69003",
        city="Lyon",
        latitude=45.76,
        longitude=4.86,
        opening_hours=HOURS,
    )
    assert site.institution == institution and site.time_zone == "Europe/Paris"
    assert [s.pk for s in queries.sites(institution.pk)] == [site.pk]
    assert queries.get_site(site.pk) == site
    with pytest.raises(NotFound):
        queries.get_site(site.pk + 1000)


@pytest.mark.parametrize(
    "fields",
    [
        {"name": ""},
        {"name": "A", "opening_hours": {"monday": [["09:00", "19:00"]]}},
        {"name": "A", "opening_hours": {"mon": [["19:00", "09:00"]]}},
        {"name": "A", "opening_hours": {"mon": [["09:00", "13:00"], ["12:00", "18:00"]]}},
        {"name": "A", "opening_hours": {"mon": [["9h", "18h"]]}},
        {"name": "A", "opening_hours": {"mon": [["09:00", "25:00"]]}},
        {"name": "A", "opening_hours": [["09:00", "19:00"]]},
        {"name": "A", "latitude": 123},
        {"name": "A", "longitude": "east"},
        {"name": "A", "time_zone": "Europe/Lyon"},
        {"name": "A", "colour": "blue"},
    ],
)
def test_bad_site_input_is_refused_and_nothing_written(library, fields):
    institution, _people = library
    with pytest.raises(ValidationError):
        services.create_site(institution, **fields)
    assert not Site.objects.exists()


def test_site_permissions_and_institution_naming(library):
    institution, people = library
    for who in ("eddy", "stella", "otto"):
        with pytest.raises((Forbidden, ValidationError)):
            services.create_site(people[who], name="Annexe", institution_id=institution.pk)
    other = make_account("autrebib", kind="institution")
    services.add_member(other, other, people["manon"], Role.MANAGER)
    with pytest.raises(ValidationError):
        services.create_site(people["manon"], name="Laquelle ?")
    site = services.create_site(people["manon"], name="Annexe", institution_id=other.pk)
    assert site.institution == other
    assert not Site.objects.filter(institution=institution).exists()
    with pytest.raises(Forbidden):
        services.update_site(people["eddy"], site, name="Renommée")
    services.update_site(people["manon"], site, name="Renommée", opening_hours=HOURS)
    site.refresh_from_db()
    assert site.name == "Renommée" and site.opening_hours == HOURS


def test_closures_and_school_holidays_need_ordered_dates(library):
    institution, people = library
    site = services.create_site(institution, name="Centre")
    with pytest.raises(ValidationError):
        services.add_closure(people["manon"], site, date(2026, 5, 2), date(2026, 5, 1))
    with pytest.raises(Forbidden):
        services.add_closure(people["stella"], site, date(2026, 5, 1), date(2026, 5, 2))
    closure = services.add_closure(
        people["manon"], site, date(2026, 5, 1), date(2026, 5, 2), "Inventaire"
    )
    assert list(site.closures.all()) == [closure]
    with pytest.raises(ValidationError):
        services.add_school_holiday(institution, institution, date(2026, 5, 2), date(2026, 5, 1))
    services.add_school_holiday(institution, institution, date(2026, 4, 18), date(2026, 5, 3))
    services.remove_closure(people["manon"], site, closure.pk)
    assert not site.closures.exists()
