"""Local actors nobody signs in as (boards, platforms, groups) federate like accounts."""

import pytest
from django.core.exceptions import ValidationError

from babillard.accounts.models import AccountKind
from babillard.accounts.services import create_local_actor
from babillard.federation.activities import actor_type

pytestmark = pytest.mark.django_db


def test_a_local_actor_has_keys_and_collections_but_no_user() -> None:
    actor = create_local_actor("cairn", display_name="Cairn", note="Status of *Cairn*")
    assert actor.user is None
    assert actor.is_local
    assert actor.uri.endswith("/users/cairn")
    assert actor.inbox_url.endswith("/users/cairn/inbox")
    assert "BEGIN PUBLIC KEY" in actor.public_key
    assert actor.note_html
    assert actor_type(actor) == "Service"


def test_a_local_actor_takes_a_free_valid_name() -> None:
    create_local_actor("veille_doc")
    with pytest.raises(ValidationError):
        create_local_actor("Veille_Doc")
    with pytest.raises(ValidationError):
        create_local_actor("pas un nom")
    with pytest.raises(ValidationError):
        create_local_actor("autre", kind="planet")
    assert actor_type(create_local_actor("equipe", kind=AccountKind.TEAM, bot=False)) == "Group"
