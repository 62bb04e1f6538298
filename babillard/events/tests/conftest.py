from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from babillard.api.tests.conftest import app, token_for  # noqa: F401  (shared fixtures)
from babillard.core.testing import make_account
from babillard.federation.tests.conftest import network  # noqa: F401  (shared fixture)
from babillard.institutions.models import Role, Site
from babillard.institutions.services import add_member

PARIS = ZoneInfo("Europe/Paris")


def soon(days: int = 3, hour: int = 18) -> datetime:
    """A Paris evening some days ahead."""
    day = (timezone.now() + timedelta(days=days)).astimezone(PARIS).date()
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=PARIS)


def event_fields(**changes: Any) -> dict[str, Any]:
    start = soon()
    fields: dict[str, Any] = {
        "title": "Heure du conte",
        "description": "Des histoires pour les petits. #conte",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "timezone": "Europe/Paris",
        "registration": "babillard",
        "audience": "children",
        "tags": ["conte"],
    }
    fields.update(changes)
    return fields


@pytest.fixture
def library(db: Any) -> dict[str, Any]:
    """An institution with an editor, a site, and three readers."""
    institution = make_account("mediatheque", kind="institution", display_name="Médiathèque")
    editor = make_account("eddy")
    add_member(institution, institution, editor, Role.EDITOR)
    site = Site.objects.create(
        institution=institution, name="Centre", address="1 rue Haute", city="Lyon", postcode="69001"
    )
    readers = [make_account(name) for name in ("alice", "bruno", "chloe")]
    return {"institution": institution, "editor": editor, "site": site, "readers": readers}
