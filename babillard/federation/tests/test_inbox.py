"""Incoming activities shaped as Mastodon, GoToSocial, Misskey and BookWyrm send them,
and forged or malformed variants of each, which must be refused with nothing stored."""

import json
from email.utils import formatdate

import pytest

from babillard.accounts.models import Account, Follow, FollowRequest
from babillard.accounts.services import follow
from babillard.core.testing import make_account
from babillard.federation.models import InboxActivity
from babillard.moderation.models import DomainBlock
from babillard.notifications.models import Notification
from babillard.search.models import StatusDocument
from babillard.statuses.models import Favourite, Status
from babillard.statuses.services import post_status
from babillard.timelines.models import HomeFeedEntry

from .conftest import deep, load_fixture, signed_post

pytestmark = [pytest.mark.django_db, pytest.mark.urls("babillard.federation.tests.urls")]

MONA = "https://mastodon.example/users/mona"
NOTE = "https://mastodon.example/users/mona/statuses/110000000000000001"


@pytest.fixture
def alice(network):
    return make_account("alice")


@pytest.fixture
def mona(network):
    return network.actor("mona", host="mastodon.example")


def _follower_of(remote_actor, local):
    from babillard.federation.remote import resolve_actor

    account = resolve_actor(remote_actor.uri)
    follow(local, account)
    FollowRequest.objects.filter(account=local, target=account).delete()
    Follow.objects.get_or_create(account=local, target=account)
    return account


def _with_local_status(activity, status):
    return json.loads(json.dumps(activity).replace("LOCAL_STATUS", status.uri))


# --- Mastodon -----------------------------------------------------------------


def test_mastodon_follow_then_undo(client, alice, mona, network):
    answer = signed_post(client, "/users/alice/inbox", load_fixture("mastodon_follow.json"), mona)
    assert answer.status_code == 202
    remote = Account.objects.get(uri=MONA)
    assert Follow.objects.filter(account=remote, target=alice).exists()
    accept = network.activities("Accept")
    assert (
        len(accept) == 1 and accept[0]["object"]["id"] == load_fixture("mastodon_follow.json")["id"]
    )
    assert accept[0]["actor"] == alice.uri
    # The same activity twice changes nothing.
    again = signed_post(client, "/users/alice/inbox", load_fixture("mastodon_follow.json"), mona)
    assert again.status_code == 202
    assert Follow.objects.filter(account=remote, target=alice).count() == 1
    assert len(network.activities("Accept")) == 1
    signed_post(client, "/inbox", load_fixture("mastodon_undo_follow.json"), mona)
    assert not Follow.objects.filter(account=remote, target=alice).exists()


def test_mastodon_follow_of_a_locked_account_waits(client, alice, mona, network):
    from babillard.accounts.services import accept_follow_request, update_profile

    update_profile(alice, locked=True)
    signed_post(client, "/inbox", load_fixture("mastodon_follow.json"), mona)
    remote = Account.objects.get(uri=MONA)
    assert FollowRequest.objects.filter(account=remote, target=alice).exists()
    assert network.activities("Accept") == []
    accept_follow_request(alice, remote)
    assert network.activities("Accept")[0]["object"]["id"].endswith("1a2b3c4d5e6f")


def test_mastodon_create_note(client, alice, mona):
    answer = signed_post(client, "/inbox", load_fixture("mastodon_create_note.json"), mona)
    assert answer.status_code == 202
    status = Status.objects.get(uri=NOTE)
    assert not status.local and status.visibility == "public"
    assert "<script>" not in status.content and "numérisé" in status.content
    assert status.language == "fr"
    assert list(status.mentions.values_list("account__username", flat=True)) == ["alice"]
    assert [t.name for t in status.tags.all()] == ["patrimoine"]
    media = status.media.get()
    assert media.description == "Page de titre d'un incunable"
    assert media.blurhash.startswith("UBL_")
    assert media.remote_url.endswith("scan.jpg")
    assert Notification.objects.filter(recipient=alice, status=status).exists()
    assert HomeFeedEntry.objects.filter(owner=alice, status=status).exists()
    assert StatusDocument.objects.filter(status=status).exists()
    # Replayed, nothing doubles.
    signed_post(client, "/inbox", load_fixture("mastodon_create_note.json"), mona)
    assert Status.objects.filter(uri=NOTE).count() == 1
    assert InboxActivity.objects.count() == 1


