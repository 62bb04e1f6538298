"""``/api/babillard/v1/`` institutions, staff, acting as the institution, audit, sites:
every contract path over plain HTTP, with its error cases."""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from babillard.api.tests.conftest import ApiClient
from babillard.core.testing import make_account
from babillard.institutions.models import AuditEntry, Role
from babillard.institutions.services import add_member
from babillard.statuses.models import Status

V1 = "/api/babillard/v1"


@pytest.fixture
def library(db: Any, token_for: Callable[..., str]) -> SimpleNamespace:
    """An institution with a manager, an editor and a staff member, an outsider, a moderator."""
    institution = make_account("bibli", kind="institution", display_name="Bibliothèque")
    people = {name: make_account(name) for name in ("manon", "eddy", "stella", "otto")}
    moderator = make_account("modo", moderator=True)
    add_member(institution, institution, people["manon"], Role.MANAGER)
    add_member(institution, institution, people["eddy"], Role.EDITOR)
    add_member(institution, institution, people["stella"], Role.STAFF)
    clients = {name: ApiClient(token_for(account)) for name, account in people.items()}
    return SimpleNamespace(
        institution=institution,
        people=people,
        path=f"{V1}/institutions/{institution.pk}",
        itself=ApiClient(token_for(institution)),
        moderator=ApiClient(token_for(moderator, "read write admin:write")),
        moderator_without_admin=ApiClient(token_for(moderator, "read write")),
        anonymous=ApiClient(),
        **clients,
    )


def test_profile_reads_and_edits(library: SimpleNamespace) -> None:
    found = library.anonymous.get(library.path)
    assert found.status_code == 200
    assert found.json()["id"] == str(library.institution.pk)
    assert found.json()["verified"] is False
    changes = {
        "name": "Bibliothèque publique d'information",
        "type": "national",
        "isil": "FR-751131015",
        "website": "https://www.bpi.fr",
        "catalogue_url_template": "https://catalogue.bpi.fr/?isbn={isbn}",
    }
    edited = library.manon.patch(library.path, changes)
    assert edited.status_code == 200, edited.content
    body = edited.json()
    assert (body["name"], body["type"], body["isil"]) == (
        changes["name"],
        "national",
        "FR-751131015",
    )
    assert library.itself.patch(library.path, {"website": ""}).status_code == 200


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("anonymous", {"name": "x"}, 401),
        ("eddy", {"name": "x"}, 403),
        ("otto", {"name": "x"}, 403),
        ("manon", {"type": "castle"}, 422),
        ("manon", {"isil": "not an isil"}, 422),
        ("manon", {"catalogue_url_template": "https://example.org/"}, 422),
        ("manon", {"colour": "blue"}, 422),
    ],
)
def test_profile_edit_errors(library: SimpleNamespace, who: str, body: Any, status: int) -> None:
    response = getattr(library, who).patch(library.path, body)
    assert response.status_code == status
    assert set(response.json()) >= {"error"}


def test_unknown_or_non_institution_is_404(library: SimpleNamespace) -> None:
    person = library.people["otto"]
    assert library.anonymous.get(f"{V1}/institutions/{person.pk}").status_code == 404
    assert library.anonymous.get(f"{V1}/institutions/999999").status_code == 404
    assert library.manon.patch(f"{V1}/institutions/abc", {}).json() == {"error": "Record not found"}


def test_verify_by_a_moderator_only(library: SimpleNamespace) -> None:
    verify = f"{library.path}/verify"
    assert library.anonymous.post(verify).status_code == 401
    assert library.manon.post(verify).status_code == 403
    assert library.moderator_without_admin.post(verify).status_code == 403
    missing = library.moderator.post(verify)
    assert missing.status_code == 422
    assert "ISIL" in missing.json()["error"]
    library.manon.patch(library.path, {"isil": "FR-751131015"})
    verified = library.moderator.post(verify)
    assert verified.status_code == 200
    assert verified.json()["verified"] is True
    account = library.anonymous.get(f"/api/v1/accounts/{library.institution.pk}").json()
    assert account["babillard"]["institution"] == {
        "type": "public",
        "isil": "FR-751131015",
        "verified": True,
        "network_id": None,
    }
    person = library.anonymous.get(f"/api/v1/accounts/{library.people['otto'].pk}").json()
    assert "babillard" not in person


def test_staff_list_add_change_remove(library: SimpleNamespace) -> None:
    staff = f"{library.path}/staff"
    listed = library.manon.get(staff)
    assert listed.status_code == 200
    assert {(m["account"]["username"], m["role"]) for m in listed.json()} == {
        ("manon", "manager"),
        ("eddy", "editor"),
        ("stella", "staff"),
    }
    otto = library.people["otto"]
    added = library.itself.post(staff, {"account_id": str(otto.pk), "role": "editor"})
    assert added.status_code == 200
    assert added.json()["account_id"] == str(otto.pk)
    assert library.manon.delete(f"{staff}/{otto.pk}").status_code == 200
    assert library.manon.delete(f"{staff}/{otto.pk}").status_code == 404


