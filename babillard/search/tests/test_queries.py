import pytest

from babillard.core.testing import make_account
from babillard.search.queries import search_accounts, search_statuses, search_tags
from babillard.statuses.services import edit_status, post_status

pytestmark = pytest.mark.django_db


def _ids(found):
    return [s.pk for s in found]


def test_accents_and_case_are_folded():
    alice = make_account()
    post = post_status(alice, "La Bibliothèque rouvre ÉTÉ comme hiver")
    assert _ids(search_statuses(None, "bibliotheque")) == [post.pk]
    assert _ids(search_statuses(None, "BIBLIOTHÈQUE ete")) == [post.pk]
    assert search_statuses(None, "médiathèque") == []


def test_every_word_must_match_and_ties_go_to_recent():
    alice = make_account()
    old = post_status(alice, "catalogage partagé")
    new = post_status(alice, "catalogage partagé")
    post_status(alice, "catalogage seul")
    assert _ids(search_statuses(None, "catalogage partagé")) == [new.pk, old.pk]


def test_edit_updates_the_index():
    alice = make_account()
    post = post_status(alice, "ancien mot")
    edit_status(alice, post, "nouveau terme")
    assert search_statuses(None, "ancien") == []
    assert _ids(search_statuses(None, "terme")) == [post.pk]


def test_punctuation_and_operators_are_harmless():
    alice = make_account()
    post_status(alice, "texte ordinaire")
    for query in ['"', "AND OR NOT", "*", "a:b", "(", "'; DROP TABLE", "NEAR(x y)"]:
        search_statuses(None, query)


def test_accounts_and_tags():
    make_account("bu_lyon", display_name="BU Lyon")
    author = make_account()
    post_status(author, "#Veille et #VeilleJuridique")
    assert [a.username for a in search_accounts("lyon")] == ["bu_lyon"]
    assert [t.display_name for t in search_tags("#veil")] == ["Veille", "VeilleJuridique"]
