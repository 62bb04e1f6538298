"""Quotes and interaction policies as Mastodon, Misskey and GoToSocial send them
(fixtures written with the structure of their documents), and what we send back."""

import json
from typing import Any

import pytest

from babillard.core.testing import make_account
from babillard.federation.activities import note_to_activity
from babillard.notifications.models import Notification
from babillard.statuses.models import Quote, Status
from babillard.statuses.services import post_status, revoke_quote

from .conftest import load_fixture, signed_get, signed_post

pytestmark = [pytest.mark.django_db, pytest.mark.urls("babillard.federation.tests.urls")]

MONA = "https://mastodon.example/users/mona"
MONA_QUOTE = "https://mastodon.example/users/mona/statuses/110000000000000301"
MAX_POST = "https://mastodon.example/users/max/statuses/110000000000000300"


@pytest.fixture
def alice(network):
    return make_account("alice")


@pytest.fixture
def mona(network):
    return network.actor("mona", host="mastodon.example")


def _filled(name: str, **values: str) -> dict[str, Any]:
    text = json.dumps(load_fixture(name))
    for key, value in values.items():
        text = text.replace(key, value)
    return dict(json.loads(text))


def test_a_mastodon_quote_request_is_accepted_with_a_stamp(client, alice, mona, network):
    post = post_status(alice, "C'est moi ou CAIRN est en panne ?")
    request = _filled("mastodon_quote_request.json", LOCAL_STATUS=post.uri)
    assert signed_post(client, "/inbox", request, mona).status_code == 202
    quoting = Status.objects.get(uri=MONA_QUOTE)
    quote = Quote.objects.get(status=quoting)
    assert quote.state == "accepted" and quote.quoted_status == post
    [accept] = network.activities("Accept")
    assert accept["actor"] == alice.uri
    assert accept["object"]["type"] == "QuoteRequest"
    assert accept["object"]["id"] == request["id"]
    assert accept["object"]["instrument"] == MONA_QUOTE
    assert accept["result"] == quote.approval_uri
    assert Notification.objects.filter(recipient=alice, type="quote", status=quoting).exists()
    # The stamp we host, as Mastodon's QuoteAuthorization.
    stamp = signed_get(client, quote.approval_uri.removeprefix("http://127.0.0.1:8000"), mona)
    document = stamp.json()
    assert document["type"] == "QuoteAuthorization"
    assert document["attributedTo"] == alice.uri
    assert document["interactingObject"] == MONA_QUOTE
    assert document["interactionTarget"] == post.uri
    # Revoked: a Delete of the stamp to Mastodon, and the stamp is gone.
    revoke_quote(alice, post, quoting)
    [delete] = network.activities("Delete")
    assert delete["object"] == quote.approval_uri and delete["actor"] == alice.uri
    path = quote.approval_uri.removeprefix("http://127.0.0.1:8000")
    assert signed_get(client, path, mona).status_code == 404


def test_a_quote_request_the_policy_refuses_is_rejected(client, alice, mona, network):
    post = post_status(alice, "Devis reçu", quote_policy="nobody")
    request = _filled("mastodon_quote_request.json", LOCAL_STATUS=post.uri)
    signed_post(client, "/inbox", request, mona)
    [reject] = network.activities("Reject")
    assert reject["object"]["type"] == "QuoteRequest" and reject["object"]["id"] == request["id"]
    assert network.activities("Accept") == []
    assert Quote.objects.get(status__uri=MONA_QUOTE).state == "rejected"
    assert Status.objects.get(pk=post.pk).quotes_count == 0


