import json

import pytest

from babillard.books.models import Book, BookPost
from babillard.statuses.models import Status

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["978-2-07-036002-4", "9782070360024", "2-07-036002-4"])
def test_book_by_any_isbn_form(anonymous, library, typed):
    answer = anonymous.get(f"/api/babillard/v1/books/{typed}")
    assert answer.status_code == 200
    body = answer.json()
    # Never seen before: what is known, at least the ISBN-13 and the catalogue link.
    assert body["isbn13"] == "9782070360024"
    assert (
        body["find_it_url"] == "https://catalogue.mediatheque.example/recherche?isbn=9782070360024"
    )
    assert not Book.objects.exists()


@pytest.mark.parametrize("typed", ["978-2-07-036002-5", "12345", "abc"])
def test_invalid_isbn_is_422(anonymous, typed):
    answer = anonymous.get(f"/api/babillard/v1/books/{typed}")
    assert answer.status_code == 422
    assert "not a valid ISBN" in answer.json()["error"]


def test_known_book_and_home_library(as_alice, alice, library, university):
    from babillard.books.services import BookSpec, book_for, choose_home_library

    book_for(BookSpec(isbn="2070360024", title="L'Étranger", authors=["Albert Camus"]))
    choose_home_library(alice, university.pk)
    body = as_alice.get("/api/babillard/v1/books/9782070360024").json()
    assert body["title"] == "L'Étranger" and body["authors"] == ["Albert Camus"]
    assert body["url"].endswith("/books/9782070360024")
    assert body["find_it_url"] == "https://bu.example/search?q=9782070360024"


def test_post_a_review_through_the_client_api(as_alice, library):
    answer = as_alice.post(
        "/api/v1/statuses",
        {
            "status": "Relu avec bonheur.",
            "babillard_books": ["978-2-07-036002-4"],
            "babillard_book_kind": "review",
            "babillard_rating": 5,
        },
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert [b["isbn13"] for b in body["babillard"]["books"]] == ["9782070360024"]
    assert body["babillard"]["book_post"]["kind"] == "review"
    assert body["babillard"]["book_post"]["rating"] == 5
    assert body["babillard"]["books"][0]["find_it_url"].endswith("isbn=9782070360024")
    fetched = as_alice.get(f"/api/v1/statuses/{body['id']}").json()
    assert fetched["babillard"]["books"] == body["babillard"]["books"]


def test_form_encoded_book_fields(as_alice):
    answer = as_alice.post(
        "/api/v1/statuses",
        {
            "status": "« Aujourd'hui, maman est morte. »",
            "babillard_books[]": ["2070360024"],
            "babillard_book_kind": "quotation",
            "babillard_quote_page": "9",
        },
        form=True,
    )
    assert answer.status_code == 200, answer.content
    post = BookPost.objects.get(status_id=int(answer.json()["id"]))
    assert (post.kind, post.quote_page) == ("quotation", 9)


@pytest.mark.parametrize(
    "fields",
    [
        {"babillard_books": ["978-2-07-036002-5"]},
        {"babillard_books": ["9782070360024"], "babillard_book_kind": "poem"},
        {
            "babillard_books": ["9782070360024"],
            "babillard_book_kind": "review",
            "babillard_rating": 9,
        },
        {"babillard_books": ["9782070360024"], "babillard_rating": "five"},
    ],
)
def test_bad_book_fields_are_422_and_write_nothing(as_alice, fields):
    answer = as_alice.post("/api/v1/statuses", {"status": "Texte", **fields})
    assert answer.status_code == 422
    assert not Status.objects.exists() and not Book.objects.exists()


def test_isbn_in_plain_text_from_a_mastodon_client(as_alice):
    answer = as_alice.post("/api/v1/statuses", {"status": "Coup de cœur : ISBN 978-2-07-036822-8"})
    assert [b["isbn13"] for b in answer.json()["babillard"]["books"]] == ["9782070368228"]


def test_plain_posts_carry_no_books(as_alice):
    body = as_alice.post("/api/v1/statuses", {"status": "Bonjour"}).json()
    assert "books" not in body.get("babillard", {})


def test_bibliographies(as_alice, anonymous, alice):
    created = as_alice.post(
        "/api/babillard/v1/bibliographies",
        {"title": "Rentrée littéraire", "description": "Nos coups de cœur"},
    )
    assert created.status_code == 200, created.content
    bib_id = created.json()["id"]
    first = as_alice.post(
        f"/api/babillard/v1/bibliographies/{bib_id}/items",
        {"isbn": "978-2-07-036002-4", "comment": "Un classique"},
    )
    second = as_alice.post(
        f"/api/babillard/v1/bibliographies/{bib_id}/items",
        {"title": "Le Petit Prince", "authors": ["Antoine de Saint-Exupéry"]},
    )
    assert first.status_code == second.status_code == 200
    assert second.json()["book"]["isbn13"] is None
    bad = as_alice.post(f"/api/babillard/v1/bibliographies/{bib_id}/items", {"isbn": "123"})
    assert bad.status_code == 422
    order = [second.json()["id"], first.json()["id"]]
    patched = as_alice.patch(
        f"/api/babillard/v1/bibliographies/{bib_id}", {"title": "Rentrée 2026", "order": order}
    )
    assert patched.json()["title"] == "Rentrée 2026"
    assert [i["id"] for i in patched.json()["items"]] == order
    shown = anonymous.get(f"/api/babillard/v1/bibliographies/{bib_id}").json()
    assert [i["comment"] for i in shown["items"]] == ["", "Un classique"]
    listed = anonymous.get("/api/babillard/v1/bibliographies", {"account_id": alice.pk}).json()
    assert [b["id"] for b in listed] == [bib_id]
    assert anonymous.delete(f"/api/babillard/v1/bibliographies/{bib_id}").status_code == 401
    assert as_alice.delete(f"/api/babillard/v1/bibliographies/{bib_id}").status_code == 200
    assert anonymous.get(f"/api/babillard/v1/bibliographies/{bib_id}").status_code == 404


def test_someone_elses_bibliography_is_forbidden(as_alice, librarian, library):
    from babillard.books.services import create_bibliography

    theirs = create_bibliography(librarian, "Sélection", owner=library.account)
    answer = as_alice.post(
        f"/api/babillard/v1/bibliographies/{theirs.pk}/items", {"isbn": "9782070360024"}
    )
    assert answer.status_code == 403


def test_openapi_documents_the_books_paths(anonymous):
    document = json.loads(anonymous.get("/api/babillard/v1/openapi.json").content)
    for path in (
        "/api/babillard/v1/books/{isbn}",
        "/api/babillard/v1/bibliographies",
        "/api/babillard/v1/bibliographies/{bibliography_id}",
        "/api/babillard/v1/bibliographies/{bibliography_id}/items",
    ):
        assert path in document["paths"], path
    assert "BookEntity" in document["components"]["schemas"]
