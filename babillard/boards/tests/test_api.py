"""The API contract of ``/api/babillard/v1/boards``."""

from django.core import mail

from babillard.boards import services
from babillard.boards.models import Board
from babillard.statuses.services import post_status
from babillard.watch.services import create_antenna

API = "/api/babillard/v1/boards"


def test_create_read_update_delete_a_board(as_alice, as_bob, anonymous, alice):
    created = as_alice.post(
        API, {"title": "Veille", "description": "Numérique", "visibility": "unlisted"}
    )
    assert created.status_code == 200, created.content
    body = created.json()
    assert body["title"] == "Veille" and body["visibility"] == "unlisted"
    assert body["url"].endswith(f"/boards/{body['id']}")
    assert body["feed_url"].endswith(f"/boards/{body['id']}/feed.atom")
    assert body["account"]["bot"] is True and body["owner"]["id"] == str(alice.pk)
    assert [c["id"] for c in body["curators"]] == [str(alice.pk)]

    assert anonymous.get(f"{API}/{body['id']}").json()["title"] == "Veille"
    patched = as_alice.patch(f"{API}/{body['id']}", {"title": "Veille pro", "newsletter": "weekly"})
    assert patched.status_code == 200
    assert patched.json()["title"] == "Veille pro" and patched.json()["newsletter"] == "weekly"
    assert as_bob.patch(f"{API}/{body['id']}", {"title": "À moi"}).status_code == 403
    assert as_bob.delete(f"{API}/{body['id']}").status_code == 403
    assert as_alice.delete(f"{API}/{body['id']}").status_code == 200
    assert anonymous.get(f"{API}/{body['id']}").status_code == 404


def test_bad_input_is_a_422_with_a_sentence(as_alice, anonymous):
    answer = as_alice.post(API, {"title": "", "visibility": "public"})
    assert answer.status_code == 422
    assert answer.json()["error"] == "Validation failed: A board needs a title."
    answer = as_alice.post(API, {"title": "Veille", "visibility": "secret"})
    assert answer.status_code == 422
    assert anonymous.post(API, {"title": "Veille"}).status_code == 401
    assert not Board.objects.exists()


def test_items_by_status_id_or_url(as_alice, as_bob, anonymous, bob):
    board = as_alice.post(API, {"title": "Veille", "visibility": "public"}).json()
    post = post_status(bob, "Les tiers-lieux en 2026")
    by_status = as_alice.post(f"{API}/{board['id']}/items", {"status_id": str(post.pk)})
    assert by_status.status_code == 200, by_status.content
    assert by_status.json()["type"] == "status"
    assert by_status.json()["status"]["id"] == str(post.pk)
    by_url = as_alice.post(
        f"{API}/{board['id']}/items",
        {"url": "https://example.org/rapport", "title": "Le rapport", "comment": "À lire"},
    )
    assert by_url.status_code == 200
    assert by_url.json()["type"] == "link" and by_url.json()["comment"] == "À lire"
    listed = anonymous.get(f"{API}/{board['id']}/items").json()
    assert [i["id"] for i in listed] == [by_status.json()["id"], by_url.json()["id"]]
    assert listed[1]["url"] == "https://example.org/rapport" and listed[1]["status"] is None
    assert as_alice.post(f"{API}/{board['id']}/items", {"url": "ftp://x"}).status_code == 422
    assert as_alice.post(f"{API}/{board['id']}/items", {"status_id": "123"}).status_code == 404
    assert as_bob.post(f"{API}/{board['id']}/items", {"url": "https://x.org"}).status_code == 403
    gone = as_alice.delete(f"{API}/{board['id']}/items/{by_url.json()['id']}")
    assert gone.status_code == 200
    assert len(anonymous.get(f"{API}/{board['id']}/items").json()) == 1