def test_mastodon_update_and_delete(client, alice, mona):
    signed_post(client, "/inbox", load_fixture("mastodon_create_note.json"), mona)
    signed_post(client, "/inbox", load_fixture("mastodon_update_note.json"), mona)
    status = Status.objects.get(uri=NOTE)
    assert "entièrement" in status.content
    assert status.spoiler_text == "Patrimoine" and status.sensitive
    assert status.edited_at is not None and status.edits.count() == 2
    signed_post(client, "/inbox", load_fixture("mastodon_delete.json"), mona)
    assert not Status.objects.filter(uri=NOTE).exists()


def test_mastodon_post_from_a_stranger_is_not_stored(client, alice, network):
    stranger = network.actor("mona", host="mastodon.example")
    note = load_fixture("mastodon_create_note.json")
    note["cc"] = note["object"]["cc"] = ["https://mastodon.example/users/mona/followers"]
    note["object"]["tag"] = []
    signed_post(client, "/inbox", note, stranger)
    assert not Status.objects.filter(uri=NOTE).exists()
    assert InboxActivity.objects.get().state == "ignored"


def test_followed_remote_post_reaches_home_and_tag(client, alice, mona):
    _follower_of(mona, alice)
    note = load_fixture("mastodon_create_note.json")
    note["cc"] = note["object"]["cc"] = ["https://mastodon.example/users/mona/followers"]
    note["object"]["tag"] = note["object"]["tag"][1:]
    signed_post(client, "/inbox", note, mona)
    status = Status.objects.get(uri=NOTE)
    assert HomeFeedEntry.objects.filter(owner=alice, status=status).exists()
    from babillard.timelines.queries import hashtag

    assert [s.pk for s in hashtag(None, "patrimoine").items] == [status.pk]


def test_mastodon_like_and_announce_of_a_local_post(client, alice, mona):
    status = post_status(alice, "Exposition ouverte")
    signed_post(
        client, "/inbox", _with_local_status(load_fixture("mastodon_like.json"), status), mona
    )
    signed_post(
        client, "/inbox", _with_local_status(load_fixture("mastodon_announce.json"), status), mona
    )
    status.refresh_from_db()
    assert status.favourites_count == 1 and status.reblogs_count == 1
    undo = {
        "id": "https://mastodon.example/users/mona#likes/1234/undo",
        "type": "Undo",
        "actor": MONA,
        "object": _with_local_status(load_fixture("mastodon_like.json"), status),
    }
    signed_post(client, "/inbox", undo, mona)
    status.refresh_from_db()
    assert status.favourites_count == 0


def test_mastodon_question(client, alice, mona):
    _follower_of(mona, alice)
    signed_post(client, "/inbox", load_fixture("mastodon_question.json"), mona)
    poll = Status.objects.get(uri__endswith="110000000000000005").poll
    assert poll.options == ["9h-18h", "10h-20h"]
    assert poll.votes_counts == [2, 1] and not poll.multiple


# --- GoToSocial -----------------------------------------------------------------


def test_gotosocial_reply_threads_under_the_local_post(client, alice, network):
    gus = network.actor("gus", host="gts.example", key_document=True)
    status = post_status(alice, "Qui publie ses données ?")
    activity = _with_local_status(load_fixture("gotosocial_create_note.json"), status)
    assert signed_post(client, "/inbox", activity, gus).status_code == 202
    reply = Status.objects.get(uri=activity["object"]["id"])
    assert reply.in_reply_to == status and reply.thread_root_id == status.pk
    assert [t.name for t in reply.tags.all()] == ["opendata"]
    status.refresh_from_db()
    assert status.replies_count == 1


def test_gotosocial_accept_by_follow_id(client, alice, network):
    from babillard.federation.remote import resolve_actor

    gus = network.actor("gus", host="gts.example", key_document=True)
    target = resolve_actor(gus.uri)
    request = follow(alice, target)
    sent = network.activities("Follow")[0]
    activity = json.loads(
        json.dumps(load_fixture("gotosocial_accept.json")).replace("FOLLOW_ID", sent["id"])
    )
    assert isinstance(request, FollowRequest)
    signed_post(client, "/users/alice/inbox", activity, gus)
    assert Follow.objects.filter(account=alice, target=target).exists()


# --- Misskey --------------------------------------------------------------------


