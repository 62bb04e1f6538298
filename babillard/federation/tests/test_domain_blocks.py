"""Per-person domain blocks and the "reject media" server block, as they cross the inbox
and the outbox: Mastodon's semantics (hidden posts and notifications, followers from the
server removed, follows from it refused, nothing delivered there)."""

import pytest

from babillard.accounts.models import Account, Follow
from babillard.accounts.queries import relationship
from babillard.accounts.services import follow
from babillard.core.testing import make_account
from babillard.federation.models import Delivery
from babillard.federation.remote import resolve_actor
from babillard.moderation.services import block_domain, hide_domain, unhide_domain
from babillard.notifications.queries import notifications_for
from babillard.search.queries import search_statuses
from babillard.statuses.models import Status
from babillard.statuses.services import post_status
from babillard.timelines import queries as timelines
from babillard.timelines.models import HomeFeedEntry

from .conftest import load_fixture, signed_post

pytestmark = [pytest.mark.django_db, pytest.mark.urls("babillard.federation.tests.urls")]

NOTE = "https://mastodon.example/users/mona/statuses/110000000000000001"


@pytest.fixture
def alice(network):
    return make_account("alice")


@pytest.fixture
def mona(network):
    return network.actor("mona", host="mastodon.example")


def test_hiding_a_server_removes_its_followers_and_refuses_new_ones(client, alice, mona, network):
    signed_post(client, "/users/alice/inbox", load_fixture("mastodon_follow.json"), mona)
    remote = Account.objects.get(uri=mona.uri)
    assert Follow.objects.filter(account=remote, target=alice).exists()
    hide_domain(alice, "https://Mastodon.example/@mona")
    assert not Follow.objects.filter(account=remote, target=alice).exists()
    rejects = network.activities("Reject")
    assert rejects and rejects[-1]["object"]["actor"] == mona.uri
    assert relationship(alice, remote).domain_blocking
    again = {**load_fixture("mastodon_follow.json"), "id": "https://mastodon.example/follows/2"}
    signed_post(client, "/users/alice/inbox", again, mona)
    assert not Follow.objects.filter(account=remote, target=alice).exists()
    assert network.activities("Reject")[-1]["object"]["id"] == again["id"]


def test_nothing_is_delivered_to_a_hidden_server(client, alice, mona, network):
    signed_post(client, "/users/alice/inbox", load_fixture("mastodon_follow.json"), mona)
    other = network.actor("sam", host="other.example")
    follow_activity = {
        "id": "https://other.example/follows/1",
        "type": "Follow",
        "actor": other.uri,
        "object": alice.uri,
    }
    signed_post(client, "/users/alice/inbox", follow_activity, other)
    hide_domain(alice, "mastodon.example")
    network.sent.clear()
    post = post_status(alice, "Bonjour @mona@mastodon.example", visibility="public")
    inboxes = set(
        Delivery.objects.filter(activity_id=f"{post.uri}/activity").values_list("domain", flat=True)
    )
    assert inboxes == {"other.example"}


def test_posts_and_notifications_of_a_hidden_server_disappear(client, alice, mona):
    bob = make_account("bob")
    signed_post(client, "/inbox", load_fixture("mastodon_create_note.json"), mona)
    status = Status.objects.get(uri=NOTE)
    assert notifications_for(alice).filter(status=status).exists()
    follow(bob, status.account)
    hide_domain(alice, "mastodon.example")
    assert not notifications_for(alice).filter(status=status).exists()
    assert status not in timelines.public(alice).items
    assert status in timelines.public(bob).items
    assert status not in search_statuses(alice, "numérisé")
    # A follow kept or made after the block still shows the account (as on Mastodon).
    follow(alice, status.account)
    Follow.objects.get_or_create(account=alice, target=status.account)
    assert status in timelines.public(alice).items
    unhide_domain(alice, "mastodon.example")
    assert notifications_for(alice).filter(status=status).exists()


def test_fan_out_skips_readers_hiding_the_server(client, alice, mona):
    remote = resolve_actor(mona.uri)
    bob = make_account("bob")
    for reader in (alice, bob):
        Follow.objects.get_or_create(account=reader, target=remote)
    carol = make_account("carol")
    hide_domain(carol, "mastodon.example")
    hide_domain(bob, "mastodon.example")
    signed_post(client, "/inbox", load_fixture("mastodon_create_note.json"), mona)
    status = Status.objects.get(uri=NOTE)
    # Bob follows mona: his follow wins over his domain block.
    assert set(
        HomeFeedEntry.objects.filter(status=status).values_list("owner__username", flat=True)
    ) == {"alice", "bob"}
    # A local boost of the post does not bring it to Carol, who hides its server.
    from babillard.statuses.services import reblog

    dave = make_account("dave")
    follow(carol, dave)
    reblog(dave, status)
    assert not HomeFeedEntry.objects.filter(owner=carol).exists()


def test_media_of_a_server_whose_media_are_refused_become_links(client, alice, mona):
    moderator = make_account("modo", moderator=True)
    block_domain(moderator, "mastodon.example", severity="noop", reject_media=True)
    mona.document["icon"] = {"type": "Image", "url": "https://files.mastodon.example/a.png"}
    assert resolve_actor(mona.uri).avatar_remote_url == ""
    signed_post(client, "/inbox", load_fixture("mastodon_create_note.json"), mona)
    status = Status.objects.get(uri=NOTE)
    assert not status.media.exists()
    assert 'href="https://files.mastodon.example/media/original/scan.jpg"' in status.content
    assert "Page de titre d'un incunable" in status.content


def test_a_noop_block_without_media_refusal_is_refused(alice):
    from django.core.exceptions import ValidationError

    moderator = make_account("modo", moderator=True)
    with pytest.raises(ValidationError):
        block_domain(moderator, "mastodon.example", severity="noop")
    with pytest.raises(ValidationError):
        block_domain(moderator, "not a domain")
