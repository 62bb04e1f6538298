"""Trends, suggestions, endorsements, featured hashtags, account notes, familiar
followers, conversation mutes, conversations' state and the link timeline,
through the client API over real rows."""

from typing import Any

import pytest

from babillard.accounts import services as account_services
from babillard.accounts.models import Account
from babillard.api.tests.conftest import ApiClient
from babillard.core.testing import make_account
from babillard.statuses import services as status_services
from babillard.timelines import trends

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_trends() -> None:
    trends.forget()


def _remote(username: str) -> Account:
    return account_services.update_remote_account(
        f"https://ailleurs.example/users/{username}",
        username=username,
        domain="ailleurs.example",
        inbox_url=f"https://ailleurs.example/users/{username}/inbox",
    )


def test_trending_tags_count_local_and_remote_accounts_with_a_history(
    alice: Account, bob: Account, anonymous: ApiClient
) -> None:
    status_services.post_status(alice, "Lecture du soir #Polar")
    status_services.post_status(alice, "Encore #polar et #solo")
    status_services.receive_remote_status(
        _remote("zoe"),
        uri="https://ailleurs.example/statuses/1",
        url="https://ailleurs.example/@zoe/1",
        content="<p>#polar</p>",
        visibility="public",
        tags=["polar"],
    )
    status_services.post_status(bob, "Privé #polar", visibility="private")
    response = anonymous.get("/api/v1/trends/tags")
    assert response.status_code == 200
    found = response.json()
    # #solo is used by one account only; the private post is not counted.
    assert [t["name"] for t in found] == ["Polar"]
    history = found[0]["history"]
    assert len(history) == 7
    assert history[0] == {"day": history[0]["day"], "uses": "3", "accounts": "2"}
    assert int(history[0]["day"]) % 86400 == 0
    assert anonymous.get("/api/v1/trends").json() == found
    assert anonymous.get("/api/v1/tags/polar").json()["history"][0]["uses"] == "3"


def test_trending_statuses_rank_by_boosts_and_favourites_and_respect_mutes(
    alice: Account, bob: Account, as_bob: ApiClient, anonymous: ApiClient
) -> None:
    carol = make_account("carol")
    quiet = status_services.post_status(alice, "Sans écho")
    liked = status_services.post_status(alice, "Apprécié")
    loved = status_services.post_status(carol, "Très apprécié")
    status_services.favourite(bob, liked)
    status_services.favourite(bob, loved)
    status_services.reblog(alice, loved)
    ids = [s["id"] for s in anonymous.get("/api/v1/trends/statuses").json()]
    assert ids == [str(loved.pk), str(liked.pk)]
    assert str(quiet.pk) not in ids
    account_services.mute(bob, carol)
    assert [s["id"] for s in as_bob.get("/api/v1/trends/statuses").json()] == [str(liked.pk)]


def test_trending_links_and_the_link_timeline(
    alice: Account, bob: Account, anonymous: ApiClient
) -> None:
    url = "https://bibliotheques.example/agenda?mois=mai&annee=2026"
    first = status_services.post_status(alice, f"Le programme : {url} #agenda")
    second = status_services.post_status(bob, f"À lire {url}")
    status_services.post_status(bob, "Un autre lien https://autre.example/")
    links = anonymous.get("/api/v1/trends/links").json()
    assert [link["url"] for link in links] == [url]
    assert links[0]["provider_name"] == "bibliotheques.example"
    assert links[0]["history"][0]["accounts"] == "2"
    timeline = anonymous.get("/api/v1/timelines/link", {"url": url})
    assert [s["id"] for s in timeline.json()] == [str(second.pk), str(first.pk)]
    assert anonymous.get("/api/v1/timelines/link").status_code == 400


def test_suggestions_prefer_friends_of_followings_and_can_be_dismissed(
    alice: Account, bob: Account, as_alice: ApiClient
) -> None:
    carol = make_account("carol")
    dave = make_account("dave")
    account_services.follow(alice, bob)
    account_services.follow(bob, carol)
    account_services.follow(carol, dave)
    found = as_alice.get("/api/v2/suggestions").json()
    assert [(s["account"]["id"], s["sources"], s["source"]) for s in found] == [
        (str(carol.pk), ["friends_of_followings"], "past_interactions"),
        (str(dave.pk), ["most_followed"], "global"),
    ]
    assert [a["id"] for a in as_alice.get("/api/v1/suggestions").json()] == [
        str(carol.pk),
        str(dave.pk),
    ]
    assert as_alice.delete(f"/api/v1/suggestions/{carol.pk}").json() == {}
    assert [s["account"]["id"] for s in as_alice.get("/api/v2/suggestions").json()] == [
        str(dave.pk)
    ]


def test_endorsements_need_a_follow_and_show_in_the_relationship(
    alice: Account, bob: Account, as_alice: ApiClient
) -> None:
    refused = as_alice.post(f"/api/v1/accounts/{bob.pk}/pin")
    assert refused.status_code == 422
    assert refused.json()["error"] == (
        "Validation failed: You can only feature accounts you follow."
    )
    account_services.follow(alice, bob)
    assert as_alice.post(f"/api/v1/accounts/{bob.pk}/pin").json()["endorsed"] is True
    listed = as_alice.get("/api/v1/endorsements")
    assert [a["id"] for a in listed.json()] == [str(bob.pk)]
    assert 'rel="next"' in listed["Link"]
    relation = as_alice.get("/api/v1/accounts/relationships", {"id[]": [bob.pk]}).json()
    assert relation[0]["endorsed"] is True
    assert as_alice.post(f"/api/v1/accounts/{bob.pk}/unendorse").json()["endorsed"] is False
    as_alice.post(f"/api/v1/accounts/{bob.pk}/endorse")
    account_services.unfollow(alice, bob)
    assert as_alice.get("/api/v1/endorsements").json() == []