def test_misskey_note_and_reaction(client, alice, network):
    mika = network.actor("mika", uri="https://misskey.example/users/9x8y7z6w5v")
    signed_post(client, "/inbox", load_fixture("misskey_create_note.json"), mika)
    note = Status.objects.get(uri="https://misskey.example/notes/9z1a2b3c4d")
    assert "図書館" in note.content
    assert note.account.username == "mika"
    assert Notification.objects.filter(recipient=alice, status=note).exists()
    status = post_status(alice, "Nouveautés")
    signed_post(
        client, "/inbox", _with_local_status(load_fixture("misskey_reaction.json"), status), mika
    )
    # An emoji in a Like is a reaction, not a favourite.
    from babillard.reactions.models import Reaction

    assert Reaction.objects.filter(status=status, account=note.account, name="📚").exists()
    assert not Favourite.objects.filter(status=status, account=note.account).exists()


# --- BookWyrm -------------------------------------------------------------------


def test_bookwyrm_review(client, alice, network):
    rat = network.actor("rat", uri="https://bookwyrm.example/user/rat")
    _follower_of(rat, alice)
    signed_post(client, "/inbox", load_fixture("bookwyrm_review.json"), rat)
    review = Status.objects.get(uri="https://bookwyrm.example/user/rat/review/42")
    assert "Un monument" in review.content and "club" in review.content
    assert HomeFeedEntry.objects.filter(owner=alice, status=review).exists()


# --- Forged and malformed --------------------------------------------------------

FORGERIES = [
    "mastodon_create_note.json",
    "gotosocial_create_note.json",
    "misskey_create_note.json",
    "bookwyrm_review.json",
]
ACTORS = {
    "mastodon_create_note.json": ("mona", "https://mastodon.example/users/mona"),
    "gotosocial_create_note.json": ("gus", "https://gts.example/users/gus"),
    "misskey_create_note.json": ("mika", "https://misskey.example/users/9x8y7z6w5v"),
    "bookwyrm_review.json": ("rat", "https://bookwyrm.example/user/rat"),
}


@pytest.fixture(params=FORGERIES)
def genuine(request, alice, network):
    name, uri = ACTORS[request.param]
    actor = network.actor(name, uri=uri)
    _follower_of(actor, alice)
    status = post_status(alice, "local")
    return _with_local_status(load_fixture(request.param), status), actor


def _nothing_stored(activity):
    assert not Status.objects.filter(uri=activity["object"]["id"]).exists()
    assert not InboxActivity.objects.exists()


def test_signature_by_another_key_is_refused(client, genuine, network):
    activity, actor = genuine
    impostor = network.actor("impostor", host="evil.example")
    answer = signed_post(client, "/inbox", activity, actor, key=impostor.private_key)
    assert answer.status_code == 401
    _nothing_stored(activity)


def test_tampered_body_is_refused(client, genuine):
    activity, actor = genuine
    assert signed_post(client, "/inbox", activity, actor, tamper=True).status_code == 401
    _nothing_stored(activity)


def test_old_date_is_refused(client, genuine):
    activity, actor = genuine
    stale = {"Date": formatdate(0, usegmt=True)}
    assert signed_post(client, "/inbox", activity, actor, headers_override=stale).status_code == 401
    _nothing_stored(activity)


def test_object_on_another_host_is_refused(client, genuine):
    activity, actor = genuine
    forged = deep(activity)
    forged["object"]["id"] = "https://victim.example/notes/1"
    assert signed_post(client, "/inbox", forged, actor).status_code == 400
    assert not Status.objects.filter(uri="https://victim.example/notes/1").exists()


def test_actor_other_than_signer_is_refused(client, genuine, network):
    activity, actor = genuine
    other = network.actor("other", host=actor.uri.split("/")[2])
    forged = deep(activity)
    forged["actor"] = other.uri
    forged["object"]["attributedTo"] = other.uri
    assert signed_post(client, "/inbox", forged, actor).status_code == 401
    _nothing_stored(activity)


def test_object_attributed_to_someone_else_is_refused(client, genuine):
    activity, actor = genuine
    forged = deep(activity)
    forged["object"]["attributedTo"] = actor.uri.rsplit("/", 1)[0] + "/somebody"
    assert signed_post(client, "/inbox", forged, actor).status_code == 400
    _nothing_stored(activity)


