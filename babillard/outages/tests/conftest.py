from typing import Any

import pytest
from django.utils import timezone

from babillard.accounts.models import Account
from babillard.api.tests.conftest import app, token_for  # noqa: F401  (shared fixtures)
from babillard.core.testing import make_account
from babillard.federation.tests.conftest import network  # noqa: F401  (shared fixture)
from babillard.institutions.models import Institution, Role, Site
from babillard.institutions.services import add_member
from babillard.outages import services
from babillard.outages.models import Platform

CITIES = {"bm_lyon": "Lyon", "bu_lyon": "Lyon", "bu_lille": "Lille", "bm_nantes": "Nantes"}


def make_institution(username: str, city: str, *, verified: bool = False) -> Account:
    institution = make_account(username, kind="institution", display_name=username)
    Site.objects.create(institution=institution, name="Centre", city=city)
    if verified:
        Institution.objects.create(
            account=institution, isil="FR-751131015", isil_verified_at=timezone.now()
        )
    return institution


@pytest.fixture
def network4(db: Any) -> dict[str, Any]:
    """Institutions in four cities, each with one librarian on its staff."""
    institutions = {name: make_institution(name, city) for name, city in CITIES.items()}
    staff = {}
    for name, institution in institutions.items():
        person = make_account(f"{name}_staff")
        add_member(institution, institution, person, Role.STAFF)
        staff[name] = person
    return {"institutions": institutions, "staff": staff}


@pytest.fixture
def moderator(db: Any) -> Account:
    account = make_account("modo")
    assert account.user is not None
    account.user.is_moderator = True
    account.user.save(update_fields=["is_moderator"])
    return account


@pytest.fixture
def cairn(db: Any) -> Platform:
    return services.create_platform(None, name="Cairn", url="https://www.cairn.info/")
