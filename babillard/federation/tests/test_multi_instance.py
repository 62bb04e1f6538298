"""Three real Babillard servers on loopback federating with each other.

Each instance is its own ``babillard serve`` process (uvicorn plus a task
worker) with its own home and database; one runs on PostgreSQL when a server
is reachable. The test drives them with ``babillard fedctl``, which calls the
same services as the web pages, and checks what arrives on the other side.
Every process is killed at the end, whatever happens; every wait is bounded.
"""

import pytest

from babillard.core.tests.servers import (  # noqa: F401  (fixture)
    Instance,
    instances,
    wait_for,
)


def _home_uris(server: Instance, username: str) -> list[str]:
    return [s["uri"] for s in server.ctl("home", username)]


@pytest.mark.own_databases
def test_three_instances_federate(instances: dict[str, Instance]) -> None:  # noqa: F811
    a, b, c = instances["a"], instances["b"], instances["c"]

    # Follow across instances: an open account accepts at once.
    assert a.ctl("follow", "alice", b.handle("bob")) == {"relation": "FollowRequest"}
    wait_for(lambda: b.handle("bob") in a.ctl("relationship", "alice")["following"], "Accept")
    assert b.ctl("relationship", "bob")["followers"] == [a.handle("alice")]

    # A locked account's approval.
    c.ctl("profile", "carol", "--locked", "yes")
    a.ctl("follow", "alice", c.handle("carol"))
    wait_for(lambda: c.ctl("relationship", "carol")["requests"] == [a.handle("alice")], "request")
    assert c.handle("carol") not in a.ctl("relationship", "alice")["following"]
    c.ctl("accept", "carol", a.handle("alice"))
    wait_for(lambda: c.handle("carol") in a.ctl("relationship", "alice")["following"], "approval")
    c.ctl("follow", "dan", b.handle("bob"))
    wait_for(lambda: c.handle("dan") in b.ctl("relationship", "bob")["followers"], "dan follows")

    # A post reaches remote followers' home timelines, with its hashtag.
    post = b.ctl("post", "bob", "Nouvelle salle de lecture #bibliotheque")
    wait_for(lambda: post["uri"] in _home_uris(a, "alice"), "post in alice's home")
    wait_for(lambda: post["uri"] in _home_uris(c, "dan"), "post in dan's home")
    assert a.ctl("status", post["uri"])["tags"] == ["bibliotheque"]

    # A reply threads on the author's instance; boosts and favourites are counted there.
    reply = a.ctl("post", "alice", f"@{b.handle('bob')} bravo !", "--reply-to", post["uri"])
    a.ctl("boost", "alice", post["uri"])
    a.ctl("favourite", "alice", post["uri"])
    wait_for(
        lambda: (b.ctl("status", reply["uri"]) or {}).get("in_reply_to") == post["uri"],
        "reply on bob's instance",
    )
    counts = wait_for(
        lambda: (
            (s := b.ctl("status", post["uri"]))
            and (s["replies_count"], s["reblogs_count"], s["favourites_count"]) == (1, 1, 1)
            and s
        ),
        "counts on bob's instance",
    )
    assert counts["uri"] == post["uri"]

    # An edit and a delete propagate.
    b.ctl("edit", "bob", post["uri"], "Salle de lecture rouverte")
    wait_for(lambda: a.ctl("status", post["uri"])["text"] == "Salle de lecture rouverte", "edit")
    wait_for(lambda: c.ctl("status", post["uri"])["edited"], "edit on c")
    b.ctl("delete", "bob", post["uri"])
    wait_for(lambda: a.ctl("status", post["uri"]) is None, "delete on a")
    wait_for(lambda: c.ctl("status", post["uri"]) is None, "delete on c")

    # A direct message reaches only its recipient, though dan follows bob too.
    direct = b.ctl("post", "bob", f"@{a.handle('alice')} entre nous", "--visibility", "direct")
    wait_for(lambda: direct["uri"] in _home_uris(a, "alice"), "direct message to alice")
    assert a.ctl("status", direct["uri"])["visibility"] == "direct"
    public = b.ctl("post", "bob", "Pour tout le monde")
    wait_for(lambda: public["uri"] in _home_uris(c, "dan"), "sync point on c")
    assert c.ctl("status", direct["uri"]) is None
    assert direct["uri"] not in _home_uris(c, "dan")

    # A delivery to an instance that is down arrives after it comes back.
    b.stop()
    late = a.ctl("post", "alice", f"@{b.handle('bob')} tu es là ?")
    wait_for(
        lambda: any(
            d["domain"] == b.domain and d["state"] == "retrying" for d in a.ctl("deliveries")
        ),
        "a failed delivery to the stopped instance",
    )
    b.start()
    wait_for(lambda: b.ctl("status", late["uri"]), "delivery after the restart", timeout=90)

    # A block stops everything: follows are cut both ways and nothing more arrives.
    b.ctl("block", "bob", a.handle("alice"))
    wait_for(lambda: b.handle("bob") not in a.ctl("relationship", "alice")["following"], "block")
    after_block = b.ctl("post", "bob", "Après le blocage")
    wait_for(lambda: after_block["uri"] in _home_uris(c, "dan"), "sync point after block")
    assert a.ctl("status", after_block["uri"]) is None

    # A domain block: c refuses everything from a.
    c.ctl("domain-block", a.domain)
    blocked = a.ctl("post", "alice", f"@{c.handle('carol')} tu me reçois ?")
    wait_for(
        lambda: any(
            d["domain"] == c.domain and d["state"] == "abandoned" for d in a.ctl("deliveries")
        ),
        "c refusing a's delivery",
    )
    assert c.ctl("status", blocked["uri"]) is None

    # A report forwarded to the reported account's server arrives there as a Flag.
    flagged = b.ctl("post", "bob", "Un message à signaler")
    wait_for(lambda: flagged["uri"] in _home_uris(c, "dan"), "post to report on c")
    c.ctl("report", "dan", b.handle("bob"), "Hors sujet", "--status", flagged["uri"])
    reports = wait_for(lambda: b.ctl("reports"), "Flag on bob's instance")
    assert reports[0]["target"] == "bob" and reports[0]["comment"] == "Hors sujet"
    assert reports[0]["statuses"] == [flagged["uri"]]
    assert reports[0]["reporter"].endswith(f"@{c.domain}") and "dan" not in reports[0]["reporter"]

    # A person hiding a server: its accounts stop following them there too.
    b.ctl("hide-domain", "bob", c.domain)
    wait_for(
        lambda: b.handle("bob") not in c.ctl("relationship", "dan")["following"],
        "dan's follow ended on c",
    )
    assert c.handle("dan") not in b.ctl("relationship", "bob")["followers"]
