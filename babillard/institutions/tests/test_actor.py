"""An institution's ActivityPub actor: an Organization with its ISIL as a property value."""

from babillard.core.testing import make_account
from babillard.federation.activities import actor_to_activity
from babillard.institutions.services import update_institution, verify_institution


def _properties(document):
    return {a["name"]: a["value"] for a in document["attachment"] if a["type"] == "PropertyValue"}


def test_the_actor_is_an_organization_with_its_isil(library):
    institution, _people = library
    document = actor_to_activity(institution)
    assert document["type"] == "Organization"
    assert "ISIL" not in _properties(document)
    update_institution(institution, institution, isil="FR-751131015")
    assert _properties(actor_to_activity(institution)) == {
        "ISIL": "FR-751131015",
        "ISIL verified": "no",
    }
    found = verify_institution(make_account("modo", moderator=True), institution)
    assert _properties(actor_to_activity(institution))["ISIL verified"] == (
        found.isil_verified_at.date().isoformat()
    )


def test_a_person_has_no_institution_properties(library):
    _institution, people = library
    document = actor_to_activity(people["eddy"])
    assert document["type"] == "Person"
    assert document["attachment"] == []
