"""Fixtures of the books tests: a library with a catalogue and its staff (the reader and
the API clients are in ``babillard/conftest.py``)."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from babillard.accounts.models import Account
from babillard.core.testing import make_account
from babillard.institutions.models import Institution, Role
from babillard.institutions.services import add_member

CATALOGUE = "https://catalogue.mediatheque.example/recherche?isbn={isbn}"
OTHER_CATALOGUE = "https://bu.example/search?q={query}"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def make_library(username: str, template: str, name: str) -> Institution:
    account = make_account(username, kind="institution", display_name=name)
    return Institution.objects.create(
        account=account, official_name=name, catalogue_url_template=template
    )


@pytest.fixture
def library(db: None) -> Institution:
    return make_library("mediatheque", CATALOGUE, "Médiathèque Jules-Verne")


@pytest.fixture
def university(db: None) -> Institution:
    return make_library("bu", OTHER_CATALOGUE, "BU Lettres")


@pytest.fixture
def librarian(library: Institution) -> Account:
    """An editor of the library."""
    person = make_account("lea", display_name="Léa")
    add_member(library.account, library.account, person, Role.EDITOR)
    return person