@pytest.mark.parametrize(
    ("who", "method", "body", "status"),
    [
        ("anonymous", "get", None, 401),
        ("eddy", "get", None, 403),
        ("otto", "get", None, 403),
        ("stella", "post", {"account_id": "1", "role": "staff"}, 403),
        ("manon", "post", {"account_id": "999999", "role": "staff"}, 422),
        ("manon", "post", {"account_id": "otto", "role": "staff"}, 422),
        ("manon", "post", "otto:boss", 422),
    ],
)
def test_staff_errors(
    library: SimpleNamespace, who: str, method: str, body: Any, status: int
) -> None:
    if body == "otto:boss":
        body = {"account_id": str(library.people["otto"].pk), "role": "boss"}
    response = getattr(library, who).get(f"{library.path}/staff") if method == "get" else None
    if method == "post":
        response = getattr(library, who).post(f"{library.path}/staff", body)
    assert response is not None
    assert response.status_code == status
    assert "error" in response.json()


def test_removing_staff_needs_a_manager(library: SimpleNamespace) -> None:
    path = f"{library.path}/staff/{library.people['stella'].pk}"
    assert library.anonymous.delete(path).status_code == 401
    assert library.eddy.delete(path).status_code == 403
    assert library.manon.delete(f"{library.path}/staff/abc").status_code == 404


def test_act_as_posts_as_the_institution_and_is_audited(library: SimpleNamespace) -> None:
    issued = library.eddy.post(f"{library.path}/act_as")
    assert issued.status_code == 200, issued.content
    body = issued.json()
    assert set(body) >= {"access_token", "scope", "id"}
    acting = ApiClient(body["access_token"])
    me = acting.get("/api/v1/accounts/verify_credentials").json()
    assert me["id"] == str(library.institution.pk)
    posted = acting.post("/api/v1/statuses", {"status": "Salles pleines"})
    assert posted.status_code == 200
    assert posted.json()["account"]["id"] == str(library.institution.pk)
    boosted = acting.post(f"/api/v1/statuses/{posted.json()['id']}/reblog")
    assert boosted.status_code == 200
    audit = library.manon.get(f"{library.path}/audit")
    assert audit.status_code == 200
    rows = audit.json()
    assert [(r["action"], r["acting_account_id"]) for r in rows] == [
        ("reblog", str(library.people["eddy"].pk)),
        ("post", str(library.people["eddy"].pk)),
        ("grant", str(library.people["eddy"].pk)),
    ]
    assert all(r["created_at"] for r in rows)
    assert rows[1]["status_id"] == posted.json()["id"]
    deleted = acting.delete(f"/api/v1/statuses/{posted.json()['id']}")
    assert deleted.status_code == 200
    assert not Status.objects.filter(pk=posted.json()["id"]).exists()
    assert AuditEntry.objects.filter(action="delete").count() == 1


def test_revoked_grant_token_stops_working(library: SimpleNamespace) -> None:
    body = library.eddy.post(f"{library.path}/act_as").json()
    acting = ApiClient(body["access_token"])
    revoke = f"{library.path}/act_as/{body['id']}"
    assert library.otto.delete(revoke).status_code == 403
    assert library.eddy.delete(revoke).status_code == 200
    after = acting.post("/api/v1/statuses", {"status": "Encore ?"})
    assert after.status_code == 401
    assert library.eddy.delete(f"{library.path}/act_as/999999").status_code == 404


def test_a_demoted_editor_token_acts_no_more(library: SimpleNamespace) -> None:
    body = library.eddy.post(f"{library.path}/act_as").json()
    library.manon.post(
        f"{library.path}/staff", {"account_id": str(library.people["eddy"].pk), "role": "staff"}
    )
    assert (
        ApiClient(body["access_token"]).get("/api/v1/accounts/verify_credentials").status_code
        == 401
    )


@pytest.mark.parametrize(("who", "status"), [("anonymous", 401), ("stella", 403), ("otto", 403)])
def test_act_as_needs_an_editor(library: SimpleNamespace, who: str, status: int) -> None:
    assert getattr(library, who).post(f"{library.path}/act_as").status_code == status


def test_act_as_scope_cannot_widen(library: SimpleNamespace, token_for: Callable[..., str]) -> None:
    narrow = ApiClient(token_for(library.people["eddy"], "read write"))
    refused = narrow.post(f"{library.path}/act_as", {"scope": "read write admin:write"})
    assert refused.status_code == 422
    granted = narrow.post(f"{library.path}/act_as", {"scope": "write:statuses"})
    assert granted.json()["scope"] == "write:statuses"


def test_audit_is_for_managers(library: SimpleNamespace) -> None:
    assert library.anonymous.get(f"{library.path}/audit").status_code == 401
    assert library.eddy.get(f"{library.path}/audit").status_code == 403


