"""``/api/babillard/v1/groups``: the contract paths over plain HTTP, with their error cases."""

from collections.abc import Callable
from typing import Any

from babillard.api.tests.conftest import ApiClient
from babillard.core.testing import make_account

V1 = "/api/babillard/v1"


def test_create_join_post_and_moderate_through_the_api(
    db: Any, token_for: Callable[..., str]
) -> None:
    claire, alice, zoe = make_account("claire"), make_account("alice"), make_account("zoe")
    mod, member, stranger = (ApiClient(token_for(a)) for a in (claire, alice, zoe))
    anonymous = ApiClient()
    created = mod.post(
        f"{V1}/groups",
        {
            "username": "polars",
            "display_name": "Polars",
            "rules": "Pas de divulgâchage.",
            "join_mode": "approval",
            "hold_posts": True,
        },
    )
    assert created.status_code == 200, created.content
    body = created.json()
    assert body["join_mode"] == "approval" and body["moderator"] is True
    assert body["membership"] == "member" and body["members_count"] == 1
    assert mod.post(f"{V1}/groups", {"username": "polars"}).status_code == 422
    assert mod.post(f"{V1}/groups", {"username": "x", "join_mode": "secret"}).status_code == 422
    assert anonymous.post(f"{V1}/groups", {"username": "anon"}).status_code == 401
    assert [g["username"] for g in anonymous.get(f"{V1}/groups").json()] == ["polars"]
    assert anonymous.get(f"{V1}/groups/nope").status_code == 404

    assert member.post(f"{V1}/groups/polars/membership").json() == {"membership": "requested"}
    assert member.get(f"{V1}/groups/polars/requests").status_code == 403
    assert [a["username"] for a in mod.get(f"{V1}/groups/polars/requests").json()] == ["alice"]
    assert mod.post(f"{V1}/groups/polars/members/{alice.pk}/approve").status_code == 200
    assert member.get(f"{V1}/groups/polars").json()["membership"] == "member"
    names = [a["username"] for a in anonymous.get(f"{V1}/groups/polars/members").json()]
    assert names == ["alice", "claire"]

    assert stranger.post(f"{V1}/groups/polars/statuses", {"status": "Bonjour"}).status_code == 403
    posted = member.post(f"{V1}/groups/polars/statuses", {"status": "Un avis sur Indridason ?"})
    assert posted.status_code == 200
    status_id = posted.json()["id"]
    assert anonymous.get(f"{V1}/groups/polars/statuses").json() == []
    assert [s["id"] for s in mod.get(f"{V1}/groups/polars/pending").json()] == [status_id]
    assert member.post(f"{V1}/groups/polars/statuses/{status_id}/accept").status_code == 403
    assert mod.post(f"{V1}/groups/polars/statuses/{status_id}/accept").status_code == 200
    shared = anonymous.get(f"{V1}/groups/polars/statuses")
    assert [s["id"] for s in shared.json()] == [status_id]
    assert "Link" in shared
    assert mod.delete(f"{V1}/groups/polars/statuses/{status_id}").status_code == 200
    assert anonymous.get(f"{V1}/groups/polars/statuses").json() == []

    assert mod.post(f"{V1}/groups/polars/moderators/{alice.pk}").status_code == 200
    assert member.get(f"{V1}/groups/polars").json()["moderator"] is True
    assert mod.patch(f"{V1}/groups/polars", {"join_mode": "invitation"}).json()["join_mode"] == (
        "invitation"
    )
    assert stranger.post(f"{V1}/groups/polars/membership").status_code == 403
    assert member.post(f"{V1}/groups/polars/members/{zoe.pk}/invite").status_code == 200
    assert stranger.post(f"{V1}/groups/polars/membership").json() == {"membership": "member"}
    assert member.delete(f"{V1}/groups/polars/members/{zoe.pk}").status_code == 200
    assert stranger.get(f"{V1}/groups/polars").json()["membership"] is None
    assert member.delete(f"{V1}/groups/polars/membership").json() == {"membership": None}
    assert mod.delete(f"{V1}/groups/polars/members/999999").status_code == 404


def test_openapi_describes_the_group_paths(db: Any) -> None:
    document = ApiClient().get(f"{V1}/openapi.json").json()
    paths = document["paths"]
    for path in (
        "/api/babillard/v1/groups",
        "/api/babillard/v1/groups/{username}",
        "/api/babillard/v1/groups/{username}/membership",
        "/api/babillard/v1/groups/{username}/members",
        "/api/babillard/v1/groups/{username}/statuses",
        "/api/babillard/v1/groups/{username}/pending",
        "/api/babillard/v1/groups/{username}/members/{account_id}",
        "/api/babillard/v1/groups/{username}/statuses/{status_id}",
    ):
        assert path in paths, path
    assert "GroupEntity" in document["components"]["schemas"]
    assert set(paths["/api/babillard/v1/groups"]["post"]["responses"]) >= {"200", "401", "422"}


def test_groups_are_found_by_search_as_groups(db: Any, token_for: Callable[..., str]) -> None:
    claire = make_account("claire")
    ApiClient(token_for(claire)).post(
        f"{V1}/groups", {"username": "catalogage", "display_name": "Catalogage"}
    )
    found = ApiClient(token_for(make_account("alice"))).get(
        "/api/v2/search", {"q": "catalogage", "type": "accounts"}
    )
    assert [(a["acct"], a["group"]) for a in found.json()["accounts"]] == [("catalogage", True)]
    assert ApiClient().get(f"/api/v1/accounts/{claire.pk}").json()["group"] is False
