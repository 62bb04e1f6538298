"""Groups over ActivityPub (FEP-1b12): remote members join with a Follow, post by a
Mastodon-shaped mention or a Lemmy-shaped ``Create`` with ``audience``; the group
announces their posts to its followers and withdraws removed ones."""

import itertools
import json
from pathlib import Path
from typing import Any

from django.test import Client

from babillard.accounts.models import AccountKind, Follow
from babillard.federation.activities import PUBLIC
from babillard.federation.models import InboxActivity
from babillard.federation.remote import resolve_actor
from babillard.federation.tests.conftest import FakeNetwork, RemoteActor, signed_post
from babillard.groups import queries, services
from babillard.groups.models import Group, GroupPost, JoinMode, PostState
from babillard.statuses.models import Status

FIXTURES = Path(__file__).parent / "fixtures"
FOLLOW_IDS = itertools.count()


def fixture(name: str, group: Group) -> dict[str, Any]:
    text = (FIXTURES / name).read_text()
    text = text.replace('"GROUP"', json.dumps(group.account.uri))
    text = text.replace("GROUP_URL", group.account.url or group.account.uri)
    return json.loads(text)  # type: ignore[no-any-return]


def _join(client: Client, actor: RemoteActor, group: Group) -> Any:
    follow = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{actor.uri}#follows/{next(FOLLOW_IDS)}",
        "type": "Follow",
        "actor": actor.uri,
        "object": group.account.uri,
    }
    return signed_post(client, f"/users/{group.account.username}/inbox", follow, actor)


def test_a_mastodon_member_mentions_the_group_and_it_is_announced(
    client: Client, network: FakeNetwork, group: Group
) -> None:
    marc = network.actor("marc", host="mastodon.example")
    lemmy = network.actor("lea", host="lemmy.example", uri="https://lemmy.example/u/lea")
    assert _join(client, marc, group).status_code == 202
    assert _join(client, lemmy, group).status_code == 202
    assert {a.uri for a in queries.members(group)} >= {marc.uri, lemmy.uri}
    assert [a["type"] for a in network.activities("Accept")] == ["Accept", "Accept"]
    network.sent.clear()
    assert (
        signed_post(client, "/inbox", fixture("mastodon_mention.json", group), marc).status_code
        == 202
    )
    status = Status.objects.get(uri="https://mastodon.example/users/marc/statuses/111")
    assert GroupPost.objects.get(status=status).state == PostState.ACCEPTED
    announces = [(url, a) for url, a in network.sent if a["type"] == "Announce"]
    inboxes = {url for url, _a in announces}
    assert inboxes == {"https://mastodon.example/inbox", "https://lemmy.example/inbox"}
    announce = announces[0][1]
    assert announce["actor"] == group.account.uri
    assert announce["object"] == status.uri
    assert announce["audience"] == group.account.uri
    assert announce["to"] == [PUBLIC]
    assert f"{group.account.uri}/followers" in announce["cc"]


def test_a_lemmy_post_to_the_group_is_announced_then_removed(
    client: Client, network: FakeNetwork, group: Group, founder: Any
) -> None:
    lea = network.actor("lea", host="lemmy.example", uri="https://lemmy.example/u/lea")
    marc = network.actor("marc", host="mastodon.example")
    _join(client, lea, group)
    _join(client, marc, group)
    network.sent.clear()
    response = signed_post(client, "/inbox", fixture("lemmy_create_page.json", group), lea)
    assert response.status_code == 202
    assert InboxActivity.objects.get(actor_uri=lea.uri, activity_type="Create").error == (
        "group post accepted"
    )
    status = Status.objects.get(uri="https://lemmy.example/post/42")
    assert "club de lecture" in status.content
    assert {url for url, a in network.sent if a["type"] == "Announce"} == {
        "https://mastodon.example/inbox",
        "https://lemmy.example/inbox",
    }
    network.sent.clear()
    services.remove_post(founder, group, status)
    undos = [(url, a) for url, a in network.sent if a["type"] == "Undo"]
    assert {url for url, _a in undos} == {
        "https://mastodon.example/inbox",
        "https://lemmy.example/inbox",
    }
    assert all(a["object"]["type"] == "Announce" for _url, a in undos)
    assert list(queries.timeline(group, None)) == []


def test_a_stranger_post_is_not_announced(
    client: Client, network: FakeNetwork, group: Group
) -> None:
    lea = network.actor("lea", host="lemmy.example", uri="https://lemmy.example/u/lea")
    signed_post(client, "/inbox", fixture("lemmy_create_page.json", group), lea)
    assert not Status.objects.filter(uri="https://lemmy.example/post/42").exists()
    assert network.activities("Announce") == []


def test_remote_joins_follow_the_groups_rules(
    client: Client, network: FakeNetwork, founder: Any
) -> None:
    secret = services.create_group(founder, "cercle", join_mode=JoinMode.INVITATION)
    strict = services.create_group(founder, "huis_clos", join_mode=JoinMode.APPROVAL)
    marc = network.actor("marc", host="mastodon.example")
    _join(client, marc, secret)
    assert [a["type"] for a in network.activities()] == ["Reject"]
    assert not queries.is_member(resolve_actor(marc.uri), secret)
    services.invite(founder, secret, resolve_actor(marc.uri))
    network.sent.clear()
    _join(client, marc, secret)
    assert queries.is_member(resolve_actor(marc.uri), secret)
    _join(client, marc, strict)
    member = resolve_actor(marc.uri)
    assert list(queries.join_requests(strict)) == [member]
    services.approve_member(founder, strict, member)
    assert Follow.objects.filter(account=member, target=strict.account).exists()


def test_remote_group_actors_are_read_as_groups_and_teams_stay_teams(
    network: FakeNetwork, db: Any
) -> None:
    community = network.actor(
        "polars",
        host="lemmy.example",
        kind="Group",
        uri="https://lemmy.example/c/polars",
        attributedTo="https://lemmy.example/c/polars/moderators",
        postingRestrictedToMods=False,
    )
    team = network.actor("events", host="mobilizon.example", kind="Group")
    assert resolve_actor(community.uri).kind == AccountKind.GROUP
    assert resolve_actor(team.uri).kind == AccountKind.TEAM