def test_suggestions_accept_and_reject(as_alice, as_bob, bob):
    board = as_alice.post(API, {"title": "Veille", "visibility": "public"}).json()
    post = post_status(bob, "Ma ressource")
    offered = as_bob.post(
        f"{API}/{board['id']}/suggestions", {"status_id": str(post.pk), "note": "Pour vous"}
    )
    assert offered.status_code == 200, offered.content
    assert offered.json()["state"] == "pending" and offered.json()["source"] == "reader"
    link = as_bob.post(f"{API}/{board['id']}/suggestions", {"url": "https://example.org/g"})
    assert as_bob.get(f"{API}/{board['id']}/suggestions").status_code == 403
    queue = as_alice.get(f"{API}/{board['id']}/suggestions").json()
    assert {s["id"] for s in queue} == {offered.json()["id"], link.json()["id"]}
    accepted = as_alice.post(
        f"{API}/{board['id']}/suggestions/{offered.json()['id']}/accept", {"comment": "Merci"}
    )
    assert accepted.status_code == 200 and accepted.json()["comment"] == "Merci"
    rejected = as_alice.post(f"{API}/{board['id']}/suggestions/{link.json()['id']}/reject")
    assert rejected.json()["state"] == "rejected"
    assert as_alice.get(f"{API}/{board['id']}/suggestions").json() == []
    again = as_alice.post(f"{API}/{board['id']}/suggestions/{link.json()['id']}/accept")
    assert again.status_code == 404


def test_private_board_is_hidden_from_others(as_alice, as_bob, anonymous):
    board = as_alice.post(API, {"title": "Interne", "visibility": "private"}).json()
    for client in (as_bob, anonymous):
        assert client.get(f"{API}/{board['id']}").status_code == 404
        assert client.get(f"{API}/{board['id']}/items").status_code == 404
    assert (
        as_bob.post(f"{API}/{board['id']}/suggestions", {"url": "https://x.org"}).status_code == 404
    )
    assert [b["id"] for b in as_alice.get(API).json()] == [board["id"]]


def test_curators_sections_and_newsletter(as_alice, as_bob, bob, alice):
    board = as_alice.post(API, {"title": "Veille", "visibility": "public"}).json()
    added = as_alice.post(f"{API}/{board['id']}/curators", {"account_id": str(bob.pk)})
    assert {c["id"] for c in added.json()["curators"]} == {str(alice.pk), str(bob.pk)}
    section = as_bob.post(f"{API}/{board['id']}/sections", {"title": "Rapports"}).json()
    item = as_bob.post(
        f"{API}/{board['id']}/items", {"url": "https://example.org/r", "section_id": section["id"]}
    )
    assert item.json()["section_id"] == section["id"]
    moved = as_bob.patch(f"{API}/{board['id']}/items/{item.json()['id']}", {"section_id": None})
    assert moved.json()["section_id"] is None
    assert as_bob.delete(f"{API}/{board['id']}/curators/{alice.pk}").status_code == 403

    services.subscribe(Board.objects.get(pk=board["id"]), "alice@example.org", alice)
    mail.outbox.clear()
    assert as_alice.post(f"{API}/{board['id']}/newsletter").status_code == 200
    [message] = mail.outbox
    assert message.to == ["alice@example.org"] and "https://example.org/r" in message.body


def test_antennas_feeding_a_board(as_alice, as_bob, alice, bob):
    board = as_alice.post(API, {"title": "Veille", "visibility": "public"}).json()
    antenna = create_antenna(alice, title="Données", keywords=["donnees"])
    linked = as_alice.post(f"{API}/{board['id']}/antennas", {"antenna_id": str(antenna.pk)})
    assert linked.status_code == 200
    assert [(a["id"], a["title"]) for a in linked.json()] == [(str(antenna.pk), "Données")]
    assert as_bob.get(f"{API}/{board['id']}/antennas").status_code == 403
    post_status(bob, "Des données pour tous")
    [queued] = as_alice.get(f"{API}/{board['id']}/suggestions").json()
    assert queued["source"] == "antenna"
    gone = as_alice.delete(f"{API}/{board['id']}/antennas/{antenna.pk}")
    assert gone.status_code == 200
    assert as_alice.get(f"{API}/{board['id']}/antennas").json() == []
