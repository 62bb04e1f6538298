"""The group pages: directory and creation, joining, posting, members and moderation."""

from typing import Any

from django.test import Client

from babillard.core.testing import PASSWORD, make_account
from babillard.groups import queries
from babillard.groups.models import GroupPost, PostState


def _client(account: Any) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    assert client.login(username=account.username, password=PASSWORD)
    return client


def test_create_join_post_and_moderate_from_the_pages(db: Any) -> None:
    claire, alice = make_account("claire"), make_account("alice")
    founder, member, visitor = _client(claire), _client(alice), Client()
    created = founder.post(
        "/groups",
        {
            "username": "polars",
            "display_name": "Polars",
            "rules": "Pas de divulgâchage.",
            "join_mode": "approval",
            "hold_posts": "on",
        },
    )
    assert created.status_code == 302 and created["Location"] == "/groups/polars"
    assert "Polars" in visitor.get("/groups").content.decode()
    page = visitor.get("/groups/polars").content.decode()
    assert "Pas de divulgâchage." in page and "Join the group" not in page

    member.post("/groups/polars/join")
    assert queries.has_requested(alice, queries.get_group("polars"))
    assert member.get("/groups/polars/moderation").status_code == 403
    founder.post("/groups/polars/moderation", {"action": "approve", "target": alice.pk})
    group = queries.get_group("polars")
    assert queries.is_member(alice, group)

    member.post("/groups/polars", {"text": "Qui a lu « Le Lagon noir » ?"})
    post = GroupPost.objects.get(group=group)
    assert post.state == PostState.PENDING
    assert "Le Lagon noir" in founder.get("/groups/polars/moderation").content.decode()
    founder.post("/groups/polars/moderation", {"action": "accept_post", "target": post.status_id})
    assert "Le Lagon noir" in visitor.get("/groups/polars").content.decode()
    founder.post("/groups/polars/moderation", {"action": "remove_post", "target": post.status_id})
    assert "Le Lagon noir" not in visitor.get("/groups/polars").content.decode()

    assert "@alice" in visitor.get("/groups/polars/members").content.decode()
    founder.post("/groups/polars/moderation", {"action": "remove", "target": alice.pk})
    assert not queries.is_member(alice, group)
    founder.post(
        "/groups/polars/moderation",
        {"save": "1", "display_name": "Polars du Nord", "join_mode": "invitation", "rules": ""},
    )
    assert queries.get_group("polars").join_mode == "invitation"
    founder.post("/groups/polars/moderation", {"action": "invite", "target": "@alice"})
    member.post("/groups/polars/join")
    assert queries.is_member(alice, group)
    french = Client(headers={"Accept-Language": "fr"}).get("/groups/polars").content.decode()
    assert "Publications" in french or "membre" in french
    collection = visitor.get("/groups/polars/moderators", HTTP_ACCEPT="application/activity+json")
    assert collection.json()["orderedItems"] == [claire.uri]


def test_a_group_as_a_column_of_the_deck(db: Any) -> None:
    claire, alice = make_account("claire"), make_account("alice")
    founder, reader = _client(claire), _client(alice)
    founder.post("/groups", {"username": "polars", "display_name": "Polars", "join_mode": "open"})
    founder.post("/groups/polars", {"text": "Rencontre autour du « Lagon noir » jeudi"})
    assert reader.get("/groups/polars").content.decode().count("Add to my deck") == 1
    assert reader.post("/groups/polars/deck")["Location"] == "/deck"
    deck = reader.get("/deck").content.decode()
    assert "Group: Polars" in deck and "Lagon noir" in deck
    assert Client().post("/groups/polars/deck").status_code == 302
    assert reader.post("/groups/personne/deck").status_code == 404
