import pytest

from babillard.accounts.models import AccountKind
from babillard.accounts.services import update_profile
from babillard.core.testing import make_account
from babillard.statuses.services import feature_tag, pin, post_status

from .conftest import HOST, signed_get

pytestmark = [pytest.mark.django_db, pytest.mark.urls("babillard.federation.tests.urls")]
AP = "application/activity+json"


def test_webfinger_acct_and_url_resources(client, network):
    alice = make_account("alice")
    answer = client.get(f"/.well-known/webfinger?resource=acct:alice@{HOST}")
    assert answer.status_code == 200
    data = answer.json()
    assert data["subject"] == f"acct:alice@{HOST}"
    self_link = next(link for link in data["links"] if link["rel"] == "self")
    assert self_link == {"rel": "self", "type": AP, "href": alice.uri}
    by_url = client.get("/.well-known/webfinger", {"resource": alice.uri})
    assert by_url.json()["subject"] == f"acct:alice@{HOST}"
    assert (
        client.get("/.well-known/webfinger?resource=acct:alice@elsewhere.example").status_code
        == 404
    )
    assert client.get("/.well-known/webfinger?resource=acct:nobody@" + HOST).status_code == 404
    assert client.get("/.well-known/webfinger").status_code == 400


def test_host_meta_and_nodeinfo(client, network):
    make_account("alice")
    meta = client.get("/.well-known/host-meta")
    assert b'template="http://127.0.0.1:8000/.well-known/webfinger?resource={uri}"' in meta.content
    index = client.get("/.well-known/nodeinfo").json()
    hrefs = [link["href"] for link in index["links"]]
    assert hrefs == [f"http://{HOST}/nodeinfo/2.0", f"http://{HOST}/nodeinfo/2.1"]
    for version in ("2.0", "2.1"):
        info = client.get(f"/nodeinfo/{version}").json()
        assert info["version"] == version
        assert info["software"]["name"] == "babillard"
        assert info["protocols"] == ["activitypub"]
        assert info["usage"]["users"]["total"] == 1
    assert client.get("/nodeinfo/3.0").status_code == 404


@pytest.mark.parametrize(
    ("kind", "bot", "expected"),
    [
        (AccountKind.PERSON, False, "Person"),
        (AccountKind.PERSON, True, "Service"),
        (AccountKind.INSTITUTION, False, "Organization"),
        (AccountKind.TEAM, False, "Group"),
    ],
)
def test_actor_document_types(client, network, kind, bot, expected):
    account = make_account("bib", kind=kind)
    if bot:
        update_profile(account, bot=True)
    data = client.get("/users/bib", HTTP_ACCEPT=AP).json()
    assert data["type"] == expected


