"""Real Babillard servers on loopback: a board on A is followed from B (as any Mastodon
account would follow it); the post and the link its curator accepts arrive in the
follower's home timeline on B, the post as the board's boost and the link as its Note.
A private board on A refuses B's follow with a ``Reject``.

The servers and their harness are the federation tests' (``test_multi_instance``).
"""

import json
from typing import Any

import httpx
import pytest

from babillard.federation.tests.test_multi_instance import (  # noqa: F401  (fixture)
    Instance,
    instances,
    wait_for,
)

API = "/api/babillard/v1"
PENDING = """
from babillard.accounts.models import FollowRequest
print(FollowRequest.objects.filter(account__username="bob", target__username=TARGET).count())
"""
ISSUE_TOKEN = """
from babillard.accounts.models import User
from babillard.api import oauth
scopes = oauth.parse_scopes("read write")
app = oauth.register_app("boards test", [oauth.OOB], scopes, "")
print(oauth.issue_token(User.objects.get(username=USERNAME), app.application, scopes).raw)
"""


def _client(server: Instance, username: str) -> httpx.Client:
    code = ISSUE_TOKEN.replace("USERNAME", json.dumps(username))
    token = server.run("shell", "-c", code).strip().splitlines()[-1]
    return httpx.Client(
        base_url=f"http://{server.domain}",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
        timeout=30,
    )


def _call(client: httpx.Client, method: str, path: str, **options: Any) -> Any:
    response = client.request(method, path, **options)
    assert response.status_code == 200, (path, response.status_code, response.text)
    return response.json()


@pytest.mark.own_databases
def test_a_board_followed_from_another_instance_boosts_what_it_accepts(
    instances: dict[str, Instance],  # noqa: F811
) -> None:
    a, b = instances["a"], instances["b"]
    alice = _client(a, "alice")
    board = _call(
        alice, "POST", f"{API}/boards", json={"title": "Veille numérique", "visibility": "public"}
    )
    handle = a.handle(board["account"]["username"])

    # Bob, on B, follows the board like any account: WebFinger, Follow, Accept.
    b.ctl("follow", "bob", handle)
    wait_for(lambda: handle in b.ctl("relationship", "bob")["following"], "the board's Accept")

    # Alice accepts one of her posts on the board: Bob's home on B gets the board's boost.
    post = a.ctl("post", "alice", "Un guide des données ouvertes pour les bibliothèques")
    item = _call(
        alice, "POST", f"{API}/boards/{board['id']}/items", json={"status_id": str(post["id"])}
    )
    assert item["type"] == "status"

    def boost_on_b() -> dict[str, Any] | None:
        home = b.ctl("home", "bob")
        return next((s for s in home if s["reblog"] == post["uri"]), None)

    boost = wait_for(boost_on_b, "the board's boost in bob's home on B")
    assert boost["account"] == handle

    # A link becomes a Note by the board, with the curator's comment.
    _call(
        alice,
        "POST",
        f"{API}/boards/{board['id']}/items",
        json={"url": "https://example.org/rapport", "title": "Le rapport", "comment": "À lire"},
    )
    note = wait_for(
        lambda: next(
            (s for s in b.ctl("home", "bob") if "example.org/rapport" in s["text"] + s["content"]),
            None,
        ),
        "the board's Note on B",
    )
    assert note["account"] == handle and "À lire" in note["text"] + note["content"]

    # A private board: B's Follow is answered with a Reject, and B stops waiting.
    private = _call(
        alice, "POST", f"{API}/boards", json={"title": "Interne", "visibility": "private"}
    )
    hidden = private["account"]["username"]
    b.ctl("follow", "bob", a.handle(hidden))
    code = PENDING.replace("TARGET", json.dumps(hidden))
    wait_for(
        lambda: b.run("shell", "-c", code).strip().splitlines()[-1] == "0",
        "the private board's Reject reaching B",
    )
    assert a.handle(hidden) not in b.ctl("relationship", "bob")["following"]
    assert a.ctl("relationship", hidden)["followers"] == []
