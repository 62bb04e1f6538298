"""Mastodon's CSV files exported on one real Babillard server and imported into a fresh
account on another reproduce the follows (with their choices), the lists, the mutes and
the blocks, across three servers on loopback.

The servers and their harness are in ``babillard.core.tests.servers``.
"""

import csv
import io

import pytest

from babillard.core.tests.servers import (  # noqa: F401  (fixture)
    PASSWORD,
    ApiClient,
    Instance,
    instances,
    wait_for,
)

API = "/api/babillard/v1"
FILES = {
    "following": "following_accounts.csv",
    "lists": "lists.csv",
    "mutes": "muted_accounts.csv",
    "blocks": "blocked_accounts.csv",
}


class Client(ApiClient):
    """One account's API client on one instance, with what it reads of exports."""

    def __init__(self, server: Instance, username: str) -> None:
        super().__init__(server, username, "read write follow")

    def account_id(self, handle: str) -> str:
        found = self.call("GET", "/api/v2/search", params={"q": handle, "resolve": "true"})
        return str(found["accounts"][0]["id"])

    def export(self, name: str) -> list[list[str]]:
        response = self.http.get(f"/settings/export/{name}")
        assert response.status_code == 200, (name, response.status_code)
        return sorted(csv.reader(io.StringIO(response.text)))

    def accts(self, path: str) -> list[str]:
        return sorted(self.full(a["acct"]) for a in self.call("GET", path))

    def full(self, acct: str) -> str:
        return acct if "@" in acct else f"{acct}@{self.server.domain}"


@pytest.mark.own_databases
def test_csv_exports_move_to_a_fresh_account_on_another_instance(
    instances: dict[str, Instance],  # noqa: F811
) -> None:
    a, b, c = instances["a"], instances["b"], instances["c"]
    a.run("createuser", "eve", "--email", "eve@example.org", "--password", PASSWORD)
    b.run("createuser", "zoe", "--email", "zoe@example.org", "--password", PASSWORD)
    alice = Client(a, "alice")

    # On A, alice follows bob (B) without boosts and carol (C) with notifications,
    # keeps them in a list, mutes dan (C) and blocks eve, her neighbour on A.
    bob_id, carol_id = alice.account_id(b.handle("bob")), alice.account_id(c.handle("carol"))
    alice.call("POST", f"/api/v1/accounts/{bob_id}/follow", json={"reblogs": False})
    alice.call("POST", f"/api/v1/accounts/{carol_id}/follow", json={"notify": True})
    relationships = f"/api/v1/accounts/relationships?id[]={bob_id}&id[]={carol_id}"
    wait_for(
        lambda: all(r["following"] for r in alice.call("GET", relationships)),
        "B and C accepting alice's follows",
    )
    veille = alice.call("POST", "/api/v1/lists", json={"title": "Veille pro"})
    alice.call(
        "POST", f"/api/v1/lists/{veille['id']}/accounts", json={"account_ids": [bob_id, carol_id]}
    )
    alice.call("POST", f"/api/v1/accounts/{alice.account_id(c.handle('dan'))}/mute")
    alice.call("POST", f"/api/v1/accounts/{alice.account_id('eve')}/block")

    exported = {kind: alice.export(name) for kind, name in FILES.items()}
    assert exported["following"] == sorted(
        [
            ["Account address", "Show boosts", "Notify on new posts", "Languages"],
            [b.handle("bob"), "false", "false", ""],
            [c.handle("carol"), "true", "true", ""],
        ]
    )
    assert exported["blocks"] == [[a.handle("eve")]]

    # On B, a fresh account imports the four files through the API.
    zoe = Client(b, "zoe")
    for kind, name in FILES.items():
        sent = alice.http.get(f"/settings/export/{name}").content
        queued = zoe.call(
            "POST",
            f"{API}/imports",
            data={"type": kind, "mode": "merge"},
            files={"data": (name, sent)},
        )
        done = wait_for(
            lambda queued=queued: (
                (item := zoe.call("GET", f"{API}/imports/{queued['id']}"))["state"]
                in ("done", "failed")
                and item
            ),
            f"the {kind} import on B",
            timeout=120,
        )
        assert (done["state"], done["failed"]) == ("done", 0), done

    # Zoe's own exports on B are alice's on A, row for row.
    for kind, name in FILES.items():
        assert zoe.export(name) == exported[kind], kind
    [listed] = zoe.call("GET", "/api/v1/lists")
    assert listed["title"] == "Veille pro"
    assert zoe.accts(f"/api/v1/lists/{listed['id']}/accounts") == sorted(
        [b.handle("bob"), c.handle("carol")]
    )
    assert zoe.accts("/api/v1/mutes") == [c.handle("dan")]
    assert zoe.accts("/api/v1/blocks") == [a.handle("eve")]
    # The follow of carol went through C: C knows zoe as a follower.
    wait_for(
        lambda: b.handle("zoe") in c.ctl("relationship", "carol")["followers"],
        "zoe among carol's followers on C",
    )
