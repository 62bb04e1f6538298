"""A local-only post never leaves the instance.

Every outgoing request is captured by the fake network: whatever is done with a
local-only post (replies, quotes, boosts, favourites, reactions, pins, votes, edits,
deletion, mentions of remote accounts), nothing is delivered, and no document
served to another server (the object, its activity, the outbox, the featured
collection) shows it, to a signed remote follower or to anyone.
"""

import json

import pytest

from babillard.accounts.services import follow
from babillard.core.errors import NotFound
from babillard.core.testing import make_account
from babillard.federation.models import Delivery
from babillard.federation.remote import resolve_actor
from babillard.federation.tests.conftest import signed_get
from babillard.reactions.services import react
from babillard.statuses.services import (
    PollSpec,
    delete_own_status,
    edit_status,
    favourite,
    pin,
    post_status,
    reblog,
    vote,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("babillard.federation.tests.urls")]


@pytest.fixture
def world(network):
    alice, bruno = make_account("alice"), make_account("bruno")
    follow(bruno, alice)
    remote = []
    for name, host in (("mona", "mastodon.example"), ("gus", "gts.example")):
        actor = network.actor(name, host=host)
        account = resolve_actor(actor.uri)
        follow(account, alice)
        follow(account, bruno)
        remote.append((actor, account))
    network.sent.clear()
    Delivery.objects.all().delete()  # the Accepts of these follows
    return alice, bruno, remote


def _served(client, actor, status) -> list[int]:
    """Status codes of the post's own documents, and whether collections name it."""
    username = status.account.username
    found = [
        signed_get(client, f"/users/{username}/statuses/{status.pk}", actor).status_code,
        signed_get(client, f"/users/{username}/statuses/{status.pk}/activity", actor).status_code,
    ]
    for path in (
        f"/users/{username}/outbox?page=true",
        f"/users/{username}/collections/featured",
    ):
        answer = signed_get(client, path, actor)
        assert answer.status_code == 200
        assert str(status.pk) not in answer.content.decode(), path
    return found


def test_nothing_about_a_local_only_post_ever_leaves(client, network, world):
    alice, bruno, remote = world
    (mona_actor, mona), _gus = remote
    public = post_status(alice, "@mona@mastodon.example ici seulement", local_only=True)
    followers = post_status(alice, "Entre abonnés d'ici", visibility="private", local_only=True)
    poll = post_status(
        alice,
        "Quel jour ?",
        local_only=True,
        poll=PollSpec(options=["lundi", "mardi"], expires_in=86400),
    )
    reply = post_status(bruno, "Bien reçu", in_reply_to=public)
    assert reply.local_only
    quote = post_status(bruno, "Je cite", quoted_status=public)
    assert quote.local_only
    boost = reblog(bruno, public)
    assert boost.local_only
    favourite(bruno, public)
    react(bruno, public, "📚")
    react(bruno, followers, "👍")
    vote(bruno, poll.poll, [0])
    pin(alice, public)
    edit_status(alice, public, "ici seulement, corrigé")
    for status in (public, followers, reply, quote):
        assert _served(client, mona_actor, status) == [404, 404]
    # The remote account cannot react to it either.
    with pytest.raises(NotFound):
        react(mona, public, "👍")
    delete_own_status(alice, followers)
    delete_own_status(bruno, reply)
    assert network.sent == [] and not Delivery.objects.exists()
    # The same actions on an ordinary post do reach the other servers.
    shared = post_status(alice, "Pour tout le monde")
    post_status(bruno, "Réponse publique", in_reply_to=shared)
    inboxes = {url for url, activity in network.sent if activity["type"] == "Create"}
    assert inboxes == {"https://mastodon.example/inbox", "https://gts.example/inbox"}
    assert all(str(public.pk) not in json.dumps(a) for _url, a in network.sent)
