"""Reports forwarded as ``Flag``, poll counts as ``Update``s, remote multiple-choice votes,
aliases and moves into this server, and keys published as PKCS#1."""

import json
from datetime import timedelta
from unittest import mock

import pytest
from cryptography.hazmat.primitives import serialization
from django.utils import timezone

from babillard.accounts.models import Account, Follow
from babillard.core.testing import make_account, run_due_tasks
from babillard.federation import activities
from babillard.federation.client import instance_actor_uri
from babillard.federation.models import Delivery, InboxActivity
from babillard.federation.outbox import POLL_UPDATE_DELAY
from babillard.federation.remote import resolve_actor, store_note
from babillard.federation.services import add_alias, remove_alias
from babillard.moderation.models import Report
from babillard.moderation.services import report
from babillard.statuses.models import Status
from babillard.statuses.services import PollSpec, post_status, vote

from .conftest import load_fixture, signed_post

pytestmark = [pytest.mark.django_db, pytest.mark.urls("babillard.federation.tests.urls")]


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(network):
    return make_account("alice")


@pytest.fixture
def mona(network):
    return network.actor("mona", host="mastodon.example")


def _local(fixture, status):
    return json.loads(json.dumps(fixture).replace("LOCAL_STATUS", status.uri))


# --- Flag -----------------------------------------------------------------------


def test_forwarded_report_is_a_flag_from_the_instance_actor(alice, mona, network):
    remote = resolve_actor(mona.uri)
    note = load_fixture("mastodon_create_note.json")["object"]
    Follow.objects.get_or_create(account=alice, target=remote)
    status = store_note(note)
    assert status is not None
    report(alice, remote, statuses=[status], comment="Copies illégales", forward=True)
    flags = network.activities("Flag")
    assert len(flags) == 1
    flag = flags[0]
    assert flag["actor"] == instance_actor_uri()
    assert flag["object"] == [mona.uri, status.uri]
    assert flag["content"] == "Copies illégales"
    assert alice.uri not in json.dumps(flag)
    assert Delivery.objects.get(activity_type="Flag").state == "delivered"
    # Signed by the instance actor's key.
    assert network.headers[-1]["Signature"].startswith(f'keyId="{instance_actor_uri()}#main-key"')


def test_report_not_forwarded_sends_nothing(alice, mona, network):
    remote = resolve_actor(mona.uri)
    report(alice, remote, comment="Entre nous")
    assert network.activities("Flag") == []


@pytest.mark.parametrize(
    ("fixture", "host", "actor_path", "kind"),
    [
        ("mastodon_flag.json", "mastodon.example", "/actor", "Application"),
        ("gotosocial_flag.json", "gts.example", "/users/gts.example", "Application"),
        ("misskey_flag.json", "misskey.example", "/users/9a0b1c2d3e", "Service"),
    ],
)
def test_incoming_flag_creates_a_report(client, alice, network, fixture, host, actor_path, kind):
    moderator = make_account("modo", moderator=True)
    reporter = network.actor(
        actor_path.rsplit("/", 1)[-1] or host,
        host=host,
        kind=kind,
        uri=f"https://{host}{actor_path}",
    )
    post = post_status(alice, "Un message signalé")
    activity = _local(load_fixture(fixture), post)
    assert signed_post(client, "/inbox", activity, reporter).status_code == 202
    received = Report.objects.get()
    assert received.target == alice and received.reporter.uri == reporter.uri
    assert list(received.statuses.all()) == [post]
    assert received.comment == activity["content"] and received.uri == activity["id"]
    assert moderator.notifications.filter(type="admin.report").exists()
    # A replay (another delivery of the same report) changes nothing.
    InboxActivity.objects.all().delete()
    signed_post(client, "/inbox", activity, reporter)
    assert Report.objects.count() == 1


def test_flag_about_a_remote_post_only_is_ignored(client, alice, mona):
    activity = {
        "id": "https://mastodon.example/flags/2",
        "type": "Flag",
        "actor": mona.uri,
        "content": "?",
        "object": ["https://mastodon.example/users/mona/statuses/1"],
    }
    signed_post(client, "/inbox", activity, mona)
    assert not Report.objects.exists()
    assert InboxActivity.objects.get().state == "ignored"


# --- Polls ----------------------------------------------------------------------


def _follower(client, alice, actor):
    follow = {
        "id": f"{actor.uri}/follows/1",
        "type": "Follow",
        "actor": actor.uri,
        "object": alice.uri,
    }
    signed_post(client, "/users/alice/inbox", follow, actor)


def test_votes_send_one_update_of_the_question(client, alice, mona, network):
    _follower(client, alice, mona)
    question = post_status(alice, "Quel horaire ?", poll=PollSpec(["matin", "soir"], 3600))
    for name in ("bob", "carol"):
        vote(make_account(name), question.poll, [1])
    assert network.activities("Update") == []
    run_due_tasks_later()
    updates = network.activities("Update")
    assert len(updates) == 1
    sent = updates[0]["object"]
    assert sent["type"] == "Question" and sent["votersCount"] == 2
    assert [o["replies"]["totalItems"] for o in sent["oneOf"]] == [0, 2]
    # A later vote sends a new Update, with a new id.
    vote(make_account("dave"), question.poll, [0])
    run_due_tasks_later()
    later = network.activities("Update")
    assert len(later) == 2 and later[1]["id"] != later[0]["id"]
    assert later[1]["object"]["votersCount"] == 3


