import csv
import io
import json
from xml.etree import ElementTree

import pytest
import rispy
from django.test import Client

from babillard.books import services
from babillard.books.models import BookPost
from babillard.books.services import BookSpec
from babillard.core.testing import PASSWORD
from babillard.statuses.models import Status
from babillard.statuses.services import post_status

pytestmark = pytest.mark.django_db


def logged_in(account, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert client.login(username=account.username, password=PASSWORD)
    return client


COMPOSE = {"visibility": "public", "language": "fr", "poll_duration": "86400"}


def test_composer_attaches_a_review(alice):
    client = logged_in(alice)
    assert b'name="book_isbn"' in client.get("/compose").content
    answer = client.post(
        "/compose",
        {
            **COMPOSE,
            "text": "Un roman essentiel.",
            "book_isbn": "978-2-07-036002-4",
            "book_kind": "review",
            "book_rating": "4",
            "book_review_title": "L'absurde",
        },
    )
    assert answer.status_code == 302
    post = BookPost.objects.get(status__account=alice)
    assert (post.kind, post.rating, post.review_title) == ("review", 4, "L'absurde")
    assert post.books.get().isbn13 == "9782070360024"


def test_composer_shows_an_invalid_isbn_and_writes_nothing(alice):
    client = logged_in(alice)
    answer = client.post(
        "/compose",
        {**COMPOSE, "text": "Texte", "book_isbn": "978-2-07-036002-5", "book_kind": "review"},
    )
    assert answer.status_code == 400
    assert b"978-2-07-036002-5 is not a valid ISBN." in answer.content
    assert b'value="978-2-07-036002-5"' in answer.content
    assert not Status.objects.exists()


def test_composer_without_books_is_unchanged(alice):
    answer = logged_in(alice).post(
        "/compose", {**COMPOSE, "text": "Bonjour", "book_kind": "review"}
    )
    assert answer.status_code == 302
    assert not BookPost.objects.exists()


def test_book_page_lists_posts_and_find_it_links(alice, librarian, library, university):
    status = post_status(alice, "Relisez ISBN 2-07-036002-4")
    hidden = post_status(alice, "Pour mes abonnés ISBN 2070360024", visibility="private")
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en").get("/books/9782070360024")
    assert anonymous.status_code == 200
    page = anonymous.content.decode()
    assert f"/@alice/{status.pk}" in page and f"/@alice/{hidden.pk}" not in page
    # Anonymous readers see every library of the instance.
    assert "https://catalogue.mediatheque.example/recherche?isbn=9782070360024" in page
    assert "https://bu.example/search?q=9782070360024" in page
    # A librarian sees their own library's link only.
    mine = logged_in(librarian).get("/books/9782070360024").content.decode()
    assert "Find it in my library" in mine
    assert "https://bu.example" not in mine
    assert Client().get("/books/9782070360025").status_code == 404


def test_book_is_served_as_an_edition(alice):
    services.book_for(BookSpec(isbn="2070360024", title="L'Étranger"))
    answer = Client().get("/books/9782070360024", HTTP_ACCEPT="application/activity+json")
    document = json.loads(answer.content)
    assert document["type"] == "Edition" and document["isbn13"] == "9782070360024"
    work = json.loads(Client().get("/books/9782070360024/work").content)
    assert work["type"] == "Work" and work["editions"] == [document["id"]]


def test_choose_my_library(alice, library, university):
    client = logged_in(alice)
    assert b"BU Lettres" in client.get("/settings/library").content
    answer = client.post("/settings/library", {"institution": str(university.pk)})
    assert answer.status_code == 302
    services.book_for(BookSpec(isbn="2070360024"))
    page = client.get("/books/9782070360024").content.decode()
    assert "https://bu.example/search?q=9782070360024" in page
    assert "catalogue.mediatheque.example" not in page
    assert client.post("/settings/library", {"institution": "999999"}).status_code == 400


@pytest.fixture
def bibliography(librarian, library):
    found = services.create_bibliography(
        librarian, "Prix des lecteurs", "La sélection 2026", owner=library.account
    )
    services.add_item(
        librarian,
        found,
        BookSpec(isbn="2070360024", title="L'Étranger", authors=["Albert Camus"]),
        "Un classique; à relire",
    )
    services.add_item(librarian, found, BookSpec(title="Le Petit Prince", authors=["Saint-Ex"]))
    return found


def test_bibliography_page_and_editing(bibliography, librarian, alice):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/bibliographies/{bibliography.pk}")
    assert page.status_code == 200
    assert b"Prix des lecteurs" in page.content and b"Un classique; " in page.content
    assert b"Add a book" not in page.content
    editor = logged_in(librarian)
    added = editor.post(
        f"/bibliographies/{bibliography.pk}", {"isbn": "978-2-07-036822-8", "comment": "Nouveau"}
    )
    assert added.status_code == 302
    assert bibliography.items.count() == 3
    refused = editor.post(f"/bibliographies/{bibliography.pk}", {"isbn": "123"})
    assert refused.status_code == 400
    assert (
        logged_in(alice)
        .post(f"/bibliographies/{bibliography.pk}", {"isbn": "2070360024"})
        .status_code
        == 404
    )


def test_create_a_bibliography_as_the_institution(librarian, library):
    client = logged_in(librarian)
    assert "Médiathèque Jules-Verne" in client.get("/bibliographies").content.decode()
    answer = client.post("/bibliographies", {"title": "Polars", "owner": str(library.pk)})
    assert answer.status_code == 302
    assert library.account.bibliographies.get().title == "Polars"


def test_csv_export(bibliography):
    answer = Client().get(f"/bibliographies/{bibliography.pk}.csv")
    assert answer["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0][:3] == ["position", "isbn13", "title"]
    assert rows[1][1:3] == ["9782070360024", "L'Étranger"]
    assert rows[1][-1] == "Un classique; à relire"
    assert rows[2][2] == "Le Petit Prince" and rows[2][1] == ""


def test_ris_export_parses_back(bibliography):
    answer = Client().get(f"/bibliographies/{bibliography.pk}.ris")
    assert answer["Content-Type"].startswith("application/x-research-info-systems")
    records = rispy.loads(answer.content.decode())
    assert [r["type_of_reference"] for r in records] == ["BOOK", "BOOK"]
    assert records[0]["title"] == "L'Étranger"
    assert records[0]["authors"] == ["Albert Camus"]
    assert records[0]["issn"] == "9782070360024"
    assert records[0]["notes"] == ["Un classique; à relire"]
    assert records[1]["urls"][0].endswith(f"/books/id-{bibliography.items.last().book_id}")


def test_rss_and_atom_feeds(bibliography):
    rss = ElementTree.fromstring(  # noqa: S314 (our own feed)
        Client().get(f"/bibliographies/{bibliography.pk}.rss").content
    )
    assert [t.text for t in rss.iter("title")][1:] == [
        "L'Étranger — Albert Camus",
        "Le Petit Prince — Saint-Ex",
    ]
    atom = Client().get(f"/bibliographies/{bibliography.pk}.atom")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert b"Un classique" in atom.content


def test_embeddable_version_may_be_framed(bibliography):
    answer = Client().get(f"/bibliographies/{bibliography.pk}/embed")
    assert answer.status_code == 200
    assert "X-Frame-Options" not in answer
    assert "frame-ancestors *" in answer["Content-Security-Policy"]
    assert b"<script" not in answer.content and b"<form" not in answer.content
    assert b"catalogue.mediatheque.example/recherche?isbn=9782070360024" in answer.content
    normal = Client().get(f"/bibliographies/{bibliography.pk}")
    assert "frame-ancestors 'none'" in normal["Content-Security-Policy"]


def test_bibliographies_of_an_account(bibliography, library):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/@{library.account.username}/bibliographies")
    assert page.status_code == 200
    assert f"/bibliographies/{bibliography.pk}".encode() in page.content
    assert Client().get("/@nobody/bibliographies").status_code == 404


def test_posts_show_their_books_with_the_readers_library_link(alice, librarian, library):
    from babillard.accounts.services import follow

    follow(librarian, alice)
    status = post_status(alice, "À relire : ISBN 2-07-036002-4")
    client = logged_in(librarian)
    for url in ("/home", f"/@alice/{status.pk}"):
        page = client.get(url).content.decode()
        assert 'class="status-books"' in page
        assert 'href="/books/9782070360024"' in page
        assert "https://catalogue.mediatheque.example/recherche?isbn=9782070360024" in page
    plain = post_status(alice, "Sans livre")
    assert 'class="status-books"' not in client.get(f"/@alice/{plain.pk}").content.decode()