def test_unsigned_is_refused(client, genuine):
    activity, _actor = genuine
    answer = client.post(
        "/inbox", data=json.dumps(activity), content_type="application/activity+json"
    )
    assert answer.status_code == 401
    _nothing_stored(activity)


def test_missing_id_and_wrong_types_are_refused(client, genuine):
    activity, actor = genuine
    no_id = deep(activity)
    del no_id["id"]
    assert signed_post(client, "/inbox", no_id, actor).status_code == 400
    wrong = deep(activity)
    wrong["type"] = ["Create"]
    assert signed_post(client, "/inbox", wrong, actor).status_code == 400
    _nothing_stored(activity)


def test_too_deep_and_too_large_are_refused(client, genuine):
    activity, actor = genuine
    deep_one = deep(activity)
    nested: dict = {}
    cursor = nested
    for _ in range(40):
        cursor["x"] = {}
        cursor = cursor["x"]
    deep_one["object"]["extra"] = nested
    assert signed_post(client, "/inbox", deep_one, actor).status_code == 400
    large = deep(activity)
    large["object"]["content"] = "x" * 300_000
    assert signed_post(client, "/inbox", large, actor).status_code == 413
    _nothing_stored(activity)


def test_remote_cannot_delete_a_local_post(client, alice, mona):
    status = post_status(alice, "mine")
    forged = {
        "id": "https://mastodon.example/users/mona#delete-local",
        "type": "Delete",
        "actor": MONA,
        "object": {"id": status.uri, "type": "Tombstone"},
    }
    assert signed_post(client, "/inbox", forged, mona).status_code == 403
    assert Status.objects.filter(pk=status.pk).exists()


def test_remote_cannot_delete_another_remote_authors_post(client, alice, mona, network):
    signed_post(client, "/inbox", load_fixture("mastodon_create_note.json"), mona)
    other = network.actor("other", host="mastodon.example")
    forged = load_fixture("mastodon_delete.json")
    forged["actor"] = other.uri
    forged["id"] = "https://mastodon.example/users/other#delete"
    assert signed_post(client, "/inbox", forged, other).status_code == 202
    assert Status.objects.filter(uri=NOTE).exists()
    assert InboxActivity.objects.get(activity_id=forged["id"]).state == "failed"


def test_suspended_domain_is_refused(client, alice, mona):
    DomainBlock.objects.create(domain="mastodon.example", severity="suspend")
    answer = signed_post(client, "/inbox", load_fixture("mastodon_create_note.json"), mona)
    assert answer.status_code == 403
    assert not Status.objects.filter(uri=NOTE).exists()


def test_rotated_key_is_fetched_again(client, alice, mona, network):
    from babillard.federation.remote import resolve_actor

    resolve_actor(mona.uri)
    rotated = network.actor("mona", host="mastodon.example")  # same URI, new key pair
    answer = signed_post(client, "/inbox", load_fixture("mastodon_create_note.json"), rotated)
    assert answer.status_code == 202
    assert Account.objects.get(uri=MONA).public_key == rotated.public_key


def test_move_takes_local_followers_to_the_new_account(client, alice, mona, network):
    old = _follower_of(mona, alice)
    new = network.actor("mona", host="new.example", alsoKnownAs=[MONA])
    move = {
        "id": f"{MONA}#moves/1",
        "type": "Move",
        "actor": MONA,
        "object": MONA,
        "target": new.uri,
    }
    signed_post(client, "/inbox", move, mona)
    old.refresh_from_db()
    assert old.moved_to is not None and old.moved_to.uri == new.uri
    assert not Follow.objects.filter(account=alice, target=old).exists()
    assert FollowRequest.objects.filter(account=alice, target=old.moved_to).exists()
    assert network.activities("Follow")[-1]["object"] == new.uri


def test_move_to_an_account_that_does_not_name_the_old_one_is_refused(client, alice, mona, network):
    old = _follower_of(mona, alice)
    hijack = network.actor("thief", host="evil.example")
    move = {
        "id": f"{MONA}#moves/2",
        "type": "Move",
        "actor": MONA,
        "object": MONA,
        "target": hijack.uri,
    }
    signed_post(client, "/inbox", move, mona)
    old.refresh_from_db()
    assert old.moved_to is None
    assert Follow.objects.filter(account=alice, target=old).exists()
    assert InboxActivity.objects.get(activity_id=move["id"]).state == "failed"


