"""What real clients depend on beyond the entities: JSON errors, CORS, Link headers,
form/JSON/multipart bodies, trailing slashes, idempotency and rate limits."""

import errno
import json
import re
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from babillard.accounts.models import Account, AddressUse, User
from babillard.api.base import _from_multivalue
from babillard.api.tests.conftest import ApiClient
from babillard.core.testing import image_bytes
from babillard.statuses import services as status_services

pytestmark = pytest.mark.django_db


def test_errors_are_json_with_mastodons_codes(as_alice: ApiClient, anonymous: ApiClient) -> None:
    missing = anonymous.get("/api/v1/no/such/thing")
    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/json")
    assert missing.json() == {"error": "Record not found"}
    assert as_alice.get("/api/v1/statuses/123").json() == {"error": "Record not found"}
    assert as_alice.get("/api/v1/statuses/not-a-number").status_code == 404
    too_long = as_alice.post("/api/v1/statuses", {"status": "x" * 501})
    assert too_long.status_code == 422
    assert too_long.json()["error"].startswith("Validation failed: This post is 501 characters")
    empty = as_alice.post("/api/v1/statuses", {"status": ""})
    assert empty.status_code == 422
    unauthenticated = anonymous.get("/api/v1/timelines/home")
    assert unauthenticated.status_code == 401
    assert unauthenticated["Content-Type"].startswith("application/json")


def test_every_path_answers_with_and_without_a_trailing_slash(
    as_alice: ApiClient, anonymous: ApiClient
) -> None:
    assert anonymous.get("/api/v1/instance/").json()["version"].startswith("4.3.0 (compatible; ")
    assert anonymous.get("/api/v2/instance/").json()["api_versions"] == {"mastodon": 2}
    assert as_alice.get("/api/v1/timelines/home/").status_code == 200
    assert as_alice.post("/api/v1/statuses/", {"status": "Avec une barre"}).status_code == 200
    assert anonymous.get("/api/v1/streaming/health/").content == b"OK"


def test_instance_tells_clients_the_version_and_the_streaming_url(anonymous: ApiClient) -> None:
    v1 = anonymous.get("/api/v1/instance").json()
    assert v1["version"] == "4.3.0 (compatible; Babillard 0.1.0)"
    assert v1["urls"]["streaming_api"].startswith("ws")
    v2 = anonymous.get("/api/v2/instance").json()
    assert v2["configuration"]["urls"]["streaming"] == v1["urls"]["streaming_api"]
    assert v2["configuration"]["statuses"]["max_characters"] == 500