def test_our_quote_of_a_mastodon_post_waits_for_its_accept(client, alice, mona, network):
    quoted = load_fixture("mastodon_create_note.json")["object"]
    network.documents[quoted["id"]] = quoted
    from babillard.federation.remote import fetch_note

    remote = fetch_note(quoted["id"])
    quote = post_status(alice, "Je cite Mona", quoted_status=remote)
    row = Quote.objects.get(status=quote)
    assert row.state == "pending"
    [request] = network.activities("QuoteRequest")
    note = request["instrument"]
    assert note["quote"] == note["_misskey_quote"] == note["quoteUri"] == quoted["id"]
    assert "quoteAuthorization" not in note
    assert note["content"].startswith('<p class="quote-inline">RE: <a href=')
    assert request["object"] == quoted["id"] and request["instrument"]["id"] == quote.uri
    assert request["id"].startswith(f"{alice.uri}#quote_requests/")
    accept = _filled(
        "mastodon_accept_quote_request.json", OUR_REQUEST=request["id"], OUR_QUOTE=quote.uri
    )
    signed_post(client, "/inbox", accept, mona)
    row.refresh_from_db()
    assert row.state == "accepted" and row.approval_uri == accept["result"]
    assert (
        note_to_activity(Status.objects.get(pk=quote.pk))["quoteAuthorization"]
        == (accept["result"])
    )
    signed_post(client, "/inbox", load_fixture("mastodon_delete_quote_authorization.json"), mona)
    row.refresh_from_db()
    assert row.state == "revoked"
    assert "quoteAuthorization" not in note_to_activity(Status.objects.get(pk=quote.pk))


def test_a_mastodon_quote_of_a_third_post_is_shown_once_its_stamp_checks_out(
    client, alice, mona, network
):
    from babillard.accounts.models import Follow
    from babillard.federation.remote import resolve_actor

    network.actor("max", host="mastodon.example")
    network.documents[MAX_POST] = load_fixture("mastodon_quoted_note.json")
    stamp = load_fixture("mastodon_quote_authorization.json")
    network.documents[stamp["id"]] = stamp
    Follow.objects.create(account=alice, target=resolve_actor(MONA))
    create = load_fixture("mastodon_create_quote.json")
    signed_post(client, "/inbox", create, mona)
    quote = Quote.objects.get(status__uri=create["object"]["id"])
    assert quote.state == "accepted" and quote.quoted_status.uri == MAX_POST
    assert quote.quoted_status.spoiler_text == "Rapport"
    assert quote.status.quote_policy == "followers"
    # A stamp naming another post does not make the quote approved.
    forged = json.loads(json.dumps(create).replace("110000000000000302", "110000000000000303"))
    signed_post(client, "/inbox", forged, mona)
    assert Quote.objects.get(status__uri=forged["object"]["id"]).state == "pending"


def test_a_misskey_quote_is_read_but_stays_pending(client, alice, network):
    mika = network.actor("9mika", host="misskey.example")
    post = post_status(alice, "Une idée")
    create = _filled("misskey_create_quote.json", LOCAL_STATUS=post.uri)
    signed_post(client, "/inbox", create, mika)
    quote = Quote.objects.get(status__uri=create["object"]["id"])
    assert quote.quoted_status == post and quote.state == "pending"
    assert Status.objects.get(pk=post.pk).quotes_count == 0


def test_a_gotosocial_reply_the_policy_refuses_is_dropped(client, alice, network):
    gus = network.actor("gus", host="gts.example")
    closed = post_status(alice, "Pour mon équipe", reply_policy="following")
    signed_post(
        client, "/inbox", _filled("gotosocial_create_reply.json", LOCAL_STATUS=closed.uri), gus
    )
    assert not Status.objects.filter(uri="https://gts.example/users/gus/statuses/01JREPLY").exists()
    assert Status.objects.get(pk=closed.pk).replies_count == 0
    opened = post_status(alice, "Pour tout le monde")
    reply = _filled("gotosocial_create_reply.json", LOCAL_STATUS=opened.uri)
    reply["id"] += "-2"
    signed_post(client, "/inbox", reply, gus)
    stored = Status.objects.get(uri="https://gts.example/users/gus/statuses/01JREPLY")
    assert stored.in_reply_to == opened
    # GoToSocial's canReply naming only the author and the mentioned: "people I mention".
    assert stored.reply_policy == "mentioned"


def test_our_notes_carry_the_interaction_policies(alice, network):
    bob = make_account("bob")
    post = post_status(alice, "@bob question", quote_policy="followers", reply_policy="mentioned")
    policy = note_to_activity(post)["interactionPolicy"]
    assert policy["canQuote"] == {"automaticApproval": [f"{alice.uri}/followers"]}
    assert policy["canReply"] == {"automaticApproval": [alice.uri, bob.uri], "manualApproval": []}
    anyone = note_to_activity(post_status(alice, "x"))["interactionPolicy"]
    assert anyone["canReply"]["automaticApproval"] == [
        "https://www.w3.org/ns/activitystreams#Public"
    ]
