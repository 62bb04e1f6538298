"""Fixtures shared by the tests of the library-feature apps (books, boards): a reader,
OAuth tokens in the read and write scopes, API clients."""

from collections.abc import Callable

import pytest

from babillard.accounts.models import Account
from babillard.api import oauth
from babillard.api.tests.conftest import ApiClient
from babillard.core.testing import make_account


@pytest.fixture
def alice(db: None) -> Account:
    return make_account("alice", display_name="Alice Martin")


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
def anonymous() -> ApiClient:
    return ApiClient()