def test_cors_headers_expose_link_and_answer_preflight(anonymous: ApiClient) -> None:
    response = anonymous.get("/api/v1/timelines/public")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Link" in response["Access-Control-Expose-Headers"]
    preflight = Client().options(
        "/api/v1/statuses",
        headers={"Origin": "https://elk.zone", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 200
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    assert preflight.json() == {}


def test_link_headers_are_absolute_and_absent_on_an_empty_page(
    alice: Account, as_alice: ApiClient
) -> None:
    made = [status_services.post_status(alice, f"Post {n}").pk for n in range(5)]
    first = as_alice.get(f"/api/v1/accounts/{alice.pk}/statuses?limit=2&only_media=0")
    assert [s["id"] for s in first.json()] == [str(i) for i in made[::-1][:2]]
    link = first["Link"]
    found = {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', link)}
    assert found["next"].startswith("http://") and f"max_id={made[3]}" in found["next"]
    assert "only_media=0" in found["next"] and "limit=2" in found["next"]
    assert f"min_id={made[4]}" in found["prev"]
    path = found["next"].split("127.0.0.1:8000", 1)[1]
    second = as_alice.get(path)
    assert [s["id"] for s in second.json()] == [str(i) for i in made[::-1][2:4]]
    since = as_alice.get(f"/api/v1/accounts/{alice.pk}/statuses?since_id={made[1]}&limit=2")
    assert [s["id"] for s in since.json()] == [str(made[4]), str(made[3])]
    above = as_alice.get(f"/api/v1/accounts/{alice.pk}/statuses?min_id={made[1]}&limit=2")
    assert [s["id"] for s in above.json()] == [str(made[3]), str(made[2])]
    empty = as_alice.get(f"/api/v1/accounts/{alice.pk}/statuses?max_id={made[0]}")
    assert empty.json() == []
    assert "Link" not in empty


def test_form_bodies_with_arrays_and_one_zero_booleans(
    alice: Account, bob: Account, as_alice: ApiClient
) -> None:
    media = as_alice.client.post(
        "/api/v2/media",
        {"file": _blob(), "description": "Une image"},
        headers={"Authorization": f"Bearer {as_alice.token}"},
    ).json()
    assert media["url"].startswith("http://") and media["description"] == "Une image"
    assert media["meta"]["original"]["width"] == 64
    posted = as_alice.client.post(
        "/api/v1/statuses",
        {
            "status": "Formulaire",
            "media_ids[]": [media["id"]],
            "sensitive": "1",
            "visibility": "unlisted",
            "poll[options][]": [],
        },
        headers={"Authorization": f"Bearer {as_alice.token}"},
    ).json()
    assert posted["sensitive"] is True and posted["visibility"] == "unlisted"
    assert [m["id"] for m in posted["media_attachments"]] == [media["id"]]
    poll = as_alice.client.post(
        "/api/v1/statuses",
        {
            "status": "Sondage",
            "poll[options][]": ["Oui", "Non"],
            "poll[expires_in]": "600",
            "poll[multiple]": "0",
        },
        headers={"Authorization": f"Bearer {as_alice.token}"},
    ).json()
    assert [o["title"] for o in poll["poll"]["options"]] == ["Oui", "Non"]
    assert poll["poll"]["multiple"] is False
    followed = as_alice.client.post(
        f"/api/v1/accounts/{bob.pk}/follow",
        {"reblogs": "0", "notify": "1"},
        headers={"Authorization": f"Bearer {as_alice.token}"},
    ).json()
    assert followed["following"] and followed["notifying"] and not followed["showing_reblogs"]


def _blob() -> Any:
    data = image_bytes()
    data.name = "blob"
    return data


def test_update_credentials_accepts_multipart_patch(alice: Account, as_alice: ApiClient) -> None:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    body = encode_multipart(
        BOUNDARY,
        {
            "display_name": "Alice B.",
            "note": "Bibliothécaire",
            "locked": "1",
            "avatar": _blob(),
            "fields_attributes[0][name]": "Site",
            "fields_attributes[0][value]": "https://example.org",
            "source[privacy]": "unlisted",
        },
    )
    response = as_alice.client.patch(
        "/api/v1/accounts/update_credentials",
        body,
        content_type=MULTIPART_CONTENT,
        headers={"Authorization": f"Bearer {as_alice.token}"},
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["display_name"] == "Alice B." and data["locked"] is True
    assert data["source"]["note"] == "Bibliothécaire"
    assert data["source"]["privacy"] == "unlisted"
    assert data["fields"][0]["name"] == "Site"
    assert "/media/avatars/" in data["avatar"]


def test_nested_form_keys_become_lists_and_dicts() -> None:
    from django.http import QueryDict

    parsed = _from_multivalue(
        QueryDict(
            "a[]=1&a[]=2&poll[options][]=x&poll[options][]=y&poll[expires_in]=60"
            "&fields_attributes[1][name]=b&fields_attributes[0][name]=a&plain=v"
        )
    )
    assert parsed["a"] == ["1", "2"]
    assert parsed["poll"] == {"options": ["x", "y"], "expires_in": "60"}
    assert parsed["fields_attributes"] == [{"name": "a"}, {"name": "b"}]
    assert parsed["plain"] == "v"


def test_idempotency_key_returns_the_same_status(as_alice: ApiClient) -> None:
    first = as_alice.post("/api/v1/statuses", {"status": "Une fois"}, **{"Idempotency-Key": "k1"})
    second = as_alice.post("/api/v1/statuses", {"status": "Une fois"}, **{"Idempotency-Key": "k1"})
    assert first.json()["id"] == second.json()["id"]
    third = as_alice.post("/api/v1/statuses", {"status": "Une fois"}, **{"Idempotency-Key": "k2"})
    assert third.json()["id"] != first.json()["id"]


def test_rate_limit_headers_and_429(settings: Any, anonymous: ApiClient) -> None:
    cache.clear()
    settings.API_RATE_LIMIT = 3
    answers = [anonymous.get("/api/v1/instance") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0]["X-RateLimit-Limit"] == "3"
    assert answers[0]["X-RateLimit-Remaining"] == "2"
    assert answers[3].json() == {"error": "Too many requests"}
    assert answers[3]["X-RateLimit-Remaining"] == "0"
    assert re.match(r"\d{4}-\d\d-\d\dT", answers[3]["X-RateLimit-Reset"])
    cache.clear()


def test_openapi_document_is_served(anonymous: ApiClient) -> None:
    document = anonymous.get("/api/openapi.json").json()
    assert "/api/v1/statuses" in document["paths"]
    assert "/api/v1/accounts/{account_id}/follow" in document["paths"]


def test_notifications_filter_by_types_and_dismiss_and_clear(
    alice: Account, bob: Account, as_alice: ApiClient, as_bob: ApiClient
) -> None:
    as_bob.post(f"/api/v1/accounts/{alice.pk}/follow")
    posted = status_services.post_status(alice, "Lisez-moi")
    as_bob.post(f"/api/v1/statuses/{posted.pk}/favourite")
    as_bob.post("/api/v1/statuses", {"status": "@alice bonjour"})
    every = as_alice.get("/api/v1/notifications").json()
    assert [n["type"] for n in every] == ["mention", "favourite", "follow"]
    only = as_alice.get("/api/v1/notifications?types[]=follow&types[]=mention").json()
    assert [n["type"] for n in only] == ["mention", "follow"]
    without = as_alice.get("/api/v1/notifications?exclude_types[]=mention").json()
    assert [n["type"] for n in without] == ["favourite", "follow"]
    assert without[0]["status"]["id"] == str(posted.pk)
    assert as_alice.post(f"/api/v1/notifications/{every[0]['id']}/dismiss").json() == {}
    assert len(as_alice.get("/api/v1/notifications").json()) == 2
    assert as_alice.post("/api/v1/notifications/clear").json() == {}
    assert as_alice.get("/api/v1/notifications").json() == []


def test_registration_honours_the_mode(settings: Any, app: Any) -> None:
    from babillard.api import oauth

    app_token = ApiClient(oauth.issue_token(None, app.application, ["read", "write"]).raw)  # type: ignore[attr-defined]
    body = {
        "username": "claire",
        "email": "claire@example.org",
        "password": "a-long-enough-password-1",
        "agreement": True,
        "locale": "fr",
    }
    settings.REGISTRATION_MODE = "closed"
    closed = app_token.post("/api/v1/accounts", body)
    assert closed.status_code == 422
    assert "closed" in closed.json()["error"]
    settings.REGISTRATION_MODE = "open"
    assert app_token.post("/api/v1/accounts", {**body, "agreement": "0"}).status_code == 422
    opened = app_token.post("/api/v1/accounts", body)
    assert opened.status_code == 200, opened.content
    assert User.objects.get(username="claire").sign_up_ip == "127.0.0.1"
    new_token = ApiClient(opened.json()["access_token"])
    # The address is not confirmed yet, as Mastodon answers.
    refused = new_token.get("/api/v1/accounts/verify_credentials")
    assert refused.status_code == 403
    assert "confirmed" in refused.json()["error"]


def test_lists_markers_search_and_statuses_round_trip(
    alice: Account, bob: Account, as_alice: ApiClient
) -> None:
    as_alice.post(f"/api/v1/accounts/{bob.pk}/follow")
    created = as_alice.post("/api/v1/lists", {"title": "Collègues"}).json()
    assert created["replies_policy"] == "list"
    renamed = as_alice.put(f"/api/v1/lists/{created['id']}", {"title": "Équipe"}).json()
    assert renamed["title"] == "Équipe"
    assert (
        as_alice.post(
            f"/api/v1/lists/{created['id']}/accounts", {"account_ids": [str(bob.pk)]}
        ).json()
        == {}
    )
    members = as_alice.get(f"/api/v1/lists/{created['id']}/accounts").json()
    assert [m["id"] for m in members] == [str(bob.pk)]
    status_services.post_status(bob, "Dans la liste #catalogue")
    in_list = as_alice.get(f"/api/v1/timelines/list/{created['id']}").json()
    assert in_list[0]["content"].startswith("<p>Dans la liste")
    assert (
        as_alice.delete(
            f"/api/v1/lists/{created['id']}/accounts", {"account_ids": [str(bob.pk)]}
        ).json()
        == {}
    )
    assert as_alice.delete(f"/api/v1/lists/{created['id']}").json() == {}
    assert as_alice.get("/api/v1/lists").json() == []

    saved = as_alice.post("/api/v1/markers", {"home": {"last_read_id": "42"}}).json()
    assert saved["home"]["last_read_id"] == "42"
    assert as_alice.get("/api/v1/markers?timeline[]=home").json()["home"]["version"] == 1

    found = as_alice.get("/api/v2/search?q=catalogue").json()
    assert [t["name"] for t in found["hashtags"]] == ["catalogue"]
    assert found["statuses"][0]["content"].startswith("<p>Dans la liste")
    people = as_alice.get("/api/v2/search?q=bob&type=accounts").json()
    assert [a["id"] for a in people["accounts"]] == [str(bob.pk)]


def test_status_actions_edit_history_and_context(
    alice: Account, bob: Account, as_alice: ApiClient, as_bob: ApiClient
) -> None:
    posted = as_alice.post("/api/v1/statuses", {"status": "Premier jet"}).json()
    sid = posted["id"]
    reply = as_bob.post("/api/v1/statuses", {"status": "Réponse", "in_reply_to_id": sid}).json()
    assert reply["in_reply_to_id"] == sid
    edited = as_alice.put(f"/api/v1/statuses/{sid}", {"status": "Version finale"}).json()
    assert edited["edited_at"] is not None
    history = as_alice.get(f"/api/v1/statuses/{sid}/history").json()
    assert [h["content"] for h in history] == ["<p>Premier jet</p>", "<p>Version finale</p>"]
    assert as_alice.get(f"/api/v1/statuses/{sid}/source").json()["text"] == "Version finale"
    context = as_alice.get(f"/api/v1/statuses/{sid}/context").json()
    assert [d["id"] for d in context["descendants"]] == [reply["id"]]
    boosted = as_bob.post(f"/api/v1/statuses/{sid}/reblog").json()
    assert boosted["reblog"]["id"] == sid and boosted["reblogged"] is True
    assert as_bob.post(f"/api/v1/statuses/{sid}/favourite").json()["favourited"] is True
    assert as_bob.post(f"/api/v1/statuses/{sid}/bookmark").json()["bookmarked"] is True
    by = as_alice.get(f"/api/v1/statuses/{sid}/favourited_by").json()
    assert [a["id"] for a in by] == [str(bob.pk)]
    assert [a["id"] for a in as_alice.get(f"/api/v1/statuses/{sid}/reblogged_by").json()] == [
        str(bob.pk)
    ]
    assert as_alice.post(f"/api/v1/statuses/{sid}/pin").json()["pinned"] is True
    pinned = as_bob.get(f"/api/v1/accounts/{alice.pk}/statuses?pinned=true").json()
    assert [p["id"] for p in pinned] == [sid]
    assert as_bob.post(f"/api/v1/statuses/{sid}/unreblog").json()["reblogged"] is False
    deleted = as_alice.delete(f"/api/v1/statuses/{sid}").json()
    assert deleted["text"] == "Version finale"
    assert as_alice.get(f"/api/v1/statuses/{sid}").status_code == 404


def test_relationships_blocks_mutes_and_follow_requests(
    alice: Account, bob: Account, as_alice: ApiClient, as_bob: ApiClient
) -> None:
    as_bob.patch("/api/v1/accounts/update_credentials", {"locked": True})
    requested = as_alice.post(f"/api/v1/accounts/{bob.pk}/follow").json()
    assert requested["requested"] is True and requested["following"] is False
    pending = as_bob.get("/api/v1/follow_requests").json()
    assert [a["id"] for a in pending] == [str(alice.pk)]
    as_bob.post(f"/api/v1/follow_requests/{alice.pk}/authorize")
    rel = as_alice.get(f"/api/v1/accounts/relationships?id[]={bob.pk}").json()
    assert rel[0]["following"] is True
    followers = as_bob.get(f"/api/v1/accounts/{bob.pk}/followers").json()
    assert [a["id"] for a in followers] == [str(alice.pk)]
    as_bob.post(f"/api/v1/accounts/{alice.pk}/remove_from_followers")
    assert as_bob.get(f"/api/v1/accounts/{bob.pk}/followers").json() == []
    muted = as_alice.post(f"/api/v1/accounts/{bob.pk}/mute", {"notifications": False}).json()
    assert muted["muting"] and not muted["muting_notifications"]
    assert [a["id"] for a in as_alice.get("/api/v1/mutes").json()] == [str(bob.pk)]
    assert as_alice.post(f"/api/v1/accounts/{bob.pk}/block").json()["blocking"] is True
    assert [a["id"] for a in as_alice.get("/api/v1/blocks").json()] == [str(bob.pk)]
    assert as_alice.post(f"/api/v1/accounts/{bob.pk}/unblock").json()["blocking"] is False
    assert as_alice.post(f"/api/v1/accounts/{bob.pk}/unmute").json()["muting"] is False
    looked = as_alice.get("/api/v1/accounts/lookup?acct=bob@127.0.0.1:8000").json()
    assert looked["id"] == str(bob.pk)


def test_scheduled_statuses_and_polls(
    alice: Account, bob: Account, as_alice: ApiClient, as_bob: ApiClient
) -> None:
    later = as_alice.post(
        "/api/v1/statuses", {"status": "Demain", "scheduled_at": "2099-01-01T10:00:00Z"}
    ).json()
    assert later["params"]["text"] == "Demain"
    listed = as_alice.get("/api/v1/scheduled_statuses").json()
    assert [s["id"] for s in listed] == [later["id"]]
    moved = as_alice.put(
        f"/api/v1/scheduled_statuses/{later['id']}", {"scheduled_at": "2099-02-01T08:00:00Z"}
    ).json()
    assert moved["scheduled_at"] == "2099-02-01T08:00:00.000Z"
    too_soon = as_alice.put(
        f"/api/v1/scheduled_statuses/{later['id']}", {"scheduled_at": "2000-01-01T00:00:00Z"}
    )
    assert too_soon.status_code == 422
    assert (
        as_bob.put(
            f"/api/v1/scheduled_statuses/{later['id']}", {"scheduled_at": "2099-03-01T08:00:00Z"}
        ).status_code
        == 404
    )
    assert as_alice.delete(f"/api/v1/scheduled_statuses/{later['id']}").json() == {}
    poll = as_alice.post(
        "/api/v1/statuses",
        {"status": "Choix", "poll": {"options": ["A", "B"], "expires_in": 600, "multiple": True}},
    ).json()["poll"]
    voted = as_bob.post(f"/api/v1/polls/{poll['id']}/votes", {"choices": [0, 1]}).json()
    assert voted["own_votes"] == [0, 1] and voted["votes_count"] == 2
    again = as_bob.post(f"/api/v1/polls/{poll['id']}/votes", {"choices": [0]})
    assert again.status_code == 422


def test_streaming_reader_renders_events_for_its_viewer(alice: Account, bob: Account) -> None:
    from babillard.accounts.services import follow
    from babillard.api.streaming import Reader, Wanted
    from babillard.core import streaming

    follow(bob, alice)
    subscription = streaming.subscribe()
    try:
        posted = status_services.post_status(alice, "En direct #Salle")
        private = status_services.post_status(alice, "Abonnés", visibility="private")
        events = []
        while (event := subscription.get(timeout=2)) is not None:
            events.append(event)
    finally:
        subscription.close()
    streams = {(e.stream, e.payload) for e in events}
    assert (f"user:{bob.pk}", str(posted.pk)) in streams
    assert ("hashtag:salle", str(posted.pk)) in streams
    assert ("public", str(private.pk)) not in streams

    reader = Reader(bob, [Wanted("user"), Wanted("hashtag", "Salle")])
    messages = [m for e in events for m in reader.messages(e)]
    labels = {(tuple(label), name) for label, name, _payload in messages}
    assert (("user",), "update") in labels and (("hashtag", "Salle"), "update") in labels
    assert json.loads(messages[0][2])["account"]["id"] == str(alice.pk)
    stranger = Reader(None, [Wanted("public")])
    shown = [json.loads(p)["id"] for e in events for _l, _n, p in stranger.messages(e)]
    assert shown == [str(posted.pk)]


def test_filters_warn_hide_and_manage_keywords_and_statuses(
    alice: Account, bob: Account, as_alice: ApiClient, as_bob: ApiClient
) -> None:
    as_alice.post(f"/api/v1/accounts/{bob.pk}/follow")
    made = as_alice.post(
        "/api/v2/filters",
        {
            "title": "Spoilers",
            "context": ["home", "public"],
            "filter_action": "warn",
            "keywords_attributes": [{"keyword": "fin", "whole_word": True}],
        },
    ).json()
    assert made["context"] == ["home", "public"] and made["keywords"][0]["keyword"] == "fin"
    status_services.post_status(bob, "La fin du livre")
    status_services.post_status(bob, "Finalement non")
    home = as_alice.get("/api/v1/timelines/home").json()
    flagged = {s["content"]: s["filtered"] for s in home}
    assert flagged["<p>La fin du livre</p>"][0]["keyword_matches"] == ["fin"]
    assert flagged["<p>Finalement non</p>"] == []
    fid = made["id"]
    added = as_alice.post(
        f"/api/v2/filters/{fid}/keywords", {"keyword": "final", "whole_word": False}
    ).json()
    assert len(as_alice.get(f"/api/v2/filters/{fid}/keywords").json()) == 2
    as_alice.put(f"/api/v2/filters/{fid}", {"filter_action": "hide"})
    assert as_alice.get("/api/v1/timelines/home").json() == []
    assert as_alice.delete(f"/api/v2/filters/keywords/{added['id']}").json() == {}
    updated = as_alice.put(
        f"/api/v2/filters/{fid}",
        {"keywords_attributes": [{"id": made["keywords"][0]["id"], "_destroy": True}]},
    ).json()
    assert updated["keywords"] == []
    target = status_services.post_status(bob, "Un autre")
    item = as_alice.post(f"/api/v2/filters/{fid}/statuses", {"status_id": str(target.pk)}).json()
    assert item["status_id"] == str(target.pk)
    contents = [s["content"] for s in as_alice.get("/api/v1/timelines/home").json()]
    assert "<p>Un autre</p>" not in contents and "<p>La fin du livre</p>" in contents
    assert as_bob.get(f"/api/v2/filters/{fid}").status_code == 404
    assert as_bob.get(f"/api/v2/filters/statuses/{item['id']}").status_code == 404
    refused = as_alice.post("/api/v2/filters", {"title": "x", "context": ["nowhere"]})
    assert refused.status_code == 422
    assert as_alice.delete(f"/api/v2/filters/{fid}").json() == {}
    assert as_alice.get("/api/v2/filters").json() == []


def test_grouped_notifications_v2(
    alice: Account, bob: Account, as_alice: ApiClient, as_bob: ApiClient, token_for: Any
) -> None:
    from babillard.core.testing import make_account

    carol = make_account("carol")
    as_carol = ApiClient(token_for(carol))
    posted = status_services.post_status(alice, "À aimer")
    as_bob.post(f"/api/v1/statuses/{posted.pk}/favourite")
    as_carol.post(f"/api/v1/statuses/{posted.pk}/favourite")
    as_bob.post("/api/v1/statuses", {"status": "@alice coucou"})
    data = as_alice.get("/api/v2/notifications").json()
    groups = {g["group_key"]: g for g in data["notification_groups"]}
    favourites = groups[f"favourite-{posted.pk}"]
    assert favourites["notifications_count"] == 2
    assert favourites["sample_account_ids"] == [str(carol.pk), str(bob.pk)]
    assert favourites["status_id"] == str(posted.pk)
    mention = next(g for g in data["notification_groups"] if g["type"] == "mention")
    assert mention["group_key"].startswith("ungrouped-")
    assert {a["id"] for a in data["accounts"]} == {str(bob.pk), str(carol.pk)}
    assert str(posted.pk) in {s["id"] for s in data["statuses"]}
    ungrouped = as_alice.get("/api/v2/notifications?grouped_types[]=reblog").json()
    assert len(ungrouped["notification_groups"]) == 3
    accounts = as_alice.get(f"/api/v2/notifications/favourite-{posted.pk}/accounts").json()
    assert {a["id"] for a in accounts} == {str(bob.pk), str(carol.pk)}
    assert as_alice.get(f"/api/v2/notifications/{mention['group_key']}").status_code == 200
    assert as_bob.get(f"/api/v2/notifications/{mention['group_key']}").status_code == 404
    assert as_alice.post(f"/api/v2/notifications/favourite-{posted.pk}/dismiss").json() == {}
    left = as_alice.get("/api/v2/notifications").json()["notification_groups"]
    assert [g["type"] for g in left] == ["mention"]
    assert as_alice.get("/api/v2/notifications/unread_count").json() == {"count": 1}
    assert as_alice.get("/api/v2/notifications/policy").json()["for_not_following"] == "accept"


def test_deletes_and_edits_reach_the_streams(alice: Account, bob: Account) -> None:
    from babillard.api.streaming import Reader, Wanted
    from babillard.core import streaming

    posted = status_services.post_status(alice, "Bientôt modifié")
    pid = str(posted.pk)
    subscription = streaming.subscribe()
    try:
        status_services.edit_status(alice, posted, "Modifié")
        status_services.delete_status(posted)
        events = []
        while (event := subscription.get(timeout=2)) is not None:
            events.append(event)
    finally:
        subscription.close()
    kinds = [(e.event, e.payload) for e in events if e.payload == pid]
    assert kinds == [("status.update", pid), ("delete", pid)]
    reader = Reader(bob, [Wanted("public:local")])
    deleted = [m for e in events for m in reader.messages(e) if m[1] == "delete"]
    assert deleted == [(["public:local"], "delete", pid)]


def test_conversations_group_direct_threads(
    alice: Account, bob: Account, as_alice: ApiClient, as_bob: ApiClient
) -> None:
    first = as_alice.post("/api/v1/statuses", {"status": "@bob privé", "visibility": "direct"})
    reply = as_bob.post(
        "/api/v1/statuses",
        {"status": "@alice réponse", "visibility": "direct", "in_reply_to_id": first.json()["id"]},
    ).json()
    as_alice.post("/api/v1/statuses", {"status": "Public"})
    mine = as_alice.get("/api/v1/conversations").json()
    assert [c["id"] for c in mine] == [first.json()["id"]]
    assert mine[0]["last_status"]["id"] == reply["id"]
    assert [a["id"] for a in mine[0]["accounts"]] == [str(bob.pk)]
    theirs = as_bob.get("/api/v1/conversations").json()
    assert [c["id"] for c in theirs] == [first.json()["id"]]
    read = as_bob.post(f"/api/v1/conversations/{first.json()['id']}/read").json()
    assert read["unread"] is False
    direct = as_alice.get("/api/v1/timelines/direct").json()
    assert {s["id"] for s in direct} == {first.json()["id"], reply["id"]}


def test_followed_hashtags_fill_the_home_feed(
    alice: Account, bob: Account, as_alice: ApiClient
) -> None:
    followed = as_alice.post("/api/v1/tags/Catalogue/follow")
    assert followed.status_code == 200, followed.content
    assert followed.json()["following"] is True
    tagged = status_services.post_status(bob, "Nouveautés du #catalogue")
    status_services.post_status(bob, "Sans mot-dièse")
    status_services.post_status(bob, "Privé #catalogue", visibility="private")
    home = as_alice.get("/api/v1/timelines/home").json()
    assert [s["id"] for s in home] == [str(tagged.pk)]
    listed = as_alice.get("/api/v1/followed_tags").json()
    assert [t["name"] for t in listed] == ["Catalogue"]
    assert as_alice.get("/api/v1/tags/catalogue").json()["following"] is True
    assert as_alice.post("/api/v1/tags/catalogue/unfollow").json()["following"] is False
    assert as_alice.get("/api/v1/followed_tags").json() == []
    assert as_alice.post("/api/v1/tags/pas%20un%20tag/follow").status_code == 422


def test_wrong_methods_answer_json(as_alice: ApiClient, bob: Account) -> None:
    response = as_alice.get(f"/api/v1/accounts/{bob.pk}/follow")
    assert response.status_code == 405
    assert response.json() == {"error": "Method not allowed"}
    assert "POST" in response["Allow"]


def test_password_guesses_are_limited(settings: Any, alice: Account, app: Any) -> None:
    cache.clear()
    settings.AUTH_RATE_LIMIT = 2
    body = {
        "grant_type": "password",
        "client_id": app.application.client_id,
        "client_secret": app.client_secret,
        "username": "alice@example.org",
        "password": "guess",
    }
    client = Client()
    codes = [client.post("/oauth/token", body).status_code for _ in range(3)]
    assert codes == [400, 400, 429]
    cache.clear()


def test_web_pages_read_the_user_stream_with_their_session(alice: Account) -> None:
    browser = Client()
    assert browser.get("/api/v1/streaming/user").status_code == 401
    browser.force_login(alice.user)  # type: ignore[arg-type]
    response = browser.get("/api/v1/streaming/user")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response.streaming
    response.close()


def test_search_resolves_remote_accounts_through_federation(
    monkeypatch: Any, as_alice: ApiClient, anonymous: ApiClient
) -> None:
    from babillard.accounts.models import Account as AccountModel
    from babillard.federation import remote
    from babillard.federation.client import FetchError

    far = AccountModel.objects.create(
        username="zoe", domain="far.example", uri="https://far.example/users/zoe"
    )
    asked: list[str] = []

    def webfinger(handle: str) -> AccountModel:
        asked.append(handle)
        if handle.endswith("down.example"):
            raise FetchError("unreachable")
        return far

    monkeypatch.setattr(remote, "webfinger", webfinger)
    found = as_alice.get("/api/v2/search?q=zoe@far.example&resolve=true&type=accounts").json()
    assert [a["acct"] for a in found["accounts"]] == ["zoe@far.example"]
    assert asked == ["zoe@far.example"]
    down = as_alice.get("/api/v2/search?q=x@down.example&resolve=true").json()
    assert down["accounts"] == []
    anonymous.get("/api/v2/search?q=y@far.example&resolve=true")
    assert asked == ["zoe@far.example", "x@down.example"]


def test_the_address_of_a_user_token_is_noted_for_the_moderators(
    alice: Account, as_alice: ApiClient
) -> None:
    assert as_alice.get("/api/v1/accounts/verify_credentials").status_code == 200
    use = AddressUse.objects.get(user=alice.user)
    assert (use.ip, use.way) == ("127.0.0.1", "token")


def test_a_full_media_disk_is_a_clear_error_and_leaves_nothing(
    alice: Account, as_alice: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The original is written, then the disk fills up before the thumbnail."""
    from django.conf import settings
    from django.core.files.storage import FileSystemStorage

    save = FileSystemStorage._save

    def fill_up(storage: FileSystemStorage, name: str, content: Any) -> str:
        if "-small" in name:
            raise OSError(errno.ENOSPC, "No space left on device")
        return save(storage, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", fill_up)
    before = sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())
    answer = as_alice.client.post(
        "/api/v2/media",
        {"file": _blob(), "description": "Une image"},
        headers={"Authorization": f"Bearer {as_alice.token}", "Accept-Language": "en"},
    )
    assert answer.status_code == 422
    assert "no room left for images" in answer.json()["error"]
    assert not alice.media.exists()
    assert sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()) == before
