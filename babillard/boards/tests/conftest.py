"""Fixtures of the boards tests: a co-curator, a reader, a board, Bob's API client
(``alice``, ``token_for``, ``as_alice`` and ``anonymous`` are in ``babillard/conftest.py``)."""

from collections.abc import Callable

import pytest

from babillard.accounts.models import Account
from babillard.api.tests.conftest import ApiClient
from babillard.boards import services
from babillard.boards.models import Board
from babillard.core.testing import make_account


@pytest.fixture
def bob(db: None) -> Account:
    return make_account("bob", display_name="Bob")


@pytest.fixture
def carol(db: None) -> Account:
    return make_account("carol", display_name="Carol")


@pytest.fixture
def board(alice: Account) -> Board:
    return services.create_board(
        alice, "Veille numérique", "Ce qui compte pour les bibliothèques", "public"
    )


@pytest.fixture
def as_bob(bob: Account, token_for: Callable[..., str]) -> ApiClient:
    return ApiClient(token_for(bob))
