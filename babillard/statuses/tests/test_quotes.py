"""Quotes with consent and who may reply: the rules of ``statuses.services``."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from babillard.accounts.services import follow
from babillard.core.errors import Forbidden
from babillard.core.testing import make_account
from babillard.notifications.models import Notification
from babillard.statuses import services
from babillard.statuses.models import Quote, Status
from babillard.statuses.queries import quote_approval, quotes_for_review, quotes_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The messages checked here are the English ones (French is the default)."""
    with translation.override("en"):
        yield


def test_a_quote_of_a_local_post_the_policy_allows_is_approved_and_notified():
    alice, bob = make_account("alice"), make_account("bob")
    original = services.post_status(alice, "C'est moi ou CAIRN est en panne ?")
    quote = services.post_status(bob, "Pareil à Lyon.", quoted_status=original)
    row = Quote.objects.get(status=quote)
    assert row.state == "accepted" and row.quoted_status == original
    assert row.approval_uri.endswith(f"/users/alice/quote_authorizations/{row.pk}")
    assert Status.objects.get(pk=original.pk).quotes_count == 1
    assert Notification.objects.filter(recipient=alice, type="quote", status=quote).exists()
    # The RE: link for servers that do not show quotes, hidden where quotes are shown.
    assert quote.content.startswith('<p class="quote-inline">RE: <a href=')
    assert list(quotes_of(None, original)) == [quote]


def test_followers_policy_lets_only_followers_quote():
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    original = services.post_status(alice, "Entre nous", quote_policy="followers")
    follow(bob, alice)
    assert quote_approval(bob, original) == "automatic"
    assert quote_approval(carol, original) == "denied"
    services.post_status(bob, "Oui", quoted_status=original)
    with pytest.raises(ValidationError) as refused:
        services.post_status(carol, "Moi aussi", quoted_status=original)
    assert "does not allow you to quote" in str(refused.value)
    assert Quote.objects.count() == 1 and Status.objects.count() == 2


def test_only_me_and_private_posts_are_quotable_by_their_author_only():
    alice, bob = make_account("alice"), make_account("bob")
    mine = services.post_status(alice, "À moi", quote_policy="nobody")
    follow(bob, alice)
    private = services.post_status(alice, "Abonnés", visibility="private", quote_policy="public")
    assert private.quote_policy == "nobody"
    for post in (mine, private):
        with pytest.raises(ValidationError):
            services.post_status(bob, "x", quoted_status=post)
    own = services.post_status(alice, "Je me cite", quoted_status=private)
    assert own.visibility == "private"  # a quote of a followers-only post stays among followers
    assert Quote.objects.get(status=own).state == "accepted"
    direct = services.post_status(alice, "@bob secret", visibility="direct")
    with pytest.raises(ValidationError):
        services.post_status(alice, "x", quoted_status=direct)


def test_revoking_makes_the_quote_unavailable_and_only_the_quoted_author_may():
    alice, bob = make_account("alice"), make_account("bob")
    original = services.post_status(alice, "Texte")
    quote = services.post_status(bob, "Citation", quoted_status=original)
    assert [q.status for q in quotes_for_review(alice)] == [quote]
    with pytest.raises(Forbidden):
        services.revoke_quote(bob, original, quote)
    services.revoke_quote(alice, original, quote)
    assert Quote.objects.get(status=quote).state == "revoked"
    assert Status.objects.get(pk=original.pk).quotes_count == 0
    assert list(quotes_of(alice, original)) == []


def test_editing_a_quoted_post_tells_the_quoters():
    alice, bob = make_account("alice"), make_account("bob")
    original = services.post_status(alice, "Première version")
    quote = services.post_status(bob, "Citation", quoted_status=original)
    services.edit_status(alice, original, "Deuxième version")
    assert Notification.objects.filter(recipient=bob, type="quoted_update", status=quote).exists()


def test_deleting_the_quoting_post_uncounts_it():
    alice, bob = make_account("alice"), make_account("bob")
    original = services.post_status(alice, "Texte")
    quote = services.post_status(bob, "Citation", quoted_status=original)
    services.delete_status(quote)
    assert Status.objects.get(pk=original.pk).quotes_count == 0


def test_a_reply_the_policy_refuses_is_refused_with_a_clear_message():
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    mentioned = services.post_status(alice, "Question pour @bob", reply_policy="mentioned")
    services.post_status(bob, "Réponse", in_reply_to=mentioned)
    with pytest.raises(ValidationError) as refused:
        services.post_status(carol, "Moi aussi", in_reply_to=mentioned)
    assert "Only the people mentioned in this post may reply" in str(refused.value)
    following = services.post_status(alice, "Collègues", reply_policy="following")
    with pytest.raises(ValidationError) as refused:
        services.post_status(carol, "Et moi ?", in_reply_to=following)
    assert "Only the people @alice follows may reply" in str(refused.value)
    follow(alice, carol)
    services.post_status(carol, "Maintenant oui", in_reply_to=following)
    services.post_status(alice, "L'autrice répond toujours", in_reply_to=mentioned)
    assert Status.objects.get(pk=mentioned.pk).replies_count == 2


def test_policies_change_later_and_unknown_values_are_refused():
    alice = make_account("alice")
    post = services.post_status(alice, "Texte")
    services.set_interaction_policy(alice, post, quote_policy="nobody", reply_policy="following")
    post.refresh_from_db()
    assert (post.quote_policy, post.reply_policy) == ("nobody", "following")
    with pytest.raises(ValidationError):
        services.post_status(alice, "x", quote_policy="everyone")
    with pytest.raises(ValidationError):
        services.post_status(alice, "x", reply_policy="nobody-at-all")


def test_a_quote_reaches_no_wider_audience_than_the_quoted_post():
    alice, bob = make_account("alice"), make_account("bob")
    local = services.post_status(alice, "Entre nous", local_only=True)
    assert services.post_status(bob, "Cité", quoted_status=local).local_only
    public = services.post_status(alice, "Public")
    with pytest.raises(ValidationError) as refused:
        services.post_status(bob, "En privé", visibility="direct", quoted_status=public)
    assert "Mention the author of the post you quote" in str(refused.value)
    direct = services.post_status(bob, "@alice en privé", visibility="direct", quoted_status=public)
    assert Quote.objects.get(status=direct).state == "accepted"
