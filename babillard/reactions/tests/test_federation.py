"""Reactions over ActivityPub: documents shaped as Misskey, Pleroma and Akkoma send them,
and what this server sends to each kind of server (read from its NodeInfo)."""

import json
from pathlib import Path
from typing import Any

import pytest

from babillard.accounts.models import Account
from babillard.core.testing import make_account
from babillard.federation.models import RemoteServer
from babillard.federation.remote import resolve_actor
from babillard.federation.tests.conftest import FakeNetwork, RemoteActor, signed_post
from babillard.notifications.models import Notification
from babillard.reactions import services
from babillard.reactions.models import Reaction
from babillard.statuses.models import Favourite, Status
from babillard.statuses.services import post_status, receive_remote_status

pytestmark = [pytest.mark.django_db, pytest.mark.urls("babillard.federation.tests.urls")]

FIXTURES = Path(__file__).parent / "fixtures"


def _document(name: str, status: Status) -> dict[str, Any]:
    text = (FIXTURES / name).read_text()
    text = text.replace("LOCAL_STATUS", status.uri or "").replace("AUTHOR", status.account.uri)
    return json.loads(text)


@pytest.fixture
def alice(network: FakeNetwork) -> Account:
    return make_account("alice")


@pytest.fixture
def mika(network: FakeNetwork) -> RemoteActor:
    return network.actor("mika", uri="https://misskey.example/users/9x8y7z6w5v")


@pytest.fixture
def lena(network: FakeNetwork) -> RemoteActor:
    return network.actor("lena", host="akkoma.example")


def test_misskey_reaction_and_its_undo(client, alice, mika):
    status = post_status(alice, "Nouveautés de novembre")
    answer = signed_post(client, "/inbox", _document("misskey_like.json", status), mika)
    assert answer.status_code == 202
    reaction = Reaction.objects.get(status=status)
    assert reaction.name == "🎉" and reaction.account.uri == mika.uri
    assert not Favourite.objects.filter(status=status).exists()
    assert Notification.objects.filter(recipient=alice, type="reaction", status=status).exists()
    signed_post(client, "/inbox", _document("misskey_undo_like.json", status), mika)
    assert not Reaction.objects.filter(status=status).exists()


def test_misskey_custom_emoji_keeps_its_image(client, alice, mika):
    status = post_status(alice, "Le club lecture reprend")
    signed_post(client, "/inbox", _document("misskey_like_custom.json", status), mika)
    reaction = Reaction.objects.get(status=status)
    assert reaction.name == ":blobcat_read:"
    assert reaction.image_url == "https://misskey.example/files/webpublic-blobcat-read.png"


def test_akkoma_emoji_react_and_undo_by_id(client, alice, lena):
    status = post_status(alice, "Horaires d'été")
    signed_post(client, "/inbox", _document("akkoma_emoji_react.json", status), lena)
    signed_post(client, "/inbox", _document("akkoma_emoji_react_custom.json", status), lena)
    names = set(Reaction.objects.filter(status=status).values_list("name", "image_url"))
    assert names == {
        ("📚", ""),
        (":neocat_book:", "https://akkoma.example/emoji/neocat/neocat_book.png"),
    }
    # Akkoma names the reaction it takes back by its id only.
    signed_post(client, "/inbox", _document("akkoma_undo.json", status), lena)
    assert list(Reaction.objects.filter(status=status).values_list("name", flat=True)) == [
        ":neocat_book:"
    ]


def test_a_plain_like_stays_a_favourite(client, alice, mika):
    status = post_status(alice, "Fermeture exceptionnelle")
    like = _document("misskey_like.json", status)
    del like["content"], like["_misskey_reaction"]
    signed_post(client, "/inbox", like, mika)
    assert Favourite.objects.filter(status=status).exists()
    assert not Reaction.objects.exists()


def test_reaction_without_an_emoji_is_refused(client, alice, lena):
    status = post_status(alice, "Braderie")
    react = _document("akkoma_emoji_react.json", status)
    react["content"] = "<script>bonjour</script>"
    signed_post(client, "/inbox", react, lena)
    assert not Reaction.objects.exists()


def test_no_remote_reaction_to_a_local_only_post(client, alice, lena):
    status = post_status(alice, "Entre collègues", local_only=True)
    signed_post(client, "/inbox", _document("akkoma_emoji_react.json", status), lena)
    assert not Reaction.objects.exists()


def _serve_nodeinfo(network: FakeNetwork, host: str, software: str) -> None:
    href = f"https://{host}/nodeinfo/2.0"
    network.documents[f"https://{host}/.well-known/nodeinfo"] = {
        "links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": href}]
    }
    network.documents[href] = {"version": "2.0", "software": {"name": software}}


def _remote_post(network: FakeNetwork, host: str) -> Status:
    author = network.actor("autrice", host=host)
    return receive_remote_status(
        resolve_actor(author.uri),
        uri=f"https://{host}/users/autrice/statuses/1",
        url="",
        content="<p>Nouveau catalogue</p>",
        visibility="public",
    )


def test_mastodon_gets_a_like_it_counts_as_a_favourite(network, alice):
    _serve_nodeinfo(network, "mastodon.example", "mastodon")
    post = _remote_post(network, "mastodon.example")
    services.react(alice, post, "👍")
    [(inbox, like)] = network.sent
    assert inbox == "https://mastodon.example/inbox"
    assert like["type"] == "Like" and like["object"] == post.uri
    assert like["content"] == like["_misskey_reaction"] == "👍"
    assert RemoteServer.objects.get(domain="mastodon.example").software == "mastodon"
    services.unreact(alice, post, "👍")
    undo = network.sent[-1][1]
    assert undo["type"] == "Undo" and undo["object"]["id"] == like["id"]


def test_akkoma_gets_emoji_react(network, alice):
    _serve_nodeinfo(network, "akkoma.example", "akkoma")
    post = _remote_post(network, "akkoma.example")
    services.react(alice, post, "📚")
    react = network.activities("EmojiReact")[0]
    assert react["content"] == "📚" and react["to"] == [post.account.uri]
    assert "_misskey_reaction" not in react
    services.unreact(alice, post, "📚")
    assert network.activities("Undo")[0]["object"]["type"] == "EmojiReact"


def test_a_server_without_nodeinfo_gets_the_like_form(network, alice):
    post = _remote_post(network, "quiet.example")
    services.react(alice, post, "🎉")
    assert [a["type"] for a in network.activities()] == ["Like"]
    # Remembered, so that it is not asked at every reaction.
    server = RemoteServer.objects.get(domain="quiet.example")
    assert server.software == "" and server.software_checked_at is not None


def test_reactions_between_local_accounts_stay_here(network, alice):
    bruno = make_account("bruno")
    status = post_status(alice, "Réunion d'équipe")
    services.react(bruno, status, "👍")
    assert network.sent == []