def run_due_tasks_later():
    """Run the tasks due once the poll-update delay has passed."""
    moment = timezone.now() + timedelta(seconds=POLL_UPDATE_DELAY + 1)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        run_due_tasks()


def test_remote_multiple_choice_votes_count_every_choice(client, alice, network):
    voter = network.actor("9x8y7z6w5v", host="misskey.example")
    question = post_status(
        alice, "Quels services ?", poll=PollSpec(["prêt", "wifi", "café"], 3600, multiple=True)
    )
    votes = json.loads(
        json.dumps(load_fixture("misskey_votes.json"))
        .replace("LOCAL_STATUS", question.uri)
        .replace("FIRST_CHOICE", "prêt")
        .replace("SECOND_CHOICE", "café")
    )
    for activity in votes:
        assert signed_post(client, "/inbox", activity, voter).status_code == 202
    poll = question.poll
    poll.refresh_from_db()
    assert poll.votes_counts == [1, 0, 1] and poll.voters_count == 1
    signed_post(client, "/inbox", {**votes[1], "id": votes[1]["id"] + "-again"}, voter)
    poll.refresh_from_db()
    assert poll.votes_counts == [1, 0, 1]


def test_update_of_a_remote_question_refreshes_counts_without_an_edit(client, alice, mona):
    remote = resolve_actor(mona.uri)
    Follow.objects.get_or_create(account=alice, target=remote)
    signed_post(client, "/inbox", load_fixture("mastodon_question.json"), mona)
    signed_post(client, "/inbox", load_fixture("mastodon_question_update.json"), mona)
    status = Status.objects.get(
        uri="https://mastodon.example/users/mona/statuses/110000000000000005"
    )
    assert status.poll.votes_counts == [5, 2] and status.poll.voters_count == 7
    assert status.edited_at is None and not status.edits.exists()


# --- Aliases and moves here -------------------------------------------------------


def test_alias_appears_in_the_actor_and_a_move_here_is_accepted(client, alice, mona, network):
    bob = make_account("bob")
    remote = resolve_actor(mona.uri)
    Follow.objects.get_or_create(account=bob, target=remote)
    alias = add_alias(alice, "mona@mastodon.example")
    assert alias.uri == mona.uri
    assert activities.actor_to_activity(alice)["alsoKnownAs"] == [mona.uri]
    assert network.activities("Update") == []  # alice has no remote follower to tell
    move = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{mona.uri}#moves/1",
        "type": "Move",
        "actor": mona.uri,
        "object": mona.uri,
        "target": alice.uri,
    }
    signed_post(client, "/inbox", move, mona)
    remote.refresh_from_db()
    assert remote.moved_to == alice
    assert Follow.objects.filter(account=bob, target=alice).exists()
    assert not Follow.objects.filter(account=bob, target=remote).exists()


def test_move_here_without_alias_is_refused(client, alice, mona):
    bob = make_account("bob")
    remote = resolve_actor(mona.uri)
    Follow.objects.get_or_create(account=bob, target=remote)
    alias = add_alias(alice, mona.uri)
    remove_alias(alice, alias.pk)
    move = {
        "id": f"{mona.uri}#moves/2",
        "type": "Move",
        "actor": mona.uri,
        "object": mona.uri,
        "target": alice.uri,
    }
    signed_post(client, "/inbox", move, mona)
    remote.refresh_from_db()
    assert remote.moved_to is None
    assert InboxActivity.objects.get(activity_type="Move").state == "failed"


def test_alias_of_an_unknown_account_is_refused(alice, network):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        add_alias(alice, "nobody@nowhere.example")
    with pytest.raises(ValidationError):
        add_alias(alice, "alice")


# --- Keys ------------------------------------------------------------------------


def test_actor_key_published_as_pkcs1_verifies(client, alice, network):
    """Mobilizon publishes ``-----BEGIN RSA PUBLIC KEY-----`` (PKCS#1), not SPKI."""
    actor = network.actor("events", host="mobilizon.example", kind="Group")
    private = serialization.load_pem_private_key(actor.private_key.encode(), password=None)
    pkcs1 = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.PKCS1)
        .decode()
    )
    assert pkcs1.startswith("-----BEGIN RSA PUBLIC KEY-----")
    actor.document["publicKey"]["publicKeyPem"] = pkcs1
    follow = {
        "id": "https://mobilizon.example/follow/1",
        "type": "Follow",
        "actor": actor.uri,
        "object": alice.uri,
    }
    assert signed_post(client, "/users/alice/inbox", follow, actor).status_code == 202
    remote = Account.objects.get(uri=actor.uri)
    assert remote.public_key == pkcs1
    assert Follow.objects.filter(account=remote, target=alice).exists()
