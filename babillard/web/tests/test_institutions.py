"""Institution pages: profile and verification, staff, audit log, editorial calendar and
templates, staff-only timeline, and posting or boosting as the institution."""

from typing import Any

import pytest
from django.test import Client

from babillard.accounts.models import Account, AccountKind, Visibility
from babillard.core.testing import make_account
from babillard.institutions import services as institution_services
from babillard.institutions.models import AuditEntry, Institution, PostTemplate, Role
from babillard.statuses.models import ScheduledStatus, Status
from babillard.statuses.services import post_status
from babillard.web.tests.conftest import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(db: None) -> Account:
    return make_account("bibli", kind=AccountKind.INSTITUTION, display_name="Bibliothèque")


@pytest.fixture
def staff(library: Account) -> dict[str, Account]:
    """A manager, an editor, a staff member and an outsider."""
    people = {role: make_account(f"{role}_person") for role in ("manager", "editor", "staff")}
    for role, person in people.items():
        institution_services.add_member(library, library, person, role)
    people["outsider"] = make_account("outsider")
    return people


def compose(client: Client, **fields: Any) -> Any:
    data = {"visibility": "public", "language": "fr", "poll_duration": 86400, **fields}
    return client.post("/compose", data)


def test_anonymous_visitors_are_sent_to_log_in(library: Account) -> None:
    for path in (
        f"/institutions/{library.pk}",
        f"/institutions/{library.pk}/staff",
        f"/institutions/{library.pk}/audit",
        f"/institutions/{library.pk}/calendar",
        f"/institutions/{library.pk}/timeline",
        "/institutions",
    ):
        response = Client().get(path)
        assert response.status_code == 302, path
        assert "/auth/login" in response["Location"]


def test_outsiders_and_lower_roles_are_refused(library: Account, staff: dict) -> None:
    outsider, editor, member = (logged_in(staff[r]) for r in ("outsider", "editor", "staff"))
    for path in ("", "/staff", "/audit", "/calendar", "/sites"):
        assert outsider.get(f"/institutions/{library.pk}{path}").status_code == 403, path
        assert member.get(f"/institutions/{library.pk}{path}").status_code == 403, path
    for path in ("", "/staff", "/audit"):
        assert editor.get(f"/institutions/{library.pk}{path}").status_code == 403, path
    assert editor.get(f"/institutions/{library.pk}/calendar").status_code == 200
    # The staff-only timeline does not exist for outsiders.
    assert outsider.get(f"/institutions/{library.pk}/timeline").status_code == 404
    assert member.get(f"/institutions/{library.pk}/timeline").status_code == 200
    assert outsider.get("/institutions/999999").status_code == 404


def test_manager_edits_the_profile_and_a_bad_isil_is_shown(library: Account, staff: dict) -> None:
    client = logged_in(staff["manager"], "en")
    page = client.get(f"/institutions/{library.pk}")
    assert page.status_code == 200
    assert b'for="id_isil"' in page.content
    bad = client.post(
        f"/institutions/{library.pk}",
        {"official_name": "BU", "type": "university", "isil": "nonsense!"},
    )
    assert bad.status_code == 400
    assert b"not a valid ISIL" in bad.content
    good = client.post(
        f"/institutions/{library.pk}",
        {
            "official_name": "Bibliothèque universitaire",
            "type": "university",
            "isil": "FR-751131015",
            "website": "https://bu.example.org",
            "catalogue_url_template": "https://bu.example.org/s?q={query}",
        },
    )
    assert good.status_code == 302
    found = Institution.objects.get(account=library)
    assert (found.official_name, found.isil, found.type) == (
        "Bibliothèque universitaire",
        "FR-751131015",
        "university",
    )


def test_moderator_verifies_and_the_profile_shows_the_badge(library: Account) -> None:
    institution_services.update_institution(library, library, isil="FR-751131015")
    moderator = make_account("modo", moderator=True)
    assert logged_in(make_account("nobody")).get("/moderation/institutions").status_code == 403
    client = logged_in(moderator)
    page = client.get("/moderation/institutions")
    assert b"FR-751131015" in page.content
    response = client.post(f"/moderation/institutions/{library.pk}/verify")
    assert response.status_code == 302
    assert Institution.objects.get(account=library).verified
    assert "Institution vérifiée" in Client(HTTP_ACCEPT_LANGUAGE="fr").get("/@bibli").text
    assert "Verified institution" in Client(HTTP_ACCEPT_LANGUAGE="en").get("/@bibli").text
    client.post(f"/moderation/institutions/{library.pk}/unverify")
    assert not Institution.objects.get(account=library).verified


def test_manager_adds_and_removes_members(library: Account, staff: dict) -> None:
    client = logged_in(staff["manager"])
    newcomer = make_account("newcomer")
    response = client.post(
        f"/institutions/{library.pk}/staff", {"username": "newcomer", "role": "editor"}
    )
    assert response.status_code == 302
    assert library.staff.get(member=newcomer).role == Role.EDITOR
    unknown = client.post(
        f"/institutions/{library.pk}/staff", {"username": "ghost", "role": "staff"}
    )
    assert unknown.status_code == 400
    assert "@newcomer" in client.get(f"/institutions/{library.pk}/staff").text
    client.post(f"/institutions/{library.pk}/staff/{newcomer.pk}/remove")
    assert not library.staff.filter(member=newcomer).exists()
    outsider = logged_in(staff["outsider"])
    refused = outsider.post(f"/institutions/{library.pk}/staff/{staff['editor'].pk}/remove")
    assert refused.status_code == 403


