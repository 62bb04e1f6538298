from collections.abc import Callable
from itertools import count
from typing import Any

import pytest

from babillard.accounts.models import Account
from babillard.api.tests.conftest import ApiClient, app, token_for  # noqa: F401  (shared fixtures)
from babillard.core.testing import make_account
from babillard.institutions.models import Role
from babillard.institutions.services import add_member, update_institution, verify_institution
from babillard.quotes.models import ObservatorySettings

_numbers = count(1)


def institution(
    name: str, *, kind: str = "university", verified: bool = True, staff: tuple[str, ...] = ()
) -> Account:
    """An institution of ``kind`` with an ISIL, verified by a moderator unless told not,
    and the named people on its staff."""
    account = make_account(name, kind="institution", display_name=name.replace("_", " ").title())
    update_institution(account, account, type=kind, isil=f"FR-75{next(_numbers):07d}")
    if verified:
        moderator = Account.objects.filter(username="quotes_modo").first() or make_account(
            "quotes_modo", moderator=True
        )
        verify_institution(moderator, account)
    for person in staff:
        member = Account.objects.filter(username=person).first() or make_account(person)
        add_member(account, account, member, Role.STAFF)
    return account


def quote_fields(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "vendor": "Cairn",
        "product": "Bouquet général",
        "year": 2025,
        "price_excl_vat": 12000,
        "currency": "EUR",
        "fte": 10000,
        "institution_type": "university",
        "consortium": True,
        "notes": "Négocié via Couperin",
    }
    fields.update(changes)
    return fields


def set_observatory(*, min_institutions: int = 5, open_exchange: bool = False) -> None:
    ObservatorySettings.objects.update_or_create(
        pk=1, defaults={"min_institutions": min_institutions, "open_exchange": open_exchange}
    )


@pytest.fixture
def observatory(db: Any, token_for: Callable[..., str]) -> dict[str, Any]:  # noqa: F811
    """Two verified universities with one staff member each, an unverified one, and an
    outsider; API clients for each person."""
    lyon = institution("bu_lyon", staff=("lea",))
    lille = institution("bu_lille", staff=("luc",))
    institution("bu_nantes", verified=False, staff=("nina",))
    outsider = make_account("olga")
    people = {a.username: a for a in Account.objects.filter(username__in=["lea", "luc", "nina"])}
    people["olga"] = outsider
    clients = {name: ApiClient(token_for(account)) for name, account in people.items()}
    clients["anonymous"] = ApiClient()
    return {"lyon": lyon, "lille": lille, "people": people, "clients": clients}