def test_featured_tags_crud_suggestions_and_profile(
    alice: Account, as_alice: ApiClient, as_bob: ApiClient
) -> None:
    status_services.post_status(alice, "Rencontre #Polar")
    status_services.post_status(alice, "Club #BD")
    suggested = {t["name"] for t in as_alice.get("/api/v1/featured_tags/suggestions").json()}
    assert suggested == {"Polar", "BD"}
    created = as_alice.post("/api/v1/featured_tags", {"name": "#polar"}).json()
    assert created["name"] == "Polar"
    assert created["statuses_count"] == 1
    assert created["last_status_at"] is not None
    assert created["url"].endswith("/@alice/tagged/polar")
    assert as_alice.post("/api/v1/featured_tags", {"name": "pas un tag!"}).status_code == 422
    assert [t["name"] for t in as_alice.get("/api/v1/featured_tags/suggestions").json()] == ["BD"]
    shown = as_bob.get(f"/api/v1/accounts/{alice.pk}/featured_tags").json()
    assert [t["id"] for t in shown] == [created["id"]]
    assert as_bob.delete(f"/api/v1/featured_tags/{created['id']}").status_code == 404
    assert as_alice.delete(f"/api/v1/featured_tags/{created['id']}").json() == {}
    assert as_alice.get("/api/v1/featured_tags").json() == []


def test_account_notes_are_private_to_their_author(
    alice: Account, bob: Account, as_alice: ApiClient, as_bob: ApiClient
) -> None:
    saved = as_alice.post(f"/api/v1/accounts/{bob.pk}/note", {"comment": "Responsable du fonds"})
    assert saved.json()["note"] == "Responsable du fonds"
    relation = as_alice.get("/api/v1/accounts/relationships", {"id[]": [bob.pk]}).json()
    assert relation[0]["note"] == "Responsable du fonds"
    other = as_bob.get("/api/v1/accounts/relationships", {"id[]": [alice.pk]}).json()
    assert other[0]["note"] == ""
    too_long = as_alice.post(f"/api/v1/accounts/{bob.pk}/note", {"comment": "x" * 2001})
    assert too_long.status_code == 422
    cleared = as_alice.post(f"/api/v1/accounts/{bob.pk}/note", {"comment": ""})
    assert cleared.json()["note"] == ""


def test_familiar_followers_are_followed_accounts_that_follow_the_target(
    alice: Account, bob: Account, as_alice: ApiClient
) -> None:
    carol = make_account("carol")
    dave = make_account("dave")
    account_services.follow(alice, bob)
    account_services.follow(bob, carol)
    account_services.follow(dave, carol)
    found = as_alice.get("/api/v1/accounts/familiar_followers", {"id[]": [carol.pk, 0]}).json()
    assert found == [{"id": str(carol.pk), "accounts": [found[0]["accounts"][0]]}]
    assert found[0]["accounts"][0]["id"] == str(bob.pk)


def test_a_muted_conversation_notifies_no_more(
    alice: Account, bob: Account, as_alice: ApiClient, as_bob: ApiClient
) -> None:
    root = status_services.post_status(alice, "Qui vient samedi ?")
    reply = status_services.post_status(bob, "@alice moi", in_reply_to=root)
    muted = as_alice.post(f"/api/v1/statuses/{reply.pk}/mute").json()
    assert muted["muted"] is True
    assert as_alice.get(f"/api/v1/statuses/{root.pk}").json()["muted"] is True
    before = len(as_alice.get("/api/v1/notifications").json())
    status_services.post_status(bob, "@alice et ma voisine", in_reply_to=reply)
    status_services.favourite(bob, root)
    assert len(as_alice.get("/api/v1/notifications").json()) == before
    assert as_alice.post(f"/api/v1/statuses/{root.pk}/unmute").json()["muted"] is False
    status_services.reblog(bob, root)
    assert as_alice.get("/api/v1/notifications").json()[0]["type"] == "reblog"


def test_conversations_unread_read_and_remove(
    alice: Account, bob: Account, as_alice: ApiClient, as_bob: ApiClient
) -> None:
    first = status_services.post_status(bob, "@alice une question", visibility="direct")

    def listed() -> list[Any]:
        return as_alice.get("/api/v1/conversations").json()  # type: ignore[no-any-return]

    assert [(c["id"], c["unread"]) for c in listed()] == [(str(first.pk), True)]
    assert as_alice.post(f"/api/v1/conversations/{first.pk}/read").json()["unread"] is False
    assert listed()[0]["unread"] is False
    assert as_alice.delete(f"/api/v1/conversations/{first.pk}").json() == {}
    assert listed() == []
    assert as_bob.get("/api/v1/conversations").json()[0]["id"] == str(first.pk)
    status_services.post_status(bob, "@alice tu es là ?", visibility="direct", in_reply_to=first)
    assert [(c["id"], c["unread"]) for c in listed()] == [(str(first.pk), True)]