def test_editor_posts_as_the_institution_and_the_audit_log_shows_who(
    library: Account, staff: dict
) -> None:
    editor = logged_in(staff["editor"], "en")
    form = editor.get("/compose").text
    assert 'name="identity"' in form and "@bibli" in form
    response = compose(editor, text="Les salles sont ouvertes", identity=str(library.pk))
    assert response.status_code == 302
    status = Status.objects.get(text="Les salles sont ouvertes")
    assert status.account_id == library.pk
    entry = AuditEntry.objects.get(institution=library)
    assert (entry.acting_account_id, entry.action) == (staff["editor"].pk, "post")
    audit = logged_in(staff["manager"], "en").get(f"/institutions/{library.pk}/audit")
    assert "@editor_person" in audit.text and "Posted" in audit.text
    assert "Log of actions as the institution" in audit.text


def test_staff_cannot_post_as_the_institution(library: Account, staff: dict) -> None:
    member = logged_in(staff["staff"])
    assert 'name="identity"' not in member.get("/compose").text
    # The choice is not offered, so a forged one is ignored: the post is the member's own.
    compose(member, text="Pas de droit", identity=str(library.pk))
    assert not Status.objects.filter(account=library).exists()
    assert not AuditEntry.objects.exists()


def test_editor_schedules_and_boosts_as_the_institution(library: Account, staff: dict) -> None:
    editor = logged_in(staff["editor"])
    response = compose(
        editor, text="Plus tard", identity=str(library.pk), scheduled_at="2099-01-05T10:00"
    )
    assert response.status_code == 302
    assert ScheduledStatus.objects.filter(account=library).exists()
    other = post_status(staff["outsider"], "Un beau livre", visibility=Visibility.PUBLIC)
    thread = editor.get(f"/@outsider/{other.pk}").text
    assert f"/statuses/{other.pk}/reblog_as/{library.pk}" in thread
    editor.post(f"/statuses/{other.pk}/reblog_as/{library.pk}")
    assert Status.objects.filter(account=library, reblog=other).exists()
    actions = set(AuditEntry.objects.filter(institution=library).values_list("action", flat=True))
    assert actions == {"schedule", "reblog"}
    refused = logged_in(staff["staff"]).post(f"/statuses/{other.pk}/reblog_as/{library.pk}")
    assert refused.status_code == 403


def test_staff_only_posts_reach_members_only(library: Account, staff: dict) -> None:
    member = logged_in(staff["staff"], "en")
    assert "Staff only" in member.get("/compose").text
    response = compose(member, text="Réunion à 14 h", visibility="internal")
    assert response.status_code == 302
    status = Status.objects.get(text="Réunion à 14 h")
    assert (status.visibility, status.internal_to_id) == ("internal", library.pk)
    timeline = member.get(f"/institutions/{library.pk}/timeline").text
    assert "Réunion à 14 h" in timeline
    outsider = logged_in(staff["outsider"])
    assert outsider.get(f"/@staff_person/{status.pk}").status_code == 404
    assert "Réunion" not in outsider.get("/@staff_person").text
    assert "Réunion" not in Client().get("/public/local").text
    assert "Staff only" not in logged_in(staff["outsider"], "en").get("/compose").text


def test_editorial_calendar_and_templates(library: Account, staff: dict) -> None:
    editor = logged_in(staff["editor"], "en")
    response = editor.post(
        f"/institutions/{library.pk}/calendar",
        {"name": "Salles pleines", "text": "Les salles sont pleines."},
    )
    assert response.status_code == 302
    template = PostTemplate.objects.get(institution=library)
    page = editor.get(f"/institutions/{library.pk}/calendar").text
    assert "Salles pleines" in page
    composer = editor.get(f"/compose?template={template.pk}").text
    assert "Les salles sont pleines." in composer
    assert f'<option value="{library.pk}" selected' in composer
    outsider = logged_in(staff["outsider"])
    assert "Les salles sont pleines." not in outsider.get(f"/compose?template={template.pk}").text
    editor.post(f"/institutions/{library.pk}/templates/{template.pk}/delete")
    assert not PostTemplate.objects.exists()


def test_my_institutions_lists_memberships(library: Account, staff: dict) -> None:
    page = logged_in(staff["editor"], "en").get("/institutions").text
    assert "@bibli" in page and "Editorial calendar" in page
    assert "not on the staff" in logged_in(staff["outsider"], "en").get("/institutions").text


def test_manager_revokes_a_token_acting_as_the_institution(library: Account, staff: dict) -> None:
    grant = institution_services.create_acting_grant(staff["editor"], library)
    manager = logged_in(staff["manager"], "en")
    assert (
        "Revoke the token of @editor_person"
        in manager.get(f"/institutions/{library.pk}/audit").text
    )
    refused = logged_in(staff["editor"]).post(
        f"/institutions/{library.pk}/grants/{grant.pk}/revoke"
    )
    assert refused.status_code == 403
    manager.post(f"/institutions/{library.pk}/grants/{grant.pk}/revoke")
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert AuditEntry.objects.filter(action="revoke", acting_account=staff["manager"]).exists()


def test_staff_only_post_of_a_member_of_two_institutions(library: Account, staff: dict) -> None:
    other = make_account("autre_bibli", kind=AccountKind.INSTITUTION)
    editor = staff["editor"]
    institution_services.add_member(other, other, editor, "staff")
    client = logged_in(editor)
    assert 'name="internal_to"' in client.get("/compose").text
    unnamed = compose(client, text="Pour qui ?", visibility="internal")
    assert unnamed.status_code == 400
    compose(client, text="Pour l'autre", visibility="internal", internal_to=str(other.pk))
    assert Status.objects.get(text="Pour l'autre").internal_to_id == other.pk
    # Posting as an institution names its staff.
    compose(client, text="Au nom de", visibility="internal", identity=str(library.pk))
    posted = Status.objects.get(text="Au nom de")
    assert (posted.account_id, posted.internal_to_id) == (library.pk, library.pk)
