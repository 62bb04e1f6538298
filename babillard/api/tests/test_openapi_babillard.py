"""Babillard's own API against its OpenAPI document, with schemathesis.

The same run as ``test_openapi.py``, on ``/api/babillard/v1/openapi.json``: alice,
a moderator who manages a verified institution, holds a token with every scope, and
the paths name real objects of hers (institution, site, space, sensor token, acting
grant, event, bibliography, antenna, outside feed, board, import, platform and its
incident, vendor's quote, group), so that the generated requests reach the handlers.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from babillard.accounts.models import Account
from babillard.api import oauth
from babillard.api.tests.openapi import operations_of, rounds, send_round
from babillard.boards import services as board_services
from babillard.books import services as book_services
from babillard.core.testing import make_account
from babillard.events import services as event_services
from babillard.groups import services as group_services
from babillard.institutions import services as institution_services
from babillard.institutions.models import Role
from babillard.occupancy import services as occupancy_services
from babillard.outages import services as outage_services
from babillard.portability import services as portability_services
from babillard.quotes import services as quote_services
from babillard.quotes.tests.conftest import quote_fields
from babillard.triage import services as triage_services
from babillard.watch import services as watch_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("connection_kept_open")]

V1 = "/api/babillard/v1"
# Rounds: each sends one generated request to every operation (about 120).
EXAMPLES = 3
OPERATIONS = operations_of(f"{V1}/openapi.json")


@pytest.fixture
def moderator_alice(alice: Account) -> Account:
    assert alice.user is not None
    alice.user.is_moderator = True
    alice.user.save(update_fields=["is_moderator"])
    return alice


@pytest.fixture
def every_scope(moderator_alice: Account) -> str:
    assert moderator_alice.user is not None
    registered = oauth.register_app("Every scope", [oauth.OOB], oauth.ALL_SCOPES, "")
    issued = oauth.issue_token(
        moderator_alice.user, registered.application, oauth.parse_scopes(" ".join(oauth.ALL_SCOPES))
    )
    return str(issued.raw)  # type: ignore[attr-defined]


def _institution(alice: Account, bob: Account) -> Account:
    institution = make_account("bibli", kind="institution", display_name="Bibliothèque")
    institution_services.update_institution(
        institution, institution, type="university", isil="FR-751131015"
    )
    institution_services.verify_institution(alice, institution)
    institution_services.add_member(institution, institution, alice, Role.MANAGER)
    institution_services.add_member(institution, institution, bob, Role.STAFF)
    return institution


def _outage(alice: Account) -> dict[str, str]:
    """A platform with an open incident: its probe fails and alice reports it down."""
    platform = outage_services.create_platform(alice, name="Cairn", url="https://www.cairn.info/")
    outage_services.record_probe(platform, platform.home_url, ok=False, error="timeout")
    outage_services.report_problem(alice, platform, "down")
    incident = platform.incidents.get()
    return {"platform_id": str(platform.pk), "incident_id": str(incident.pk)}


@pytest.fixture
def owned(moderator_alice: Account, bob: Account) -> dict[str, dict[str, str]]:
    """Ids of real objects of alice's by parameter name, per path prefix (the same name
    means an institution under ``/institutions``, a person elsewhere)."""
    alice = moderator_alice
    institution = _institution(alice, bob)
    grant = institution_services.create_acting_grant(alice, institution)
    site = institution_services.create_site(
        alice, institution_id=institution.pk, name="Centre", city="Lyon"
    )
    space = occupancy_services.create_space(alice, site, "Salle de lecture", 120)
    sensor, _raw = occupancy_services.create_sensor_token(alice, site, "Portique")
    starts = timezone.now() + timedelta(days=7)
    event = event_services.create_event(
        alice,
        title="Club de lecture",
        starts_at=starts.isoformat(),
        ends_at=(starts + timedelta(hours=2)).isoformat(),
        timezone="Europe/Paris",
    )
    bibliography = book_services.create_bibliography(alice, "Polars nordiques")
    entry = book_services.add_item(
        alice, bibliography, book_services.BookSpec(isbn="9782070612758")
    )
    antenna = watch_services.create_antenna(alice, title="Veille", keywords=["biblio"])
    with override_settings(ALLOW_PRIVATE_ADDRESSES=True):  # a feed nobody answers for
        source = watch_services.follow_source(alice, "https://127.0.0.1:9/rss.xml")
    board = board_services.create_board(alice, "Veille numérique", "Pour les bibliothèques")
    section = board_services.add_section(alice, board, "Outils")
    item = board_services.add_item(alice, board, url="https://www.bpi.fr/", title="Bpi")
    suggestion = board_services.suggest(board, by=bob, url="https://www.enssib.fr/")
    board_services.link_antenna(alice, board, antenna)
    triage_services.set_priority(alice, bob, "close")
    imported = portability_services.start_import(
        alice, "following", "merge", b"Account address,Show boosts\nbob@example.org,true\n"
    )
    quote = quote_services.submit_quote(alice, institution, quote_fields())
    group = group_services.create_group(alice, "lecteurs", display_name="Lecteurs")
    group_services.join(bob, group)
    group_post = group_services.post_to_group(bob, group, "Qui lit quoi cet été ?")
    everywhere = {
        "account_id": str(bob.pk),
        "member_account_id": str(bob.pk),
        "grant_id": str(grant.pk),
        "site_id": str(site.pk),
        "space_id": str(space.pk),
        "token_id": str(sensor.pk),
        "event_id": str(event.pk),
        "isbn": "9782070612758",
        "bibliography_id": str(bibliography.pk),
        "item_id": str(entry.pk),
        "antenna_id": str(antenna.pk),
        "source_id": str(source.pk),
        "board_id": str(board.pk),
        "section_id": str(section.pk),
        "suggestion_id": str(suggestion.pk),
        "import_id": str(imported.pk),
        **_outage(alice),
        "quote_id": str(quote.pk),
        "username": group.account.username,
        "status_id": str(group_post.pk),
    }
    return {
        "": everywhere,
        f"{V1}/institutions/": {**everywhere, "account_id": str(institution.pk)},
        f"{V1}/boards/": {**everywhere, "item_id": str(item.pk)},
    }


def ids_for(owned: dict[str, dict[str, str]]) -> Any:
    def of(path: str) -> dict[str, str]:
        prefix = max((p for p in owned if path.startswith(p)), key=len)
        return owned[prefix]

    return of


@given(data=st.data())
@rounds(EXAMPLES)
def test_babillard_api_conforms_to_its_document(
    data: st.DataObject, owned: dict[str, dict[str, str]], every_scope: str
) -> None:
    """Each example draws one request for every operation and sends them all."""
    send_round(data, OPERATIONS, every_scope, ids_for(owned))
