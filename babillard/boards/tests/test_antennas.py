"""Antennas feeding a board's suggestion queue, and the board column of the deck."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from babillard.boards import queries, services
from babillard.core.errors import NotFound
from babillard.statuses.services import post_status
from babillard.watch import services as watch
from babillard.watch.columns import column_kind


def test_an_antenna_fills_the_suggestion_queue_of_the_board_it_feeds(board, alice, bob):
    antenna = watch.create_antenna(alice, title="Données", keywords=["donnees ouvertes"])
    services.link_antenna(alice, board, antenna)
    caught = post_status(bob, "Un guide des Données Ouvertes pour les bibliothèques")
    post_status(bob, "Rien à voir")
    restricted = post_status(bob, "Données ouvertes, entre nous", visibility="private")
    [suggestion] = queries.suggestions(board)
    assert suggestion.status == caught and suggestion.antenna_id == antenna.pk
    assert suggestion.suggested_by is None
    assert not board.suggestions.filter(status=restricted).exists()
    item = services.accept_suggestion(alice, board, suggestion.pk)
    assert item.announcement is not None

    services.unlink_antenna(alice, board, antenna.pk)
    post_status(bob, "Encore des données ouvertes")
    assert not queries.suggestions(board).exists()


def test_only_ones_own_antenna_feeds_a_board(board, alice, bob):
    services.add_curator(alice, board, bob)
    antenna = watch.create_antenna(alice, title="Données", keywords=["donnees"])
    with pytest.raises(NotFound):
        services.link_antenna(bob, board, antenna)


def test_the_board_column_of_the_deck(board, alice, bob, carol):
    kind = column_kind("board")
    assert kind.clean(carol, {"board_id": board.pk}) == {"board_id": board.pk}
    first = services.add_item(alice, board, status=post_status(bob, "Premier"))
    services.add_item(alice, board, url="https://example.org/lien")
    second = services.add_item(alice, board, status=post_status(bob, "Second"))
    page = kind.read(carol, {"board_id": board.pk}, {})
    assert [e.status.text for e in page.entries] == ["Second", "Premier"]
    assert kind.read(carol, {"board_id": board.pk}, {"max_id": second.pk}).entries[0].key == (
        first.pk
    )
    with translation.override("en"):
        assert kind.title_of(carol, {"board_id": board.pk}) == "Board: Veille numérique"
    private = services.create_board(alice, "Interne", visibility="private")
    with pytest.raises(ValidationError) as refused:
        kind.clean(carol, {"board_id": private.pk})
    assert refused.value.code == "board_id"
