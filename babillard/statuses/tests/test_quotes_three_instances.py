"""Three real Babillard servers on loopback: quotes with consent and reply policies.

Bob on B quotes Alice's post on A: the quote is requested, approved by A and shown on
A, B and C (Carol on C follows Bob). A quote that A's policy refuses is never shown.
Alice revokes the approved quote: it becomes unavailable on every instance. A reply
that the policy of Alice's post refuses is refused on B, and not attached on A when B
sends it anyway. Driven through the client API, as people's apps would.

The servers and their harness are in ``babillard.core.tests.servers``.
"""

from typing import Any

import httpx
import pytest

from babillard.core.tests.servers import (  # noqa: F401  (fixture)
    ApiClient,
    Instance,
    instances,
    wait_for,
)

# B behaving as a server that ignores reply policies (Mastodon does not enforce them).
FORGET_REPLY_POLICY = """
from babillard.statuses.models import Status
Status.objects.filter(uri=URI).update(reply_policy="anyone")
print("ok")
"""


class Person(ApiClient):
    """One account's API client on one instance, and what it posts and finds."""

    def post(self, **fields: Any) -> Any:
        return self.call("POST", "/api/v1/statuses", json=fields)

    def find(self, uri: str) -> Any:
        """A post by its address, fetched by this instance as a Mastodon client asks it."""
        found = self.call("GET", "/api/v2/search", params={"q": uri, "resolve": "true"})
        [status] = found["statuses"]
        return status

    def status(self, status_id: str) -> Any:
        return self.call("GET", f"/api/v1/statuses/{status_id}")

    def home_quote(self, uri: str) -> Any:
        """The ``quote`` of the post ``uri`` in this person's home timeline, or None."""
        for status in self.call("GET", "/api/v1/timelines/home"):
            if status["uri"] == uri:
                return status["quote"]
        return None


@pytest.mark.own_databases
def test_quotes_and_reply_policies_across_three_instances(
    instances: dict[str, Instance],  # noqa: F811
) -> None:
    a, b, c = instances["a"], instances["b"], instances["c"]
    alice, bob, carol = Person(a, "alice"), Person(b, "bob"), Person(c, "carol")
    c.ctl("follow", "carol", b.handle("bob"))
    wait_for(lambda: c.handle("carol") in b.ctl("relationship", "bob")["followers"], "follow")

    # Requested, approved by A, shown on all three.
    source = alice.post(status="C'est moi ou CAIRN est en panne ?", quote_approval_policy="public")
    on_b = bob.find(source["uri"])
    assert on_b["quote_approval"]["current_user"] == "automatic"
    quote = bob.post(status="Pareil à Lyon.", quoted_status_id=on_b["id"])
    assert quote["quote"]["state"] in ("pending", "accepted")
    wait_for(lambda: bob.status(quote["id"])["quote"]["state"] == "accepted", "A's Accept on B")
    shown = bob.status(quote["id"])["quote"]["quoted_status"]
    assert shown["uri"] == source["uri"] and "CAIRN" in shown["content"]
    wait_for(
        lambda: (
            [q["uri"] for q in alice.call("GET", f"/api/v1/statuses/{source['id']}/quotes")]
            == [quote["uri"]]
        ),
        "the quote listed on A",
    )
    assert alice.status(source["id"])["quotes_count"] == 1
    kinds = [n["type"] for n in alice.call("GET", "/api/v1/notifications")]
    assert "quote" in kinds
    on_c = wait_for(
        lambda: (q := carol.home_quote(quote["uri"])) and q["state"] == "accepted" and q,
        "the approved quote on C",
    )
    assert on_c["quoted_status"]["uri"] == source["uri"]

    # Refused by the policy: never shown. B learnt the post while it was open to quotes;
    # Alice closed it since, and B (nobody there follows her) was not told.
    closed = alice.post(status="Devis reçu ce matin", quote_approval_policy="public")
    closed_on_b = bob.find(closed["uri"])
    alice.call(
        "PUT",
        f"/api/v1/statuses/{closed['id']}/interaction_policy",
        json={"quote_approval_policy": "nobody"},
    )
    refused = bob.post(status="Je cite quand même", quoted_status_id=closed_on_b["id"])
    assert refused["quote"] == {"state": "pending", "quoted_status": None}
    wait_for(lambda: bob.status(refused["id"])["quote"]["state"] == "rejected", "A's Reject")
    on_c_refused = wait_for(lambda: carol.home_quote(refused["uri"]), "the refused quote on C")
    assert on_c_refused == {"state": "pending", "quoted_status": None}
    assert alice.call("GET", f"/api/v1/statuses/{closed['id']}/quotes") == []

    # Revoked by Alice: unavailable everywhere, and the stamp is gone.
    [listed] = alice.call("GET", f"/api/v1/statuses/{source['id']}/quotes")
    stamp = httpx.get(
        f"http://{b.domain}/users/bob/statuses/{quote['id']}",
        headers={"Accept": "application/activity+json"},
        timeout=30,
    ).json()["quoteAuthorization"]
    assert httpx.get(stamp, headers={"Accept": "application/activity+json"}).status_code == 200
    revoked = alice.call("POST", f"/api/v1/statuses/{source['id']}/quotes/{listed['id']}/revoke")
    assert revoked["quote"] == {"state": "revoked", "quoted_status": None}
    wait_for(lambda: bob.status(quote["id"])["quote"]["state"] == "revoked", "revoked on B")
    wait_for(lambda: carol.home_quote(quote["uri"])["state"] == "revoked", "revoked on C")
    assert carol.home_quote(quote["uri"])["quoted_status"] is None
    assert httpx.get(stamp, headers={"Accept": "application/activity+json"}).status_code == 404
    assert alice.status(source["id"])["quotes_count"] == 0

    # Who may reply: refused on B with a clear message; not attached on A when sent anyway.
    question = alice.post(status="Une question pour mon équipe", reply_policy="mentioned")
    question_on_b = bob.find(question["uri"])
    assert question_on_b["babillard"]["reply_policy"] == "mentioned"
    answer = bob.call(
        "POST",
        "/api/v1/statuses",
        expect=422,
        json={"status": "Je réponds", "in_reply_to_id": question_on_b["id"]},
    )
    assert "Only the people mentioned in this post may reply" in answer["error"]
    b.shell(FORGET_REPLY_POLICY, URI=question["uri"])
    sent = bob.post(
        status=f"@{a.handle('alice')} je réponds quand même", in_reply_to_id=question_on_b["id"]
    )
    allowed = bob.post(status=f"@{a.handle('alice')} bravo", in_reply_to_id=on_b["id"])
    wait_for(lambda: alice.status(source["id"])["replies_count"] == 1, "an allowed reply on A")
    context = alice.call("GET", f"/api/v1/statuses/{question['id']}/context")
    assert context["descendants"] == []
    assert alice.status(question["id"])["replies_count"] == 0
    assert a.ctl("status", sent["uri"]) is None  # dropped, as documented
    assert allowed["in_reply_to_id"] == on_b["id"]