def test_votes_in_local_polls_are_counted_once(client, alice, mona):
    from babillard.statuses.services import PollSpec

    question = post_status(alice, "Quel horaire ?", poll=PollSpec(["matin", "soir"], 3600))
    vote = {
        "id": "https://mastodon.example/users/mona#votes/9/activity",
        "type": "Create",
        "actor": MONA,
        "to": [alice.uri],
        "object": {
            "id": "https://mastodon.example/users/mona#votes/9",
            "type": "Note",
            "name": "soir",
            "attributedTo": MONA,
            "to": [alice.uri],
            "inReplyTo": question.uri,
        },
    }
    signed_post(client, "/inbox", vote, mona)
    question.poll.refresh_from_db()
    assert question.poll.votes_counts == [0, 1] and question.poll.voters_count == 1
    assert not Status.objects.filter(uri=vote["object"]["id"]).exists()
    replay = {**vote, "id": vote["id"] + "-again"}
    signed_post(client, "/inbox", replay, mona)
    question.poll.refresh_from_db()
    assert question.poll.votes_counts == [0, 1]


def test_actor_update_block_and_self_delete(client, alice, mona, network):
    from babillard.accounts.models import Block

    signed_post(client, "/inbox", load_fixture("mastodon_create_note.json"), mona)
    changed = {
        **mona.document,
        "name": "Mona L.",
        "summary": "<p>Conservatrice<script>x</script></p>",
    }
    update = {"id": f"{MONA}#updates/1", "type": "Update", "actor": MONA, "object": changed}
    signed_post(client, "/inbox", update, mona)
    account = Account.objects.get(uri=MONA)
    assert account.display_name == "Mona L." and account.note_html == "<p>Conservatrice</p>"
    block = {"id": f"{MONA}#blocks/1", "type": "Block", "actor": MONA, "object": alice.uri}
    signed_post(client, "/inbox", block, mona)
    assert Block.objects.filter(account=account, target=alice).exists()
    undo = {"id": f"{MONA}#blocks/1/undo", "type": "Undo", "actor": MONA, "object": block}
    signed_post(client, "/inbox", undo, mona)
    assert not Block.objects.filter(account=account, target=alice).exists()
    gone = {"id": f"{MONA}#delete", "type": "Delete", "actor": MONA, "object": MONA}
    signed_post(client, "/inbox", gone, mona)
    assert not Account.objects.filter(uri=MONA).exists()
    assert not Status.objects.filter(uri=NOTE).exists()


def test_reject_of_our_follow(client, alice, mona, network):
    from babillard.federation.remote import resolve_actor

    target = resolve_actor(mona.uri)
    follow(alice, target)
    sent = network.activities("Follow")[0]
    reject = {"id": f"{MONA}#rejects/1", "type": "Reject", "actor": MONA, "object": sent}
    signed_post(client, "/inbox", reject, mona)
    assert not FollowRequest.objects.filter(account=alice, target=target).exists()


def test_silenced_domain_accounts_are_silenced(client, alice, mona):
    DomainBlock.objects.create(domain="mastodon.example", severity="silence")
    assert (
        signed_post(client, "/inbox", load_fixture("mastodon_create_note.json"), mona).status_code
        == 202
    )
    assert Account.objects.get(uri=MONA).is_silenced


def test_unknown_actor_deleting_itself_is_acknowledged_without_fetching(client, network):
    gone = {
        "id": "https://gone.example/users/x#delete",
        "type": "Delete",
        "actor": "https://gone.example/users/x",
        "object": "https://gone.example/users/x",
    }
    answer = client.post("/inbox", data=json.dumps(gone), content_type="application/activity+json")
    assert answer.status_code == 202
    assert not InboxActivity.objects.exists() and not Account.objects.exists()


def test_follow_from_a_blocked_actor_is_rejected(client, alice, mona, network):
    from babillard.accounts.services import block
    from babillard.federation.remote import resolve_actor

    block(alice, resolve_actor(mona.uri))
    network.sent.clear()
    signed_post(client, "/inbox", load_fixture("mastodon_follow.json"), mona)
    assert not Follow.objects.filter(target=alice).exists()
    assert not FollowRequest.objects.filter(target=alice).exists()
    reject = network.activities("Reject")[0]
    assert reject["object"]["id"] == load_fixture("mastodon_follow.json")["id"]
