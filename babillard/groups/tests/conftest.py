from typing import Any

import pytest

from babillard.api.tests.conftest import app, token_for  # noqa: F401  (shared fixtures)
from babillard.core.testing import make_account
from babillard.federation.tests.conftest import network  # noqa: F401  (shared fixture)
from babillard.groups import services
from babillard.groups.models import Group


@pytest.fixture
def founder(db: Any) -> Any:
    return make_account("claire")


@pytest.fixture
def group(founder: Any) -> Group:
    return services.create_group(
        founder,
        "polars",
        display_name="Polars",
        description="Romans policiers du Nord.",
        rules="Pas de divulgâchage.",
    )
