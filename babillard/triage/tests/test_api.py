"""The triage API: Mastodon 4.3's notification policy and requests, the markers, and
``/api/babillard/v1/`` digest, priorities and catch-up."""

from collections.abc import Callable

import pytest

from babillard.accounts import services as account_services
from babillard.accounts.models import Account
from babillard.api.tests.conftest import ApiClient
from babillard.core.testing import make_account
from babillard.statuses import services as status_services
from babillard.timelines import services as timeline_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader() -> Account:
    return make_account("reader")


@pytest.fixture
def as_reader(reader: Account, token_for: Callable[..., str]) -> ApiClient:
    return ApiClient(token_for(reader))


def test_policy_defaults_update_and_summary(as_reader: ApiClient, reader: Account) -> None:
    policy = as_reader.get("/api/v2/notifications/policy").json()
    assert policy == {
        "for_not_following": "accept",
        "for_not_followers": "accept",
        "for_new_accounts": "accept",
        "for_private_mentions": "accept",
        "for_limited_accounts": "accept",
        "summary": {"pending_requests_count": 0, "pending_notifications_count": 0},
    }
    changed = as_reader.patch("/api/v2/notifications/policy", {"for_not_following": "filter"})
    assert changed.status_code == 200
    assert changed.json()["for_not_following"] == "filter"

    stranger = make_account("stranger")
    status_services.post_status(stranger, "@reader bonjour")
    status_services.post_status(stranger, "@reader re")
    summary = as_reader.get("/api/v2/notifications/policy").json()["summary"]
    assert summary == {"pending_requests_count": 1, "pending_notifications_count": 2}

    wrong = as_reader.patch("/api/v2/notifications/policy", {"for_new_accounts": "sometimes"})
    assert wrong.status_code == 422
    assert "accept, filter or drop" in wrong.json()["error"]


def test_requests_list_show_accept_and_dismiss(as_reader: ApiClient, reader: Account) -> None:
    as_reader.patch("/api/v2/notifications/policy", {"for_not_following": "filter"})
    first, second = make_account("first"), make_account("second")
    status_services.post_status(first, "@reader question publique")
    status_services.post_status(second, "@reader autre question")

    assert as_reader.get("/api/v1/notifications").json() == []
    held = as_reader.get("/api/v1/notifications", {"include_filtered": "true"}).json()
    assert len(held) == 2

    listed = as_reader.get("/api/v1/notifications/requests").json()
    assert [r["account"]["username"] for r in listed] == ["second", "first"]
    assert listed[0]["notifications_count"] == "1"
    assert "autre question" in listed[0]["last_status"]["content"]
    one = as_reader.get(f"/api/v1/notifications/requests/{listed[1]['id']}").json()
    assert one["account"]["username"] == "first"

    assert as_reader.post(f"/api/v1/notifications/requests/{listed[1]['id']}/accept").json() == {}
    shown = as_reader.get("/api/v1/notifications").json()
    assert [n["account"]["username"] for n in shown] == ["first"]
    assert as_reader.get("/api/v1/notifications/requests/merged").json() == {"merged": True}

    dismissed = as_reader.post("/api/v1/notifications/requests/dismiss", {"id": [listed[0]["id"]]})
    assert dismissed.status_code == 200
    assert as_reader.get("/api/v1/notifications/requests").json() == []
    assert as_reader.get(f"/api/v1/notifications/requests/{listed[0]['id']}").status_code == 404


def test_someone_elses_request_is_not_found(
    as_reader: ApiClient, reader: Account, token_for: Callable[..., str]
) -> None:
    as_reader.patch("/api/v2/notifications/policy", {"for_not_following": "filter"})
    status_services.post_status(make_account("stranger"), "@reader coucou")
    request_id = as_reader.get("/api/v1/notifications/requests").json()[0]["id"]
    other = ApiClient(token_for(make_account("other")))
    assert other.get(f"/api/v1/notifications/requests/{request_id}").status_code == 404
    assert other.post(f"/api/v1/notifications/requests/{request_id}/accept").status_code == 404


