"""Real Babillard servers on loopback, as the done-when of platforms asks: A and B are
peers; two institutions of Lyon report Cairn down on A, one of Lille on B. B's report
reaches A through the platform actors, so A counts three institutions in two cities,
shows both cities and opens an incident. Resolving it on A tells A's subscriber and the
follower of ``cairn@A`` on C.

The servers and their harness are in ``babillard.core.tests.servers``.
"""

import pytest

from babillard.core.tests.servers import (  # noqa: F401  (fixture)
    ApiClient,
    Instance,
    instances,
    wait_for,
)

API = "/api/babillard/v1"
SCOPES = "read write admin:write"
SETUP = """
from babillard.accounts.services import create_local_user
from babillard.institutions.models import Role, Site
from babillard.institutions.services import add_member
from babillard.outages import services
services.create_platform(None, name="Cairn", url=HOME)
services.add_peer(PEER)
for name, city in INSTITUTIONS:
    institution = create_local_user(name, name + "@example.org", "x" * 20, kind="institution")
    Site.objects.create(institution=institution.account, name="Centre", city=city)
    person = create_local_user(name + "_staff", name + "_staff@example.org", "x" * 20)
    add_member(institution.account, institution.account, person.account, Role.STAFF)
print("ok")
"""
MODERATOR = """
from babillard.accounts.models import User
User.objects.filter(username=USERNAME).update(is_moderator=True)
print("ok")
"""


@pytest.mark.own_databases
def test_reports_from_two_instances_count_together(instances: dict[str, Instance]) -> None:  # noqa: F811
    a, b, c = instances["a"], instances["b"], instances["c"]
    a.shell(
        SETUP,
        HOME=f"http://{a.domain}/about",
        PEER=b.domain,
        INSTITUTIONS=[["bm_lyon", "Lyon"], ["bu_lyon", "Lyon"]],
    )
    b.shell(
        SETUP,
        HOME=f"http://{b.domain}/about",
        PEER=a.domain,
        INSTITUTIONS=[["bu_lille", "Lille"]],
    )
    a.shell(MODERATOR, USERNAME="alice")
    # carol on C follows the platform actor of A, as a Mastodon user would.
    c.ctl("follow", "carol", a.handle("cairn"))
    wait_for(
        lambda: a.handle("cairn") in c.ctl("relationship", "carol")["following"], "cairn@A followed"
    )
    alice = ApiClient(a, "alice", SCOPES)
    [platform] = ApiClient(a).call("GET", f"{API}/platforms")
    assert alice.call("GET", f"{API}/incidents") == []
    # alice subscribes (the page's button calls this service).
    a.shell(
        "from babillard.accounts.models import Account; from babillard.outages import services;"
        "from babillard.outages.models import Platform;"
        "services.subscribe(Account.objects.get(username='alice', domain=''), Platform.objects.get())",
    )

    status_path = f"{API}/platforms/{platform['id']}/status"
    for name in ("bm_lyon", "bu_lyon"):
        ApiClient(a, f"{name}_staff", SCOPES).call(
            "POST", f"{API}/platforms/{platform['id']}/reports", json={"problem": "down"}
        )
    on_a = ApiClient(a).call("GET", status_path)
    assert on_a["state"] != "probable_outage" and on_a["cities"] == ["Lyon"]

    [on_b] = ApiClient(b).call("GET", f"{API}/platforms")
    ApiClient(b, "bu_lille_staff", SCOPES).call(
        "POST", f"{API}/platforms/{on_b['id']}/reports", json={"problem": "login"}
    )
    found = wait_for(
        lambda: (s := ApiClient(a).call("GET", status_path))["state"] == "probable_outage" and s,
        "B's report counted on A",
    )
    assert found["cities"] == ["Lille", "Lyon"] and found["institutions"] == 3
    incident = found["incident"]
    assert incident is not None and incident["state"] == "investigating"

    alice.call(
        "POST",
        f"{API}/incidents/{incident['id']}/updates",
        json={"state": "resolved", "message": "Rétabli"},
    )
    notified = wait_for(
        lambda: [n for n in alice.call("GET", "/api/v1/notifications") if n["type"] == "status"],
        "A's subscriber told",
    )
    assert notified[0]["account"]["acct"] == "cairn"
    home = wait_for(
        lambda: [s for s in c.ctl("home", "carol") if "Rétabli" in s["text"]],
        "the resolution in carol's home timeline on C",
    )
    assert home[0]["account"] == a.handle("cairn")
