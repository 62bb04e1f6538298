from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from babillard.accounts.models import Account
from babillard.core.testing import PASSWORD, make_account


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(db: None) -> Account:
    return make_account("alice", display_name="Alice Martin")


@pytest.fixture
def bob(db: None) -> Account:
    return make_account("bob", display_name="Bob Durand")


def logged_in(account: Account, language: str = "fr") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=account.username, password=PASSWORD)
    return client


@pytest.fixture
def alice_client(alice: Account) -> Client:
    return logged_in(alice)


@pytest.fixture
def bob_client(bob: Account) -> Client:
    return logged_in(bob)