def test_exclusive_lists_through_the_mastodon_api(as_reader: ApiClient, reader: Account) -> None:
    anna = make_account("anna")
    account_services.follow(reader, anna)
    created = as_reader.post("/api/v1/lists", {"title": "Veille", "exclusive": True}).json()
    assert created["exclusive"] is True
    as_reader.post(f"/api/v1/lists/{created['id']}/accounts", {"account_ids": [str(anna.pk)]})
    status_services.post_status(anna, "Réservé à la liste")
    assert as_reader.get("/api/v1/timelines/home").json() == []
    listed = as_reader.get(f"/api/v1/timelines/list/{created['id']}").json()
    assert [s["content"] for s in listed] == ["<p>Réservé à la liste</p>"]


def test_digest_returns_ranked_statuses_with_their_score(
    as_reader: ApiClient, reader: Account
) -> None:
    anna, basile = make_account("anna"), make_account("basile")
    for account in (anna, basile):
        account_services.follow(reader, account)
    quiet = status_services.post_status(anna, "Calme")
    loved = status_services.post_status(basile, "Très aimé")
    status_services.favourite(anna, loved)
    status_services.reblog(anna, loved)

    ranked = as_reader.get("/api/babillard/v1/digest", {"period": "day"}).json()
    assert [item["status"]["id"] for item in ranked] == [str(loved.pk), str(quiet.pk)]
    top = ranked[0]
    assert (top["favourites"], top["reblogs"]) == (1, 1)
    # Both interactions are seconds old: close to their full weights, 1 + 2.
    assert 2.99 < top["score"] <= 3.0
    assert ranked[1]["score"] == 0.0

    veille = timeline_services.create_list(reader, "Veille")
    timeline_services.add_to_list(reader, veille, [anna])
    listed = as_reader.get(
        "/api/babillard/v1/digest", {"list_id": str(veille.pk), "period": "week"}
    ).json()
    assert [item["status"]["id"] for item in listed] == [str(quiet.pk)]

    assert as_reader.get("/api/babillard/v1/digest", {"period": "year"}).status_code == 422
    assert as_reader.get("/api/babillard/v1/digest", {"list_id": "999999"}).status_code == 404
    assert ApiClient().get("/api/babillard/v1/digest").status_code == 401


def test_priorities_and_catch_up(as_reader: ApiClient, reader: Account) -> None:
    anna, basile = make_account("anna", display_name="Anna"), make_account("basile")
    for account in (anna, basile):
        account_services.follow(reader, account)
    put = as_reader.put(f"/api/babillard/v1/priorities/{basile.pk}", {"level": "glance"})
    assert put.json()["level"] == "glance"
    assert [
        p["account"]["username"] for p in as_reader.get("/api/babillard/v1/priorities").json()
    ] == ["basile"]
    assert (
        as_reader.put(f"/api/babillard/v1/priorities/{anna.pk}", {"level": "x"}).status_code == 422
    )

    status_services.post_status(anna, "Un #test")
    status_services.post_status(anna, "Deux")
    status_services.post_status(basile, "Replié")
    found = as_reader.get("/api/babillard/v1/catch_up").json()
    assert found["total"] == 2
    assert [(g["label"], g["count"]) for g in found["by_author"]] == [("Anna", 2)]
    assert [g["label"] for g in found["by_tag"]] == ["#test"]

    marker = as_reader.post("/api/babillard/v1/catch_up/read").json()
    assert marker["last_read_id"] == found["newest_id"]
    home = as_reader.get("/api/v1/markers", {"timeline[]": "home"}).json()
    assert home["home"]["last_read_id"] == found["newest_id"]
    assert as_reader.get("/api/babillard/v1/catch_up").json()["total"] == 0

    assert as_reader.delete(f"/api/babillard/v1/priorities/{basile.pk}").status_code == 200
    assert as_reader.get("/api/babillard/v1/priorities").json() == []
