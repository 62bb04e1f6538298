import pytest

from babillard.core.testing import make_account
from babillard.institutions.models import Role
from babillard.institutions.services import add_member


@pytest.fixture
def library(db):
    """An institution with a manager, an editor and a staff member, and an outsider."""
    institution = make_account("bibli", kind="institution", display_name="Bibliothèque")
    people = {name: make_account(name) for name in ("manon", "eddy", "stella", "otto")}
    add_member(institution, institution, people["manon"], Role.MANAGER)
    add_member(people["manon"], institution, people["eddy"], Role.EDITOR)
    add_member(people["manon"], institution, people["stella"], Role.STAFF)
    return institution, people
