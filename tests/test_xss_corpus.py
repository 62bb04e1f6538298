"""The XSS corpus posted through every input reachable in-process, then read back from every
page and API answer that shows it: nothing in them can run.

Each input is checked against a twin made the same way with benign text, so that what the
page holds of its own (its scripts, forms, stylesheet) is told apart from user input.
"""

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from babillard.accounts.models import Account
from babillard.accounts.services import update_profile
from babillard.boards import services as boards
from babillard.core.testing import image_bytes, make_account
from babillard.events import services as events
from babillard.events.tests.conftest import event_fields
from babillard.federation.tests.conftest import (  # noqa: F401  (network: shared fixture)
    FakeNetwork,
    load_fixture,
    network,
    signed_post,
)
from babillard.statuses.models import Status
from babillard.statuses.services import PollSpec, post_status, upload_media
from tests.xss import BENIGN, CORPUS, decode, json_problems, problems

pytestmark = pytest.mark.django_db

Reader = Callable[[str], list[tuple[str, Any]]]


def check(client: Client, pages: Callable[[str], list[str]], apis: Callable[[str], list[str]]):
    """Make the benign twin, then every payload; gather what any page or answer lets run."""
    twin = [client.get(url).content.decode() for url in pages(BENIGN)]
    found: list[str] = []
    for index, payload in enumerate(CORPUS):
        for url, benign in zip(pages(payload), twin, strict=True):
            response = client.get(url)
            assert response.status_code == 200, (url, payload)
            found += [f"#{index} {url}: {p}" for p in problems(response.content.decode(), benign)]
        for url in apis(payload):
            response = client.get(url)
            assert response.status_code == 200, (url, payload)
            found += [f"#{index} {url}: {p}" for p in json_problems(decode(response))]
    assert found == []


def test_post_content_warning_poll_option_and_alt_text(client: Client) -> None:
    author = make_account("auteur")

    def post(payload: str) -> Status:
        media = upload_media(author, image_bytes(), description=payload)
        return post_status(
            author,
            f"Avant {payload} après",
            spoiler_text=payload[:200],
            poll=None,
            media_ids=[media.pk],
        )

    def poll(payload: str) -> Status:
        return post_status(
            author, "Un sondage", poll=PollSpec(options=[payload[:50], "Non"], expires_in=3600)
        )

    def pages(payload: str) -> list[str]:
        first, second = post(payload), poll(payload)
        return [f"/@auteur/{first.pk}", f"/@auteur/{second.pk}"]

    def apis(payload: str) -> list[str]:
        latest = Status.objects.filter(account=author).order_by("-pk")[:2]
        return [f"/api/v1/statuses/{s.pk}" for s in latest]

    check(client, pages, apis)


def test_bio_display_name_and_profile_fields(client: Client) -> None:
    made: list[Account] = []

    def pages(payload: str) -> list[str]:
        account = make_account(f"lecteur{len(made)}")
        update_profile(
            account,
            display_name=payload[:30],
            note=payload,
            fields=[
                {"name": payload[:255], "value": payload[:255]},
                {"name": "Site", "value": payload[:255]},
            ],
        )
        made.append(account)
        return [f"/@{account.username}"]

    def apis(payload: str) -> list[str]:
        return [f"/api/v1/accounts/{made[-1].pk}"]

    check(client, pages, apis)


def test_event_title_and_description(client: Client) -> None:
    organizer = make_account("mediatheque", kind="institution", display_name="Médiathèque")

    def pages(payload: str) -> list[str]:
        event = events.create_event(
            organizer, **event_fields(title=payload[:200], description=payload, tags=[])
        )
        pages.last = event.pk  # type: ignore[attr-defined]
        return [f"/events/{event.pk}"]

    def apis(payload: str) -> list[str]:
        return [f"/api/babillard/v1/events/{pages.last}"]  # type: ignore[attr-defined]

    check(client, pages, apis)


def test_board_description_and_curator_comment(client: Client) -> None:
    curator = make_account("curatrice")
    made: list[int] = []

    def pages(payload: str) -> list[str]:
        board = boards.create_board(curator, f"Sélection {len(made)}", description=payload)
        post = post_status(curator, "Un guide des données ouvertes")
        boards.add_item(curator, board, status=post, comment=payload)
        made.append(board.pk)
        return [f"/boards/{board.pk}"]

    check(client, pages, lambda payload: [])


def test_remote_content_summary_name_and_actor(
    client: Client,
    network: FakeNetwork,  # noqa: F811
) -> None:
    make_account("alice")
    note = load_fixture("mastodon_create_note.json")
    sent: list[str] = []

    def pages(payload: str) -> list[str]:
        index = len(sent)
        actor = network.actor(
            f"mona{index}", host="mastodon.example", name=payload, summary=payload
        )
        activity = copy.deepcopy(note)
        uri = f"{actor.uri}/statuses/{index}"
        activity.update(id=f"{uri}/activity", actor=actor.uri)
        activity["object"].update(
            id=uri,
            type="Article",
            url=f"https://mastodon.example/@mona{index}/{index}",
            attributedTo=actor.uri,
            content=f"<p>{payload}</p>",
            contentMap={"fr": f"<p>{payload}</p>"},
            summary=payload,
            name=payload,
        )
        activity["object"]["attachment"][0]["name"] = payload
        answer = signed_post(client, "/inbox", json.loads(json.dumps(activity)), actor)
        assert answer.status_code == 202
        status = Status.objects.get(uri=uri)
        sent.append(uri)
        return [f"/@mona{index}@mastodon.example/{status.pk}", f"/@mona{index}@mastodon.example"]

    def apis(payload: str) -> list[str]:
        status = Status.objects.get(uri=sent[-1])
        return [f"/api/v1/statuses/{status.pk}", f"/api/v1/accounts/{status.account_id}"]

    check(client, pages, apis)
