"""Real Babillard servers on loopback: a board on A is followed from B (as any Mastodon
account would follow it); the post and the link its curator accepts arrive in the
follower's home timeline on B, the post as the board's boost and the link as its Note.
A private board on A refuses B's follow with a ``Reject``.

The servers and their harness are in ``babillard.core.tests.servers``.
"""

from typing import Any

import pytest

from babillard.core.tests.servers import (  # noqa: F401  (fixture)
    ApiClient,
    Instance,
    instances,
    wait_for,
)

API = "/api/babillard/v1"
PENDING = """
from babillard.accounts.models import FollowRequest
print(FollowRequest.objects.filter(account__username="bob", target__username=TARGET).count())
"""


@pytest.mark.own_databases
def test_a_board_followed_from_another_instance_boosts_what_it_accepts(
    instances: dict[str, Instance],  # noqa: F811
) -> None:
    a, b = instances["a"], instances["b"]
    alice = ApiClient(a, "alice")
    board = alice.call(
        "POST", f"{API}/boards", json={"title": "Veille numérique", "visibility": "public"}
    )
    handle = a.handle(board["account"]["username"])

    # Bob, on B, follows the board like any account: WebFinger, Follow, Accept.
    b.ctl("follow", "bob", handle)
    wait_for(lambda: handle in b.ctl("relationship", "bob")["following"], "the board's Accept")

    # Alice accepts one of her posts on the board: Bob's home on B gets the board's boost.
    post = a.ctl("post", "alice", "Un guide des données ouvertes pour les bibliothèques")
    item = alice.call(
        "POST", f"{API}/boards/{board['id']}/items", json={"status_id": str(post["id"])}
    )
    assert item["type"] == "status"

    def boost_on_b() -> dict[str, Any] | None:
        home = b.ctl("home", "bob")
        return next((s for s in home if s["reblog"] == post["uri"]), None)

    boost = wait_for(boost_on_b, "the board's boost in bob's home on B")
    assert boost["account"] == handle

    # A link becomes a Note by the board, with the curator's comment.
    alice.call(
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
    private = alice.call(
        "POST", f"{API}/boards", json={"title": "Interne", "visibility": "private"}
    )
    hidden = private["account"]["username"]
    b.ctl("follow", "bob", a.handle(hidden))
    wait_for(
        lambda: b.shell(PENDING, TARGET=hidden) == "0",
        "the private board's Reject reaching B",
    )
    assert a.handle(hidden) not in b.ctl("relationship", "bob")["following"]
    assert a.ctl("relationship", hidden)["followers"] == []
