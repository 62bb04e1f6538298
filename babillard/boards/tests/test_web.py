"""Board pages, the feeds parsed back, and the newsletter's mailings."""

from datetime import timedelta
from xml.etree import ElementTree

from django.core import mail
from django.test import Client
from django.utils import timezone

from babillard.boards import services
from babillard.boards.models import Board
from babillard.core import links
from babillard.statuses.services import post_status

ATOM = "{http://www.w3.org/2005/Atom}"


def _client(account=None) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    if account is not None:
        client.force_login(account.user)
    return client


def test_a_curator_creates_a_board_and_adds_a_post_from_its_page(alice, bob):
    client = _client(alice)
    created = client.post("/boards", {"title": "Veille", "description": "", "visibility": "public"})
    board = Board.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/boards/{board.pk}"
    post = post_status(bob, "Un fil sur les données ouvertes")
    address = links.absolute(f"/@bob/{post.pk}")
    added = client.post(f"/boards/{board.pk}", {"reference": address, "comment": "Clair"})
    assert added.status_code == 302
    item = board.items.get()
    assert item.status == post and item.comment == "Clair"
    page = _client().get(f"/boards/{board.pk}")
    assert page.status_code == 200
    assert "Un fil sur les données ouvertes" in page.content.decode()
    assert "Clair" in page.content.decode()
    assert "Add an item" not in page.content.decode()
    refused = client.post(f"/boards/{board.pk}", {"reference": "pas une adresse"})
    assert refused.status_code == 400


def test_a_reader_suggests_and_a_curator_accepts(board, alice, bob):
    reader = _client(bob)
    answer = reader.post(
        f"/boards/{board.pk}/suggest", {"reference": "https://example.org/guide", "note": "Utile"}
    )
    assert answer.status_code == 302
    suggestion = board.suggestions.get()
    assert suggestion.url == "https://example.org/guide" and suggestion.suggested_by == bob
    assert reader.get(f"/boards/{board.pk}/suggestions").status_code == 403
    curator = _client(alice)
    queue = curator.get(f"/boards/{board.pk}/suggestions")
    assert "https://example.org/guide" in queue.content.decode()
    curator.post(
        f"/boards/{board.pk}/suggestions",
        {"suggestion": suggestion.pk, "verb": "accept", "comment": "Bien vu"},
    )
    assert board.items.get().comment == "Bien vu"


def test_a_reader_adds_the_board_to_their_deck(board, alice, bob):
    services.add_item(alice, board, status=post_status(alice, "Une pépite de la semaine"))
    reader = _client(bob)
    answer = reader.post(f"/boards/{board.pk}/deck")
    assert answer.status_code == 302 and answer["Location"] == "/deck"
    deck = reader.get("/deck").content.decode()
    assert "Veille numérique" in deck and "Une pépite de la semaine" in deck


def test_private_board_pages_answer_404_to_others(alice, bob):
    board = services.create_board(alice, "Interne", visibility="private")
    assert _client().get(f"/boards/{board.pk}").status_code == 404
    assert _client(bob).get(f"/boards/{board.pk}").status_code == 404
    assert _client().get(f"/boards/{board.pk}/feed.atom").status_code == 404
    assert _client(alice).get(f"/boards/{board.pk}").status_code == 200
    assert "Interne" not in _client().get("/@alice/boards").content.decode()


def test_feeds_parse_back(board, alice, bob):
    post = post_status(bob, "Une enquête sur la lecture")
    services.add_item(alice, board, status=post, comment="Chiffres <utiles>")
    services.add_item(alice, board, url="https://example.org/rapport", title="Le rapport")
    atom = _client().get(f"/boards/{board.pk}/feed.atom")
    assert atom["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(atom.content)  # noqa: S314 (our own feed)
    assert root.find(f"{ATOM}title").text == "Veille numérique"
    entries = root.findall(f"{ATOM}entry")
    assert entries[0].find(f"{ATOM}title").text == "Le rapport"
    links_ = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert links_ == ["https://example.org/rapport", post.url or post.uri]
    assert "Chiffres &lt;utiles&gt;" in entries[1].find(f"{ATOM}summary").text
    rss = ElementTree.fromstring(_client().get(f"/boards/{board.pk}/feed.rss").content)  # noqa: S314
    assert [i.find("link").text for i in rss.iter("item")] == links_


def test_subscription_is_confirmed_then_the_newsletter_is_sent(board, alice, bob):
    services.add_item(alice, board, url="https://example.org/premier", title="Premier")
    answer = _client().post(f"/boards/{board.pk}/subscribe", {"email": "lecteur@example.org"})
    assert answer.status_code == 302
    [confirmation] = mail.outbox
    link = next(w for w in confirmation.body.split() if "/confirm" in w)
    assert services.send_newsletter(board.pk) == 0
    _client().get(link.replace(links.absolute(""), ""))
    mail.outbox.clear()
    assert services.send_newsletter(board.pk) == 1
    [letter] = mail.outbox
    assert letter.to == ["lecteur@example.org"] and "Premier" in letter.body
    assert "https://example.org/premier" in letter.alternatives[0][0]
    assert services.send_newsletter(board.pk) == 0
    unsubscribe = next(w for w in letter.body.split() if "/unsubscribe" in w)
    _client().post(unsubscribe.replace(links.absolute(""), ""))
    assert not board.subscribers.exists()


def test_a_signed_in_reader_subscribes_at_once_and_weekly_letters_go_out(board, alice, bob):
    bob.user.email_confirmed = True
    bob.user.save()
    _client(bob).post(f"/boards/{board.pk}/subscribe", {"email": "bob@example.org"})
    assert board.subscribers.get().confirmed_at is not None
    assert mail.outbox == []
    services.update_board(alice, board, newsletter="weekly")
    services.add_item(alice, board, url="https://example.org/semaine", title="Semaine")
    assert services.send_due_newsletters() == [board.pk]
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]
    assert services.send_due_newsletters() == []
    # A week later: the first item went out in the last letter, the new one goes in the next.
    board.items.update(added_at=timezone.now() - timedelta(days=9))
    Board.objects.filter(pk=board.pk).update(newsletter_sent_at=timezone.now() - timedelta(days=8))
    services.add_item(alice, board, url="https://example.org/suite", title="Suite")
    assert services.send_due_newsletters() == [board.pk]
    assert "Suite" in mail.outbox[-1].body and "Semaine" not in mail.outbox[-1].body
