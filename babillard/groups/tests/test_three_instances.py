"""Three real Babillard servers on loopback: a group on A with members on A, B and C.
A member's post on B is announced by the group to every member on every instance; the
moderator's removal withdraws it everywhere.

The servers and their harness are in ``babillard.core.tests.servers``.
"""

import pytest

from babillard.core.tests.servers import (  # noqa: F401  (fixture)
    Instance,
    instances,
    wait_for,
)

CREATE_GROUP = """
from babillard.accounts.models import Account
from babillard.groups import services
services.create_group(Account.objects.get(username="alice", domain=""), "polars",
    display_name="Polars", rules="Pas de divulgâchage.")
print("created")
"""
REMOVE_POST = """
from babillard.accounts.models import Account
from babillard.groups import queries, services
from babillard.statuses.models import Status
group = queries.get_group("polars")
services.remove_post(Account.objects.get(username="alice", domain=""), group,
    Status.objects.get(uri=URI))
print("removed")
"""


def _boosted_by_group(server: Instance, username: str, uri: str) -> bool:
    return any(s["reblog"] == uri for s in server.ctl("home", username))


@pytest.mark.own_databases
def test_a_group_across_three_instances(instances: dict[str, Instance]) -> None:  # noqa: F811
    a, b, c = instances["a"], instances["b"], instances["c"]
    assert a.shell(CREATE_GROUP) == "created"
    group = a.handle("polars")
    for server, username in ((b, "bob"), (c, "carol"), (c, "dan")):
        server.ctl("follow", username, group)
        wait_for(
            lambda s=server, u=username: group in s.ctl("relationship", u)["following"],
            f"{username} joining the group",
        )
    members = a.ctl("relationship", "polars")["followers"]
    assert set(members) == {"alice", b.handle("bob"), c.handle("carol"), c.handle("dan")}

    post = b.ctl("post", "bob", f"@{group} Qui a lu « La Cité des jarres » ?")
    for server, username in ((a, "alice"), (c, "carol"), (c, "dan")):
        wait_for(
            lambda s=server, u=username: _boosted_by_group(s, u, post["uri"]),
            f"the group's Announce reaching {username}",
        )

    assert a.shell(REMOVE_POST, URI=post["uri"]) == "removed"
    for server, username in ((a, "alice"), (c, "carol"), (c, "dan")):
        wait_for(
            lambda s=server, u=username: not _boosted_by_group(s, u, post["uri"]),
            f"the removal reaching {username}",
        )
