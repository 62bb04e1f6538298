"""What local actions send: activities, addressing, one delivery per server, retries."""

import pytest
from django.db import transaction

from babillard.accounts.services import block, follow, unfollow, update_profile
from babillard.core.testing import make_account, run_due_tasks
from babillard.federation import activities, signatures
from babillard.federation.models import Delivery, RemoteServer
from babillard.federation.remote import resolve_actor
from babillard.moderation.models import DomainBlock
from babillard.statuses.services import (
    delete_own_status,
    edit_status,
    favourite,
    post_status,
    reblog,
    unfavourite,
    unreblog,
)

pytestmark = [pytest.mark.django_db, pytest.mark.urls("babillard.federation.tests.urls")]
PUBLIC = activities.PUBLIC


@pytest.fixture
def alice(network):
    return make_account("alice")


@pytest.fixture
def remote_followers(network, alice):
    """Two followers on one server (one shared inbox) and one on another."""
    found = []
    for name, host in (
        ("mona", "mastodon.example"),
        ("max", "mastodon.example"),
        ("gus", "gts.example"),
    ):
        actor = network.actor(name, host=host)
        account = resolve_actor(actor.uri)
        follow(account, alice)
        found.append(account)
    network.sent.clear()
    network.headers.clear()
    Delivery.objects.all().delete()  # the Accepts of these follows
    return found


def _inboxes(network, kind):
    return sorted(url for url, a in network.sent if a["type"] == kind)


def test_public_post_goes_once_to_each_server(network, alice, remote_followers):
    status = post_status(alice, "Bonjour #bibliotheque")
    assert _inboxes(network, "Create") == [
        "https://gts.example/inbox",
        "https://mastodon.example/inbox",
    ]
    create = network.activities("Create")[0]
    note = create["object"]
    assert create["actor"] == alice.uri and note["id"] == status.uri
    assert note["to"] == [PUBLIC] and note["cc"] == [f"{alice.uri}/followers"]
    assert note["tag"] == [
        {
            "type": "Hashtag",
            "href": "http://127.0.0.1:8000/tags/bibliotheque",
            "name": "#bibliotheque",
        }
    ]
    assert note["contentMap"] == {"fr": status.content}
    assert Delivery.objects.filter(state="delivered").count() == 2


def test_deliveries_are_signed_by_the_author(network, alice, remote_followers):
    post_status(alice, "signé")
    headers = network.headers[0]
    parsed = signatures.check_request("POST", "/inbox", headers, network_body(network))
    assert parsed.key_id == f"{alice.uri}#main-key"
    alice.refresh_from_db()
    assert signatures.verify(parsed, "POST", "/inbox", headers, alice.public_key)


def network_body(network):
    import json

    return json.dumps(network.sent[0][1]).encode()


@pytest.mark.parametrize(
    ("visibility", "to", "cc"),
    [
        ("public", [PUBLIC], ["FOLLOWERS", "MONA"]),
        ("unlisted", ["FOLLOWERS"], [PUBLIC, "MONA"]),
        ("private", ["FOLLOWERS"], ["MONA"]),
        ("direct", ["MONA"], []),
    ],
)
def test_addressing_follows_mastodon(network, alice, remote_followers, visibility, to, cc):
    mona = remote_followers[0]
    status = post_status(alice, f"@mona@mastodon.example {visibility}", visibility=visibility)
    note = activities.note_to_activity(status)
    names = {"FOLLOWERS": f"{alice.uri}/followers", "MONA": mona.uri}
    assert note["to"] == [names.get(x, x) for x in to]
    assert note["cc"] == [names.get(x, x) for x in cc]
    assert note["tag"][0] == {"type": "Mention", "href": mona.uri, "name": "@mona@mastodon.example"}


def test_direct_message_goes_to_the_mentioned_only(network, alice, remote_followers):
    post_status(alice, "@gus@gts.example entre nous", visibility="direct")
    assert _inboxes(network, "Create") == ["https://gts.example/inbox"]


