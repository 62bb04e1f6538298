"""Fixtures of the boards tests: an owner, a co-curator, a reader, API clients."""

from collections.abc import Callable

import pytest

from babillard.accounts.models import Account
from babillard.api import oauth
from babillard.api.tests.conftest import ApiClient
from babillard.boards import services
from babillard.boards.models import Board
from babillard.core.testing import make_account


@pytest.fixture
def alice(db: None) -> Account:
    return make_account("alice", display_name="Alice Martin")


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
def token_for(db: None) -> Callable[..., str]:
    registered = oauth.register_app(
        "Test client", [oauth.OOB], oauth.parse_scopes("read write"), ""
    )

    def make(account: Account, scopes: str = "read write") -> str:
        assert account.user is not None
        issued = oauth.issue_token(account.user, registered.application, oauth.parse_scopes(scopes))
        return str(issued.raw)  # type: ignore[attr-defined]

    return make


@pytest.fixture
def as_alice(alice: Account, token_for: Callable[..., str]) -> ApiClient:
    return ApiClient(token_for(alice))


@pytest.fixture
def as_bob(bob: Account, token_for: Callable[..., str]) -> ApiClient:
    return ApiClient(token_for(bob))


@pytest.fixture
def anonymous() -> ApiClient:
    return ApiClient()
