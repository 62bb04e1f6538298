"""The bibliographic look-up, against answers recorded from the BnF and Open Library."""

from pathlib import Path

import pytest

from babillard.books import lookup
from babillard.books.models import Book
from babillard.books.services import BookSpec, book_for
from babillard.core import http

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
RECORDED = {
    "catalogue.bnf.fr": "bnf_sru_9782070360024.xml",
    "openlibrary.org": "openlibrary_9782070360024.json",
}


@pytest.fixture
def catalogues(monkeypatch):
    """The two services, answering from recorded files; every request is kept."""
    asked = []

    def request(method, url, **options):
        asked.append((url, options))
        for host, name in RECORDED.items():
            if f"https://{host}/" in url and "9782070360024" in url:
                return http.Response(200, url, (FIXTURES / name).read_bytes())
        return http.Response(200, url, (FIXTURES / "openlibrary_empty.json").read_bytes())

    monkeypatch.setattr(http, "request", request)
    return asked


def test_lookup_fills_a_new_book(settings, catalogues):
    settings.BOOKS_LOOKUP = True
    book = book_for(BookSpec(isbn="2-07-036002-4"))
    book.refresh_from_db()
    assert (book.title, book.subtitle) == ("L'étranger", "roman")
    assert book.authors == ["Albert Camus"]
    assert (book.publisher, book.year, book.language) == ("Gallimard", 1972, "fr")
    assert book.cover_url == "https://covers.openlibrary.org/b/id/8231812-M.jpg"
    assert book.looked_up_at is not None
    assert [url.split("?")[0] for url, _options in catalogues] == [
        lookup.BNF_SRU,
        lookup.OPEN_LIBRARY,
    ]
    assert all(options["timeout"] == lookup.TIMEOUT for _url, options in catalogues)
    assert "bib.isbn+all+%229782070360024%22" in catalogues[0][0]


def test_answers_are_cached(settings, catalogues):
    assert lookup.look_up("9782070360024")["title"] == "L'étranger"
    assert lookup.look_up("9782070360024")["publisher"] == "Gallimard"
    assert len(catalogues) == 2


def test_what_the_author_typed_is_kept(settings, catalogues):
    settings.BOOKS_LOOKUP = True
    book = book_for(BookSpec(isbn="9782070360024", title="L'Étranger (Folio)"))
    book.refresh_from_db()
    assert book.title == "L'Étranger (Folio)" and book.publisher == "Gallimard"


def test_no_lookup_unless_the_administrator_turns_it_on(catalogues):
    book_for(BookSpec(isbn="9782070360024"))
    assert catalogues == []
    assert Book.objects.get().looked_up_at is None


def test_unknown_isbn_and_failures_change_nothing(settings, monkeypatch):
    settings.BOOKS_LOOKUP = True

    def refuse(method, url, **options):
        raise http.HttpError("timed out")

    monkeypatch.setattr(http, "request", refuse)
    book = book_for(BookSpec(isbn="978-2-07-036822-8"))
    book.refresh_from_db()
    assert book.title == "" and book.looked_up_at is not None


def test_bnf_creators_become_names():
    assert lookup._bnf_author("Camus, Albert (1913-1960). Auteur du texte") == "Albert Camus"
    assert lookup._bnf_author("Yourcenar, Marguerite") == "Marguerite Yourcenar"
    assert lookup.parse_bnf(b"not xml") == {}
