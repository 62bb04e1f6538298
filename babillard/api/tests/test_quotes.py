"""The quote endpoints and fields of Mastodon 4.5, and Babillard's reply policy."""

import uuid
from collections.abc import Callable, Iterator

import pytest
from mastodon import Mastodon

from babillard.api.tests.conftest import ApiClient
from babillard.api.tests.live import LiveServer, live_server
from babillard.core.testing import PASSWORD, make_account

OOB = "urn:ietf:wg:oauth:2.0:oob"

pytestmark = pytest.mark.django_db


def test_quote_fields_endpoints_and_revocation(token_for: Callable[..., str]) -> None:
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    as_alice, as_bob = ApiClient(token_for(alice)), ApiClient(token_for(bob))
    original = as_alice.post(
        "/api/v1/statuses", {"status": "Source", "quote_approval_policy": "public"}
    ).json()
    assert original["quote"] is None and original["quotes_count"] == 0
    assert original["quote_approval"] == {
        "automatic": ["public"],
        "manual": [],
        "current_user": "automatic",
    }
    quoting = as_bob.post(
        "/api/v1/statuses", {"status": "Je cite", "quoted_status_id": original["id"]}
    )
    assert quoting.status_code == 200, quoting.content
    body = quoting.json()
    assert body["quote"]["state"] == "accepted"
    assert body["quote"]["quoted_status"]["id"] == original["id"]
    assert body["quote"]["quoted_status"]["account"]["acct"] == "alice"
    assert as_alice.get(f"/api/v1/statuses/{original['id']}").json()["quotes_count"] == 1
    listed = as_alice.get(f"/api/v1/statuses/{original['id']}/quotes").json()
    assert [s["id"] for s in listed] == [body["id"]]
    kinds = [n["type"] for n in as_alice.get("/api/v1/notifications").json()]
    assert "quote" in kinds
    # A quote of the quote shows the first quote shallowly, one level deep only.
    deeper = (
        ApiClient(token_for(carol))
        .post("/api/v1/statuses", {"status": "Et encore", "quoted_status_id": body["id"]})
        .json()
    )
    assert deeper["quote"]["quoted_status"]["quote"] == {
        "state": "accepted",
        "quoted_status_id": original["id"],
    }
    refused = as_bob.post(f"/api/v1/statuses/{original['id']}/quotes/{body['id']}/revoke")
    assert refused.status_code == 403
    assert refused.json() == {"error": "This action is not allowed"}
    revoked = as_alice.post(f"/api/v1/statuses/{original['id']}/quotes/{body['id']}/revoke")
    assert revoked.status_code == 200
    assert revoked.json()["quote"] == {"state": "revoked", "quoted_status": None}
    assert as_alice.get(f"/api/v1/statuses/{original['id']}/quotes").json() == []
    again = as_alice.post(f"/api/v1/statuses/{original['id']}/quotes/{body['id']}/revoke")
    assert again.status_code == 404


def test_policies_refusals_and_deleted_quoted_post(token_for: Callable[..., str]) -> None:
    alice, bob = make_account("alice"), make_account("bob")
    as_alice, as_bob = ApiClient(token_for(alice)), ApiClient(token_for(bob))
    post = as_alice.post(
        "/api/v1/statuses",
        {"status": "Question", "quote_approval_policy": "nobody", "reply_policy": "mentioned"},
    ).json()
    seen = as_bob.get(f"/api/v1/statuses/{post['id']}").json()
    assert seen["quote_approval"]["current_user"] == "denied"
    assert seen["babillard"]["reply_policy"] == "mentioned"
    refused = as_bob.post("/api/v1/statuses", {"status": "x", "quoted_status_id": post["id"]})
    assert refused.status_code == 422
    assert "does not allow you to quote" in refused.json()["error"]
    reply = as_bob.post("/api/v1/statuses", {"status": "Réponse", "in_reply_to_id": post["id"]})
    assert reply.status_code == 422
    assert "Only the people mentioned in this post may reply" in reply.json()["error"]
    changed = as_alice.put(
        f"/api/v1/statuses/{post['id']}/interaction_policy",
        {"quote_approval_policy": "public", "reply_policy": "anyone"},
    )
    assert changed.status_code == 200
    assert changed.json()["quote_approval"]["automatic"] == ["public"]
    assert as_bob.put(f"/api/v1/statuses/{post['id']}/interaction_policy", {}).status_code == 404
    quote = as_bob.post("/api/v1/statuses", {"status": "Ok", "quoted_status_id": post["id"]})
    assert quote.status_code == 200
    assert as_alice.delete(f"/api/v1/statuses/{post['id']}").status_code == 200
    shown = as_bob.get(f"/api/v1/statuses/{quote.json()['id']}").json()
    assert shown["quote"] == {"state": "deleted", "quoted_status": None}
    edited = as_bob.put(
        f"/api/v1/statuses/{quote.json()['id']}",
        {"status": "Ok, modifié", "quote_approval_policy": "followers"},
    )
    assert edited.json()["quote_approval"]["automatic"] == ["followers"]


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server() as running:
        yield running


def test_mastodon_py_quotes_and_revokes(server: LiveServer) -> None:
    """Mastodon.py's own quote calls (it checks versions; Babillard reports 4.3, hence
    ``version_check_mode="none"``)."""
    suffix = uuid.uuid4().hex[:6]
    people = {}
    for name in ("alice", "bob"):
        email = server.make_user(f"{name}_{suffix}", PASSWORD)
        client_id, secret = Mastodon.create_app(
            "quotes", scopes=["read", "write"], redirect_uris=OOB, api_base_url=server.url
        )
        api = Mastodon(
            client_id=client_id,
            client_secret=secret,
            api_base_url=server.url,
            version_check_mode="none",
        )
        api.log_in(username=email, password=PASSWORD, scopes=["read", "write"], allow_http=True)
        people[name] = api
    alice, bob = people["alice"], people["bob"]
    source = alice.status_post("Rapport annuel paru", quote_approval_policy="followers")
    assert source.quote_approval.automatic == ["followers"]
    assert bob.status(source.id).quote_approval.current_user == "denied"
    alice.status_update_quote_approval_policy(source.id, "public")
    quote = bob.status_post("À lire", quoted_status_id=source.id)
    assert quote.quote.state == "accepted" and quote.quote.quoted_status.id == source.id
    assert [s.id for s in alice.status_quotes(source.id)] == [quote.id]
    revoked = alice.status_quote_revoke(source.id, quote.id)
    assert revoked.quote.state == "revoked" and revoked.quote.quoted_status is None
    assert bob.status(quote.id).quote.state == "revoked"
