from types import SimpleNamespace

import pytest
from django.core.cache import cache

from babillard.core.testing import make_account
from babillard.institutions.models import Role
from babillard.institutions.services import add_member, create_site
from babillard.occupancy.services import create_space

WEEKDAYS = {day: [["09:00", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db):
    """A library with a manager, a staff member, an outsider, and two sites:
    ``site`` (always open) with two spaces, ``hours_site`` (Mon-Sat 09:00-19:00)."""
    institution = make_account("bpi", kind="institution", display_name="Bpi")
    manager, staff, outsider = make_account("manon"), make_account("stella"), make_account("otto")
    add_member(institution, institution, manager, Role.MANAGER)
    add_member(institution, institution, staff, Role.STAFF)
    site = create_site(manager, name="Centre Pompidou", city="Paris")
    hours_site = create_site(manager, name="Annexe", city="Paris", opening_hours=WEEKDAYS)
    reading = create_space(manager, site, "Salle de lecture", 100)
    floor = create_space(manager, site, "Niveau 2", 10)
    return SimpleNamespace(
        institution=institution,
        manager=manager,
        staff=staff,
        outsider=outsider,
        site=site,
        hours_site=hours_site,
        reading=reading,
        floor=floor,
    )
