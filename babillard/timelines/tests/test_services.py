import pytest
from django.core.exceptions import ValidationError

from babillard.accounts.services import follow, mute
from babillard.core.testing import make_account
from babillard.statuses.services import post_status, reblog
from babillard.timelines import queries, services
from babillard.timelines.models import HomeFeedEntry, List

pytestmark = pytest.mark.django_db


def _home_ids(account, **page):
    return [s.pk for s in queries.home(account, **page).items]


def test_reply_reaches_only_followers_of_both_accounts():
    alice, bob, reader, other = make_account(), make_account(), make_account(), make_account()
    follow(reader, alice)
    follow(other, alice)
    follow(other, bob)
    question = post_status(bob, "Question ?")
    answer = post_status(alice, "Réponse", in_reply_to=question)
    assert answer.pk not in _home_ids(reader)
    assert answer.pk in _home_ids(other)
    assert answer.pk in _home_ids(bob)  # mentioned by the reply


def test_direct_post_reaches_only_mentioned():
    alice, follower, friend = make_account(), make_account(), make_account("ami")
    follow(follower, alice)
    secret = post_status(alice, "@ami en privé", visibility="direct")
    assert secret.pk in _home_ids(friend)
    assert secret.pk not in _home_ids(follower)


def test_boost_of_a_post_already_in_feed_is_not_repeated_and_can_be_hidden():
    alice, bob, reader = make_account(), make_account(), make_account()
    follow(reader, alice)
    follow(reader, bob)
    post = post_status(alice, "original")
    boost = reblog(bob, post)
    assert _home_ids(reader).count(post.pk) == 1
    assert boost.pk not in _home_ids(reader)
    follow(reader, bob, reblogs=False)
    other = post_status(make_account(), "autre")
    assert reblog(bob, other).pk not in _home_ids(reader)


def test_muted_accounts_disappear_from_home_including_boosts():
    alice, bob, reader = make_account(), make_account(), make_account()
    follow(reader, alice)
    follow(reader, bob)
    post = post_status(alice, "bavard")
    boost = reblog(bob, post_status(alice, "encore"))
    mute(reader, alice)
    ids = _home_ids(reader)
    assert post.pk not in ids and boost.pk not in ids


def test_home_pagination_by_id_ranges():
    alice, reader = make_account(), make_account()
    follow(reader, alice)
    posts = [post_status(alice, f"n°{i}") for i in range(5)]
    ids = [p.pk for p in posts]
    assert _home_ids(reader, limit=2) == [ids[4], ids[3]]
    assert _home_ids(reader, limit=2, max_id=ids[3]) == [ids[2], ids[1]]
    assert _home_ids(reader, min_id=ids[1], limit=2) == [ids[3], ids[2]]
    assert _home_ids(reader, since_id=ids[2]) == [ids[4], ids[3]]


def test_feed_is_trimmed_to_its_cap(settings):
    settings.HOME_FEED_MAX = 3
    alice, reader = make_account(), make_account()
    follow(reader, alice)
    for i in range(5):
        post_status(alice, f"n°{i}")
    services.trim_feed(reader.pk)
    assert HomeFeedEntry.objects.filter(owner=reader).count() == 3


def test_silenced_account_leaves_public_timelines_but_not_followers():
    from babillard.moderation.services import silence

    moderator, loud, reader = make_account(moderator=True), make_account(), make_account()
    post = post_status(loud, "pub #annonce")
    silence(moderator, loud)
    assert post.pk not in [s.pk for s in queries.public(None, local=True).items]
    assert post.pk not in [s.pk for s in queries.hashtag(reader, "annonce").items]
    follow(reader, loud)
    assert post.pk in [s.pk for s in queries.public(reader, local=True).items]


def test_lists_only_take_followed_accounts_and_show_their_posts():
    owner, alice, stranger = make_account(), make_account(), make_account()
    follow(owner, alice)
    watch = services.create_list(owner, "Veille")
    services.add_to_list(owner, watch, [alice])
    with pytest.raises(ValidationError):
        services.add_to_list(owner, watch, [stranger])
    post = post_status(alice, "dans la liste")
    post_status(stranger, "hors liste")
    assert [s.pk for s in queries.list_timeline(owner, watch).items] == [post.pk]


def test_bookmarks_and_favourites_timelines():
    from babillard.statuses.services import bookmark, favourite

    alice, reader = make_account(), make_account()
    first, second = post_status(alice, "un"), post_status(alice, "deux")
    bookmark(reader, first)
    favourite(reader, second)
    assert [s.pk for s in queries.bookmarks(reader).items] == [first.pk]
    assert [s.pk for s in queries.favourites(reader).items] == [second.pk]


def test_internal_posts_reach_only_members_home_feeds():
    from babillard.institutions.services import add_member, post_internal

    library = make_account(kind="institution")
    member, outsider = make_account(), make_account()
    add_member(library, library, member, "staff")
    follow(member, library)
    follow(outsider, library)
    note = post_internal(library, "Réunion d'équipe à 14 h", institution_id=library.pk)
    assert note.pk in _home_ids(member)
    assert not HomeFeedEntry.objects.filter(owner=outsider, status=note).exists()


def test_a_list_with_an_unknown_replies_policy_is_refused_and_not_written():
    owner = make_account()
    with pytest.raises(ValidationError):
        services.create_list(owner, "Veille", replies_policy="everything-else")
    assert not List.objects.exists()
    timeline = services.create_list(owner, "Veille", replies_policy="followed")
    with pytest.raises(ValidationError):
        services.update_list(owner, timeline, replies_policy="x" * 40)
    timeline.refresh_from_db()
    assert timeline.replies_policy == "followed"
