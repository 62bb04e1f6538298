"""``/api/babillard/v1/antennas`` and ``/sources``: the contract, over plain HTTP."""

from collections.abc import Callable
from typing import Any

import pytest

from babillard.api.tests.conftest import ApiClient
from babillard.core.testing import make_account
from babillard.statuses.services import post_status
from babillard.watch.tests.conftest import FeedServer, rss

V1 = "/api/babillard/v1"
pytestmark = pytest.mark.django_db


@pytest.fixture
def people(token_for: Callable[..., str]) -> dict[str, Any]:
    owner, other, author = make_account("veille"), make_account("autre"), make_account("auteur")
    return {
        "owner": owner,
        "author": author,
        "client": ApiClient(token_for(owner)),
        "other": ApiClient(token_for(other)),
        "reader": ApiClient(token_for(owner, "read")),
        "anonymous": ApiClient(),
    }


def test_antenna_contract(people: dict[str, Any]) -> None:
    client = people["client"]
    created = client.post(
        f"{V1}/antennas",
        {
            "title": "Cairn",
            "keywords": ["cairn"],
            "exclude_keywords": ["offre d'emploi"],
            "account_ids": [str(people["author"].pk)],
            "languages": ["fr"],
            "with_media_only": False,
            "exclude_replies": True,
            "notify": True,
        },
    )
    assert created.status_code == 200, created.content
    antenna = created.json()
    assert antenna["id"] and antenna["feed_url"].endswith(".atom")
    assert antenna["keywords"] == ["cairn"] and antenna["notify"] is True
    assert antenna["account_ids"] == [str(people["author"].pk)]
    path = f"{V1}/antennas/{antenna['id']}"
    assert client.get(path).json() == antenna
    assert [a["id"] for a in client.get(f"{V1}/antennas").json()] == [antenna["id"]]
    changed = client.patch(path, {"title": "Cairn.info", "keywords": ["cairn", "persée"]})
    assert changed.status_code == 200
    assert changed.json()["title"] == "Cairn.info" and changed.json()["languages"] == ["fr"]
    assert people["other"].get(path).status_code == 404
    assert people["other"].patch(path, {"title": "x"}).status_code == 404
    assert people["anonymous"].get(path).status_code == 401
    assert (
        people["reader"].post(f"{V1}/antennas", {"title": "t", "keywords": ["a"]}).status_code
        == 403
    )
    assert client.delete(path).status_code == 200
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"title": "", "keywords": ["a"]},
        {"title": "t"},
        {"title": "t", "keywords": ["a"], "regex": "(a+)+$"},
        {"title": "t", "keywords": "x" * 300},
        {"title": "t", "keywords": ["a"], "languages": ["français"]},
        {"title": "t", "keywords": ["a"], "account_ids": ["not a number"]},
        {"title": "t", "keywords": ["a"], "email": "hourly"},
    ],
)
def test_bad_antennas_are_422(people: dict[str, Any], body: dict[str, Any]) -> None:
    answer = people["client"].post(f"{V1}/antennas", body)
    assert answer.status_code == 422, answer.content
    assert answer.json()["error"].startswith("Validation failed: ")


def test_antenna_statuses_paginate_like_timelines(people: dict[str, Any]) -> None:
    client = people["client"]
    antenna = client.post(f"{V1}/antennas", {"title": "P", "keywords": ["patrimoine"]}).json()
    posts = [post_status(people["author"], f"Patrimoine n°{i}") for i in range(5)]
    post_status(people["author"], "Autre sujet")
    path = f"{V1}/antennas/{antenna['id']}/statuses"
    first = client.get(path, {"limit": 2})
    assert [s["id"] for s in first.json()] == [str(posts[4].pk), str(posts[3].pk)]
    assert first.json()[0]["account"]["username"] == "auteur"
    assert 'rel="next"' in first["Link"] and f"max_id={posts[3].pk}" in first["Link"]
    assert f"min_id={posts[4].pk}" in first["Link"]
    older = client.get(path, {"limit": 2, "max_id": posts[3].pk}).json()
    assert [s["id"] for s in older] == [str(posts[2].pk), str(posts[1].pk)]
    newer = client.get(path, {"min_id": posts[1].pk, "limit": 2}).json()
    assert [s["id"] for s in newer] == [str(posts[3].pk), str(posts[2].pk)]
    since = client.get(path, {"since_id": posts[2].pk}).json()
    assert [s["id"] for s in since] == [str(posts[4].pk), str(posts[3].pk)]
    assert people["other"].get(path).status_code == 404


def test_sources_contract(people: dict[str, Any], feed_server: FeedServer) -> None:
    client = people["client"]
    antenna = client.post(f"{V1}/antennas", {"title": "C", "keywords": ["cairn"]}).json()
    url = feed_server.serve(
        "/veille.xml", rss(("1", "Cairn en accès libre", "x"), ("2", "Autre", "y"))
    )
    created = client.post(f"{V1}/sources", {"url": url})
    assert created.status_code == 200, created.content
    source = created.json()
    assert source["url"] == url and source["title"] == "Veille BIB" and source["kind"] == "rss"
    assert [s["id"] for s in client.get(f"{V1}/sources").json()] == [source["id"]]
    items = client.get(f"{V1}/sources/{source['id']}/items")
    assert sorted(i["title"] for i in items.json()) == ["Autre", "Cairn en accès libre"]
    assert items.json()[0]["url"].startswith("https://veille.example/")
    # Items reach the antenna's column and feed, never its statuses endpoint.
    assert client.get(f"{V1}/antennas/{antenna['id']}/statuses").json() == []
    assert people["other"].get(f"{V1}/sources/{source['id']}/items").status_code == 404
    assert client.post(f"{V1}/sources", {"url": "not a url"}).status_code == 422
    assert client.delete(f"{V1}/sources/{source['id']}").status_code == 200
    assert client.get(f"{V1}/sources").json() == []


def test_openapi_lists_the_paths(people: dict[str, Any]) -> None:
    document = people["anonymous"].get(f"{V1}/openapi.json").json()
    for path in (
        "/api/babillard/v1/antennas",
        "/api/babillard/v1/antennas/{antenna_id}",
        "/api/babillard/v1/antennas/{antenna_id}/statuses",
        "/api/babillard/v1/sources",
        "/api/babillard/v1/sources/{source_id}/items",
    ):
        assert path in document["paths"]