def test_local_only_is_never_delivered(network, alice, remote_followers):
    status = post_status(alice, "ici seulement", local_only=True)
    edit_status(alice, status, "toujours ici")
    delete_own_status(alice, status)
    assert network.sent == []
    assert not Delivery.objects.exists()


def test_edit_and_delete(network, alice, remote_followers):
    status = post_status(alice, "premier jet")
    edit_status(alice, status, "version finale")
    update = network.activities("Update")[0]
    assert update["object"]["content"] == "<p>version finale</p>" and "updated" in update["object"]
    uri = status.uri
    delete_own_status(alice, status)
    delete = network.activities("Delete")[0]
    assert delete["object"] == {"id": uri, "type": "Tombstone", "atomUri": uri}


def test_boost_like_and_their_undo(network, alice, remote_followers):
    from babillard.statuses.services import receive_remote_status

    mona = remote_followers[0]
    remote_post = receive_remote_status(
        mona,
        uri="https://mastodon.example/users/mona/statuses/1",
        url="",
        content="<p>hi</p>",
        visibility="public",
    )
    boost = reblog(alice, remote_post)
    announce = network.activities("Announce")[0]
    assert announce["object"] == remote_post.uri and announce["id"] == boost.uri
    assert announce["cc"] == [mona.uri, f"{alice.uri}/followers"]
    favourite(alice, remote_post)
    assert _inboxes(network, "Like") == ["https://mastodon.example/inbox"]
    unfavourite(alice, remote_post)
    unreblog(alice, remote_post)
    undone = sorted((url, a["object"]["type"]) for url, a in network.sent if a["type"] == "Undo")
    assert undone == [
        ("https://gts.example/inbox", "Announce"),
        ("https://mastodon.example/inbox", "Announce"),
        ("https://mastodon.example/inbox", "Like"),
    ]


def test_follow_unfollow_block_and_profile_update(network, alice):
    bob_actor = network.actor("bob", host="remote.example")
    bob = resolve_actor(bob_actor.uri)
    follow(alice, bob)
    sent = network.activities("Follow")[0]
    assert sent["actor"] == alice.uri and sent["object"] == bob.uri
    unfollow(alice, bob)
    assert network.activities("Undo")[0]["object"]["id"] == sent["id"]
    block(alice, bob)
    assert network.activities("Block")[0]["object"] == bob.uri
    update_profile(alice, display_name="Alice B.")
    # bob is blocked and does not follow: nobody to tell about the profile.
    assert network.activities("Update") == []


def test_profile_update_reaches_followers(network, alice, remote_followers):
    update_profile(alice, display_name="Alice B.")
    update = network.activities("Update")[0]
    assert update["object"]["type"] == "Person" and update["object"]["name"] == "Alice B."


def test_suspended_domain_gets_nothing(network, alice, remote_followers):
    DomainBlock.objects.create(domain="gts.example", severity="suspend")
    post_status(alice, "pas pour eux")
    assert _inboxes(network, "Create") == ["https://mastodon.example/inbox"]


def test_rolled_back_write_sends_nothing(network, alice, remote_followers):
    with pytest.raises(RuntimeError), transaction.atomic():
        post_status(alice, "annulé")
        raise RuntimeError
    assert not Delivery.objects.exists() and network.sent == []


def test_failed_delivery_is_retried_with_backoff_then_given_up(
    network, alice, remote_followers, settings
):
    from babillard.core.testing import ImmediateBackendWithDeferral

    settings.FEDERATION_RETRY_SECONDS = 0
    settings.FEDERATION_MAX_ATTEMPTS = 3
    network.fail_inboxes.add("https://gts.example/inbox")
    post_status(alice, "réessayer")
    failing = Delivery.objects.get(domain="gts.example")
    assert failing.state == "retrying" and failing.attempts == 1 and "refused" in failing.last_error
    assert len(ImmediateBackendWithDeferral.deferred) == 1
    run_due_tasks()
    run_due_tasks()
    failing.refresh_from_db()
    assert failing.state == "abandoned" and failing.attempts == 3
    assert RemoteServer.objects.get(domain="gts.example").is_unavailable
    # While it is unavailable, new deliveries wait instead of being tried.
    post_status(alice, "plus tard")
    waiting = Delivery.objects.filter(domain="gts.example", state="pending").get()
    assert waiting.attempts == 0
    assert ImmediateBackendWithDeferral.deferred[-1].task.run_after == waiting.next_attempt_at
    # When the server speaks again, what waited is sent.
    network.fail_inboxes.clear()
    from babillard.federation.tasks import resume_deliveries

    resume_deliveries("gts.example")
    waiting.refresh_from_db()
    assert waiting.state == "delivered"