def test_actor_document_shape(client, network):
    alice = make_account("alice")
    update_profile(alice, display_name="Alice", note="Hello #bib", locked=True)
    answer = client.get("/users/alice", HTTP_ACCEPT=AP)
    assert answer["Content-Type"].startswith("application/activity+json")
    data = answer.json()
    assert data["id"] == alice.uri == f"http://{HOST}/users/alice"
    assert data["preferredUsername"] == "alice"
    assert data["name"] == "Alice"
    assert data["inbox"] == f"{alice.uri}/inbox"
    assert data["endpoints"]["sharedInbox"] == f"http://{HOST}/inbox"
    assert data["followers"] == f"{alice.uri}/followers"
    assert data["featured"] == f"{alice.uri}/collections/featured"
    assert data["manuallyApprovesFollowers"] is True
    assert data["publicKey"]["id"] == f"{alice.uri}#main-key"
    assert data["publicKey"]["owner"] == alice.uri
    assert "BEGIN PUBLIC KEY" in data["publicKey"]["publicKeyPem"]
    ld = client.get(
        "/users/alice",
        HTTP_ACCEPT='application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    )
    assert ld.json()["id"] == alice.uri


def test_html_accept_redirects_to_the_profile_page(client, network):
    make_account("alice")
    answer = client.get("/users/alice", HTTP_ACCEPT="text/html")
    assert answer.status_code == 302
    assert answer["Location"] == f"http://{HOST}/@alice"
    at = client.get("/@alice", HTTP_ACCEPT=AP)
    assert at.json()["type"] == "Person"


def test_unknown_actor_is_404(client, network):
    assert client.get("/users/ghost", HTTP_ACCEPT=AP).status_code == 404


def test_outbox_is_paged_and_public_only(client, network):
    alice = make_account("alice")
    public = post_status(alice, "public post")
    post_status(alice, "for followers", visibility="private")
    post_status(alice, "local only", local_only=True)
    root = client.get("/users/alice/outbox", HTTP_ACCEPT=AP).json()
    assert root["type"] == "OrderedCollection"
    assert root["first"].endswith("?page=true")
    page = client.get("/users/alice/outbox?page=true", HTTP_ACCEPT=AP).json()
    assert page["type"] == "OrderedCollectionPage"
    assert [item["object"]["id"] for item in page["orderedItems"]] == [public.uri]
    following_page = client.get(page["next"].split(HOST)[1], HTTP_ACCEPT=AP).json()
    assert following_page["orderedItems"] == []


def test_followers_collection_pages(client, network):
    from babillard.accounts.services import follow

    alice = make_account("alice")
    fans = [make_account(f"fan{i}") for i in range(14)]
    for fan in fans:
        follow(fan, alice)
    root = client.get("/users/alice/followers", HTTP_ACCEPT=AP).json()
    assert root["totalItems"] == 14
    first = client.get("/users/alice/followers?page=1", HTTP_ACCEPT=AP).json()
    assert len(first["orderedItems"]) == 12
    second = client.get(first["next"].split(HOST)[1], HTTP_ACCEPT=AP).json()
    assert len(second["orderedItems"]) == 2
    assert set(first["orderedItems"] + second["orderedItems"]) == {f.uri for f in fans}
    alice.refresh_from_db()
    update_profile(alice, hide_collections=True)
    hidden = client.get("/users/alice/followers?page=1", HTTP_ACCEPT=AP).json()
    assert hidden == {**hidden, "totalItems": 14} and "orderedItems" not in hidden


def test_featured_collection_holds_pinned_posts(client, network):
    alice = make_account("alice")
    status = post_status(alice, "pinned")
    pin(alice, status)
    data = client.get("/users/alice/collections/featured", HTTP_ACCEPT=AP).json()
    assert [note["id"] for note in data["orderedItems"]] == [status.uri]
    tags = client.get("/users/alice/collections/tags", HTTP_ACCEPT=AP).json()
    assert tags["type"] == "Collection" and tags["items"] == []
    feature_tag(alice, "Veille")
    tags = client.get("/users/alice/collections/tags", HTTP_ACCEPT=AP).json()
    assert tags["totalItems"] == 1
    assert tags["items"][0]["type"] == "Hashtag" and tags["items"][0]["name"] == "#Veille"


def test_instance_actor(client, network):
    data = client.get("/actor", HTTP_ACCEPT=AP).json()
    assert data["type"] == "Application"
    assert data["publicKey"]["id"] == f"http://{HOST}/actor#main-key"


def test_status_objects_follow_visibility(client, network):
    from babillard.accounts.services import follow, update_remote_account

    alice = make_account("alice")
    public = post_status(alice, "hello")
    private = post_status(alice, "friends only", visibility="private")
    local = post_status(alice, "here only", local_only=True)
    path = lambda s: f"/users/alice/statuses/{s.pk}"  # noqa: E731
    assert client.get(path(public), HTTP_ACCEPT=AP).json()["id"] == public.uri
    assert client.get(path(private), HTTP_ACCEPT=AP).status_code == 404
    assert client.get(path(local), HTTP_ACCEPT=AP).status_code == 404
    html = client.get(path(public), HTTP_ACCEPT="text/html")
    assert html.status_code == 302 and html["Location"].endswith(f"/@alice/{public.pk}")
    # A signed fetch by a follower sees the followers-only post; by a stranger, not.
    friend = network.actor("friend")
    stranger = network.actor("stranger")
    friend_account = update_remote_account(
        friend.uri,
        username="friend",
        domain="remote.example",
        inbox_url=f"{friend.uri}/inbox",
        public_key=friend.public_key,
    )
    update_remote_account(
        stranger.uri,
        username="stranger",
        domain="remote.example",
        inbox_url=f"{stranger.uri}/inbox",
        public_key=stranger.public_key,
    )
    follow(friend_account, alice)
    assert signed_get(client, path(private), friend).json()["id"] == private.uri
    assert signed_get(client, path(private), stranger).status_code == 404
    assert signed_get(client, path(local), friend).status_code == 404


def test_authorized_fetch_requires_a_signature(client, network, settings):
    settings.AUTHORIZED_FETCH = True
    alice = make_account("alice")
    status = post_status(alice, "hello")
    reader = network.actor("reader")
    assert client.get(f"/users/alice/statuses/{status.pk}", HTTP_ACCEPT=AP).status_code == 401
    answer = signed_get(client, f"/users/alice/statuses/{status.pk}", reader)
    assert answer.json()["id"] == status.uri
    # Actor documents stay public so that others can read keys.
    assert client.get("/users/alice", HTTP_ACCEPT=AP).status_code == 200


@pytest.mark.urls("babillard.urls")
def test_same_url_serves_the_web_page_or_the_note(client, network):
    alice = make_account("alice")
    status = post_status(alice, "bonjour")
    page = client.get(f"/@alice/{status.pk}", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and "text/html" in page["Content-Type"]
    note = client.get(f"/@alice/{status.pk}", HTTP_ACCEPT=AP)
    assert note.json()["id"] == status.uri
    profile = client.get("/@alice", HTTP_ACCEPT="text/html")
    assert profile.status_code == 200 and "text/html" in profile["Content-Type"]
    assert client.get("/@alice", HTTP_ACCEPT=AP).json()["id"] == alice.uri


def test_remote_handle_is_found_through_webfinger(network):
    from babillard.federation.remote import webfinger

    bob = network.actor("bob", host="remote.example", manuallyApprovesFollowers=True)
    network.documents[
        "https://remote.example/.well-known/webfinger?resource=acct:bob@remote.example"
    ] = {
        "subject": "acct:bob@remote.example",
        "links": [{"rel": "self", "type": "application/activity+json", "href": bob.uri}],
    }
    account = webfinger("@bob@remote.example")
    assert (account.uri, account.domain, account.username) == (bob.uri, "remote.example", "bob")
    assert account.public_key == bob.public_key and account.locked
    assert account.shared_inbox_url == "https://remote.example/inbox"
    assert account.note_html == "<p>Bibliothécaire</p>"


def test_actor_documents_that_lie_about_their_host_are_refused(network):
    from babillard.federation.remote import InvalidDocument, resolve_actor

    liar = network.actor("liar", host="evil.example")
    liar.document["id"] = "https://victim.example/users/liar"
    with pytest.raises(InvalidDocument):
        resolve_actor(liar.uri)
    local = network.actor("alice", host="evil.example")
    local.document["id"] = f"http://{HOST}/users/alice"
    with pytest.raises(InvalidDocument):
        resolve_actor(local.uri)
