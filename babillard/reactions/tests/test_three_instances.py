"""Three real Babillard servers on loopback: readers on B and C react to a post of A's
through Pleroma's API, and A shows the counts with who reacted; taking an emoji off
lowers the count on A. A local-only post of A's is never found from the other two.

The servers and their harness are in ``babillard.core.tests.servers``; the
API client is the events test's.
"""

from typing import Any

import httpx
import pytest

from babillard.core.tests.servers import (  # noqa: F401  (fixture)
    Instance,
    instances,
    wait_for,
)
from babillard.events.tests.test_three_instances import Reader

PATH = "/api/v1/pleroma/statuses/{}/reactions"


def _find(reader: Reader, uri: str) -> str:
    """The post's id on the reader's instance, found by its URI as a Mastodon client would."""
    found = reader.call("GET", "/api/v2/search", params={"q": uri, "resolve": "true"})
    return str(found["statuses"][0]["id"]) if found["statuses"] else ""


def _counts(server: Instance, status_id: str) -> list[tuple[str, int, list[str]]]:
    rows = httpx.get(f"http://{server.domain}{PATH.format(status_id)}", timeout=30).json()
    return [(r["name"], r["count"], sorted(a["acct"] for a in r["accounts"])) for r in rows]


@pytest.mark.own_databases
def test_reactions_across_three_instances(instances: dict[str, Instance]) -> None:  # noqa: F811
    a, b, c = instances["a"], instances["b"], instances["c"]
    alice, bob, carol = Reader(a, "alice"), Reader(b, "bob"), Reader(c, "carol")
    post: dict[str, Any] = alice.call("POST", "/api/v1/statuses", json={"status": "Le club BD"})

    on_b = _find(bob, post["uri"])
    reacted = bob.call("PUT", PATH.format(on_b) + "/📚")
    assert reacted["emoji_reactions"] == [{"name": "📚", "count": 1, "me": True, "url": None}]
    wait_for(lambda: _counts(a, post["id"]) == [("📚", 1, [b.handle("bob")])], "bob's 📚 on A")

    on_c = _find(carol, post["uri"])
    carol.call("PUT", PATH.format(on_c) + "/📚")
    carol.call("PUT", PATH.format(on_c) + "/🎉")
    wait_for(
        lambda: (
            _counts(a, post["id"])
            == [
                ("📚", 2, sorted([b.handle("bob"), c.handle("carol")])),
                ("🎉", 1, [c.handle("carol")]),
            ]
        ),
        "carol's reactions on A",
    )
    seen = alice.call("GET", f"/api/v1/statuses/{post['id']}")
    assert [(r["name"], r["count"]) for r in seen["emoji_reactions"]] == [("📚", 2), ("🎉", 1)]
    notified = alice.call("GET", "/api/v1/notifications", params={"types[]": "reaction"})
    assert {n["emoji"] for n in notified} >= {"📚", "🎉"}

    bob.call("DELETE", PATH.format(on_b) + "/📚")
    wait_for(lambda: _counts(a, post["id"])[0] == ("📚", 1, [c.handle("carol")]), "bob's undo")

    # Babillard tells Babillard with EmojiReact, as its NodeInfo names it.
    wait_for(
        lambda: {"EmojiReact", "Undo"} <= {row["activity_type"] for row in a.ctl("inbox")},
        "EmojiReact and Undo in A's inbox",
    )

    # A local-only post is not found from the other instances.
    hidden = alice.call(
        "POST", "/api/v1/statuses", json={"status": "Entre nous", "local_only": True}
    )
    assert hidden["local_only"] is True
    assert _find(bob, hidden["uri"]) == "" and _find(carol, hidden["uri"]) == ""
