"""Real Babillard servers on loopback (the federation tests' harness): an antenna on A
catches a post federated from B, accents and case differing, leaves out the post with
its excluded phrase and the near miss, and lists the caught post in its private feed."""

from typing import Any

import feedparser
import httpx
import pytest

from babillard.core.tests.servers import (  # noqa: F401  (fixture)
    Instance,
    instances,
    wait_for,
)
from babillard.events.tests.test_three_instances import Reader

API = "/api/babillard/v1"


@pytest.mark.own_databases
def test_an_antenna_catches_a_federated_post(instances: dict[str, Instance]) -> None:  # noqa: F811
    a, b = instances["a"], instances["b"]
    a.ctl("follow", "alice", b.handle("bob"))
    wait_for(lambda: b.handle("bob") in a.ctl("relationship", "alice")["following"], "Accept")
    alice = Reader(a, "alice")
    antenna: dict[str, Any] = alice.call(
        "POST",
        f"{API}/antennas",
        json={
            "title": "Bibliothèques numériques",
            "keywords": ["bibliothèque numérique", "Cairn"],
            "exclude_keywords": ["offre d'emploi"],
        },
    )

    excluded = b.ctl("post", "bob", "Cairn recrute : offre d\u2019emploi de documentaliste")
    near_miss = b.ctl("post", "bob", "Les Cairnois inaugurent leur médiathèque")
    caught = b.ctl("post", "bob", "La BIBLIOTHEQUE NUMERIQUE régionale ouvre ses portes")
    for post in (excluded, near_miss, caught):
        wait_for(lambda post=post: a.ctl("status", post["uri"]), "the post reaching A")

    path = f"{API}/antennas/{antenna['id']}/statuses"
    found = wait_for(lambda: alice.call("GET", path), "the antenna catching the post on A")
    assert [s["uri"] for s in found] == [caught["uri"]]
    assert found[0]["account"]["acct"] == b.handle("bob")

    feed = feedparser.parse(httpx.get(antenna["feed_url"], timeout=30).content)
    assert [entry.link for entry in feed.entries] == [found[0]["url"]]
    assert "BIBLIOTHEQUE NUMERIQUE" in feed.entries[0].title
    # The two other posts were matched by then (one worker, in order) and left out.
    assert [s["uri"] for s in alice.call("GET", path)] == [caught["uri"]]
