"""The board services: the actor, items and what the board publishes, curators,
sections, the suggestion queue, and private boards."""

import pytest
from django.core.exceptions import ValidationError

from babillard.accounts.models import Account, Follow, FollowRequest
from babillard.accounts.services import follow
from babillard.boards import queries, services
from babillard.boards.models import Board, SuggestionState
from babillard.core.errors import Forbidden, NotFound
from babillard.statuses.models import Status
from babillard.statuses.services import post_status


def test_a_board_has_its_own_service_actor(board, alice):
    actor = board.account
    assert actor.is_local and actor.bot and actor.user is None
    assert actor.username == "veille_numerique"
    assert actor.display_name == "Veille numérique"
    assert not actor.locked
    assert queries.curators(board) == [alice]
    second = services.create_board(alice, "Veille numérique")
    assert second.account.username == "veille_numerique_2"
    # A title that makes a reserved or taken name, or no name at all, still makes a board.
    assert services.create_board(alice, "Admin").account.username == "admin_2"
    assert services.create_board(alice, "Alice").account.username == "alice_2"
    assert services.create_board(alice, "Œuvres ★").account.username == "uvres"
    assert services.create_board(alice, "★★").account.username == "board"


def test_bad_input_is_refused_without_a_row(alice):
    with pytest.raises(ValidationError):
        services.create_board(alice, "   ")
    with pytest.raises(ValidationError):
        services.create_board(alice, "Titre", visibility="secret")
    assert not Board.objects.exists()


def test_accepting_a_post_makes_the_board_boost_it(board, alice, bob):
    follow(bob, board.account)
    post = post_status(bob, "Un article sur les tiers-lieux")
    item = services.add_item(alice, board, status=post, comment="À lire")
    boost = item.announcement
    assert boost is not None and boost.account == board.account and boost.reblog == post
    with pytest.raises(ValidationError):
        services.add_item(alice, board, status=post)
    services.remove_item(alice, board, item.pk)
    assert not Status.objects.filter(pk=boost.pk).exists()


def test_a_link_is_published_as_a_note_with_the_comment(board, alice):
    item = services.add_item(
        alice, board, url="https://example.org/rapport", title="Le rapport", comment="Essentiel"
    )
    note = item.announcement
    assert note is not None and note.reblog is None and note.account == board.account
    assert "https://example.org/rapport" in note.text and "Essentiel" in note.text
    assert note.visibility == "public"
    with pytest.raises(ValidationError):
        services.add_item(alice, board, url="javascript:alert(1)")
    with pytest.raises(ValidationError):
        services.add_item(alice, board)


def test_only_curators_change_the_board(board, alice, bob, carol):
    with pytest.raises(Forbidden):
        services.add_item(bob, board, url="https://example.org/")
    services.add_curator(alice, board, carol)
    services.add_item(carol, board, url="https://example.org/")
    with pytest.raises(Forbidden):
        services.update_board(carol, board, visibility="private")
    with pytest.raises(Forbidden):
        services.delete_board(carol, board)
    with pytest.raises(ValidationError):
        services.remove_curator(alice, board, alice)
    services.remove_curator(carol, board, carol)
    assert queries.curators(board) == [alice]


def test_sections_and_order(board, alice):
    section = services.add_section(alice, board, "Rapports")
    first = services.add_item(alice, board, url="https://example.org/1")
    second = services.add_item(alice, board, url="https://example.org/2", section_id=section.pk)
    assert second.section == section
    services.move_item(alice, board, second.pk, -1)
    assert [i.pk for i in queries.items(alice, board)] == [second.pk, first.pk]
    with pytest.raises(ValidationError):
        services.reorder_items(alice, board, [first.pk])
    services.remove_section(alice, board, section.pk)
    second.refresh_from_db()
    assert second.section is None


def test_suggestions_are_queued_once_then_accepted_or_rejected(board, alice, bob, carol):
    post = post_status(bob, "Une ressource")
    suggestion = services.suggest(board, by=bob, status=post, note="Pour vous")
    assert services.suggest(board, status=post, antenna_id=7) == suggestion
    link = services.suggest(board, by=bob, url="https://example.org/guide")
    assert [s.pk for s in queries.suggestions(board)] == [link.pk, suggestion.pk]
    with pytest.raises(Forbidden):
        services.accept_suggestion(bob, board, suggestion.pk)
    item = services.accept_suggestion(alice, board, suggestion.pk, comment="Merci")
    assert item.status == post and item.comment == "Merci" and item.announcement is not None
    rejected = services.reject_suggestion(alice, board, link.pk)
    assert rejected.state == SuggestionState.REJECTED
    assert not queries.suggestions(board).exists()
    with pytest.raises(NotFound):
        services.reject_suggestion(alice, board, link.pk)
    follow(bob, carol)
    restricted = post_status(carol, "Pour mes abonnés", visibility="private")
    with pytest.raises(ValidationError):
        services.suggest(board, by=bob, status=restricted)


def test_a_private_board_is_read_by_curators_only_and_never_publishes(alice, bob):
    board = services.create_board(alice, "Interne", visibility="private")
    assert board.account.locked
    with pytest.raises(NotFound):
        queries.get_board(bob, board.pk)
    with pytest.raises(NotFound):
        queries.get_board(None, board.pk)
    assert queries.get_board(alice, board.pk) == board
    assert list(queries.boards_of(alice, bob)) == []
    item = services.add_item(alice, board, status=post_status(bob, "Vu"))
    assert item.announcement is None
    follow(bob, board.account)
    assert not FollowRequest.objects.filter(target=board.account).exists()
    assert not Follow.objects.filter(target=board.account).exists()


def test_making_a_board_private_lets_its_followers_go(board, alice, bob):
    follow(bob, board.account)
    assert Follow.objects.filter(account=bob, target=board.account).exists()
    services.update_board(alice, board, visibility="private")
    assert not Follow.objects.filter(target=board.account).exists()
    services.update_board(alice, board, visibility="public")
    board.account.refresh_from_db()
    assert not board.account.locked


def test_a_board_shows_each_reader_only_the_posts_they_may_see(board, alice, bob, carol):
    follow(alice, bob)
    private = post_status(bob, "Pour mes abonnés", visibility="private")
    item = services.add_item(alice, board, status=private)
    assert item.announcement is None
    assert [i.pk for i in queries.items(alice, board)] == [item.pk]
    assert queries.items(carol, board) == []
    assert queries.items(None, board) == []


def test_deleting_a_board_deletes_its_actor(board, alice):
    actor_id = board.account_id
    services.delete_board(alice, board)
    assert not Board.objects.exists()
    assert not Account.objects.filter(pk=actor_id).exists()