def test_internal_posts_through_the_statuses_api(library: SimpleNamespace) -> None:
    posted = library.stella.post(
        "/api/v1/statuses", {"status": "Réunion à 14 h", "visibility": "internal"}
    )
    assert posted.status_code == 200, posted.content
    entity = posted.json()
    assert entity["visibility"] == "private"
    assert entity["babillard"]["visibility"] == "internal"
    timeline = library.eddy.get(f"{library.path}/timeline")
    assert [s["id"] for s in timeline.json()] == [entity["id"]]
    assert library.otto.get(f"/api/v1/statuses/{entity['id']}").status_code == 404
    assert library.otto.get(f"{library.path}/timeline").status_code == 404
    assert library.anonymous.get(f"{library.path}/timeline").status_code == 401
    outsider = library.otto.post("/api/v1/statuses", {"status": "Moi ?", "visibility": "internal"})
    assert outsider.status_code == 422


def test_internal_post_by_a_member_of_two_names_the_institution(
    library: SimpleNamespace,
) -> None:
    other = make_account("autre", kind="institution")
    add_member(other, other, library.people["stella"], Role.STAFF)
    ambiguous = library.stella.post("/api/v1/statuses", {"status": "?", "visibility": "internal"})
    assert ambiguous.status_code == 422
    assert "institution_id" in ambiguous.json()["error"]
    named = library.stella.post(
        "/api/v1/statuses",
        {"status": "Pour l'autre", "visibility": "internal", "institution_id": str(other.pk)},
    )
    assert named.status_code == 200
    assert Status.objects.get(pk=named.json()["id"]).internal_to_id == other.pk


SITE = {
    "name": "Centre Pompidou",
    "address": "Rue Beaubourg",
    "postcode": "75004",
    "city": "Paris",
    "latitude": 48.8606,
    "longitude": 2.3522,
    "opening_hours": {"mon": [["12:00", "22:00"]], "wed": [["12:00", "22:00"]]},
}


def test_sites_create_list_get(library: SimpleNamespace) -> None:
    created = library.manon.post(f"{V1}/sites", SITE)
    assert created.status_code == 200, created.content
    site = created.json()
    assert site["id"] and site["institution_id"] == str(library.institution.pk)
    assert site["opening_hours"]["mon"] == [["12:00", "22:00"]]
    by_institution = library.anonymous.get(
        f"{V1}/sites", {"institution_id": site["institution_id"]}
    )
    assert [s["id"] for s in by_institution.json()] == [site["id"]]
    assert library.anonymous.get(f"{V1}/sites", {"institution_id": "999999"}).json() == []
    assert library.anonymous.get(f"{V1}/sites/{site['id']}").json()["city"] == "Paris"
    assert library.itself.post(f"{V1}/sites", {"name": "Annexe"}).status_code == 200


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("anonymous", SITE, 401),
        ("eddy", SITE, 422),
        ("otto", SITE, 422),
        ("manon", {**SITE, "name": ""}, 422),
        ("manon", {**SITE, "latitude": 123}, 422),
        ("manon", {**SITE, "opening_hours": {"mon": [["25:00", "26:00"]]}}, 422),
        ("manon", {**SITE, "institution_id": "999999"}, 422),
    ],
)
def test_site_errors(library: SimpleNamespace, who: str, body: Any, status: int) -> None:
    response = getattr(library, who).post(f"{V1}/sites", body)
    assert response.status_code == status
    assert "error" in response.json()


def test_a_manager_of_another_institution_is_refused(library: SimpleNamespace) -> None:
    other = make_account("autre", kind="institution")
    refused = library.manon.post(f"{V1}/sites", {**SITE, "institution_id": str(other.pk)})
    assert refused.status_code == 403
    assert library.anonymous.get(f"{V1}/sites/999999").status_code == 404


def test_every_route_has_a_response_schema(db: Any) -> None:
    document = ApiClient().get(f"{V1}/openapi.json").json()
    for path in (
        "/api/babillard/v1/institutions/{account_id}",
        "/api/babillard/v1/institutions/{account_id}/act_as",
        "/api/babillard/v1/sites",
    ):
        for operation in document["paths"][path].values():
            assert "200" in {str(code) for code in operation["responses"]}
            assert operation["responses"]["200"]["content"]["application/json"]["schema"]


def test_institutions_on_a_timeline_are_loaded_at_once(
    db: Any, token_for: Callable[..., str]
) -> None:
    """The ``babillard.institution`` of every author comes from one query, however many
    institutions the page shows."""
    from babillard.accounts.services import follow
    from babillard.statuses.services import post_status

    reader = make_account("lectrice")
    client = ApiClient(token_for(reader))

    def add_institution(number: int) -> None:
        library = make_account(f"bib{number}", kind="institution")
        follow(reader, library)
        post_status(library, f"Nouveautés {number}")

    add_institution(0)
    client.get("/api/v1/timelines/home")
    with CaptureQueriesContext(connection) as one:
        first = client.get("/api/v1/timelines/home").json()
    for number in range(1, 6):
        add_institution(number)
    client.get("/api/v1/timelines/home")
    with CaptureQueriesContext(connection) as six:
        shown = client.get("/api/v1/timelines/home").json()
    assert first[0]["account"]["babillard"]["institution"]["type"]
    assert len(shown) == 6
    assert all(s["account"]["babillard"]["institution"] for s in shown)
    assert len(six.captured_queries) == len(one.captured_queries)