def test_retry_delays_grow_to_about_a_day():
    from babillard.federation.tasks import retry_delay

    delays = [retry_delay(n).total_seconds() for n in range(1, 8)]
    assert delays[:3] == [60, 180, 540]
    assert 15 * 3600 < sum(delays) < 30 * 3600


def test_moving_away_tells_remote_followers(network, alice, remote_followers):
    from babillard.accounts.services import move_account

    target_actor = network.actor("alice", host="new.example", alsoKnownAs=[alice.uri])
    target = resolve_actor(target_actor.uri)
    move_account(alice, target)
    moves = network.activities("Move")
    assert len(moves) == 2
    assert moves[0]["object"] == alice.uri and moves[0]["target"] == target.uri


def test_vote_in_a_remote_poll_goes_to_its_author(network, alice, remote_followers):
    from babillard.statuses.services import receive_remote_status, vote

    mona = remote_followers[0]
    question = receive_remote_status(
        mona,
        uri="https://mastodon.example/users/mona/statuses/7",
        url="",
        content="<p>?</p>",
        visibility="public",
        poll={"options": ["oui", "non"], "votes_counts": [0, 0]},
    )
    vote(alice, question.poll, [1])
    sent = network.activities("Create")
    assert [url for url, a in network.sent if a["type"] == "Create"] == [
        "https://mastodon.example/inbox"
    ]
    assert sent[0]["object"]["name"] == "non" and sent[0]["object"]["inReplyTo"] == question.uri


def test_deleted_account_says_goodbye_once_per_server(network, alice, remote_followers):
    from babillard.accounts.services import delete_user

    post_status(alice, "un dernier mot")
    network.sent.clear()
    network.headers.clear()
    alice_uri, public_key = alice.uri, alice.public_key
    delete_user(alice.user)
    deletes = [(url, a) for url, a in network.sent if a["type"] == "Delete"]
    assert sorted(url for url, _a in deletes) == [
        "https://gts.example/inbox",
        "https://mastodon.example/inbox",
    ]
    assert all(a["object"] == alice_uri for _url, a in deletes)
    parsed = signatures.check_request("POST", "/inbox", network.headers[0], network_body(network))
    assert signatures.verify(parsed, "POST", "/inbox", network.headers[0], public_key)
    assert not Delivery.objects.exclude(signing_key="").exists()
    assert not Delivery.objects.filter(
        activity_type="Delete", payload__object__type="Tombstone"
    ).exists()


def test_a_deleted_account_says_goodbye_to_servers_it_only_talked_to(network, alice):
    from babillard.accounts.services import delete_user
    from babillard.statuses.services import receive_remote_status

    authors = {}
    for name, host in (("ada", "bookwyrm.example"), ("ben", "misskey.example")):
        authors[name] = resolve_actor(network.actor(name, host=host).uri)
    liked = receive_remote_status(
        authors["ada"],
        uri="https://bookwyrm.example/user/ada/status/1",
        url="",
        content="<p>Une critique</p>",
        visibility="public",
    )
    favourite(alice, liked)
    answered = receive_remote_status(
        authors["ben"],
        uri="https://misskey.example/notes/1",
        url="",
        content="<p>Une question</p>",
        visibility="public",
    )
    post_status(alice, "Une réponse", in_reply_to=answered)
    network.sent.clear()
    delete_user(alice.user)
    assert sorted(url for url, a in network.sent if a["type"] == "Delete") == [
        "https://bookwyrm.example/inbox",
        "https://misskey.example/inbox",
    ]
