import pytest
from django.core.exceptions import ValidationError

from babillard.books import services
from babillard.books.models import Book, BookKind, BookPost
from babillard.books.queries import books_of
from babillard.books.services import BookPostSpec, BookSpec
from babillard.core.errors import Forbidden
from babillard.statuses.services import post_status

pytestmark = pytest.mark.django_db

ETRANGER = "9782070360024"


@pytest.mark.parametrize(
    "typed",
    ["978-2-07-036002-4", "9782070360024", "978 2 07 036002 4", "2-07-036002-4", "2070360024"],
)
def test_isbn_forms_normalise_to_isbn13(typed):
    assert services.normalise_isbn(typed) == ETRANGER


def test_isbn10_with_x_check_digit():
    assert services.normalise_isbn("0-8044-2957-X") == "9780804429573"


@pytest.mark.parametrize("typed", ["978-2-07-036002-5", "12345", "", "not an isbn", "2070360025"])
def test_invalid_isbns_are_refused(typed):
    with pytest.raises(ValidationError):
        services.normalise_isbn(typed)


def test_isbns_in_plain_text():
    text = "Relu ISBN 978-2-07-036822-8 et isbn: 2070360024, mais pas ISBN 978-2-07-036822-9."
    assert services.isbns_in_text(text) == ["9782070368228", ETRANGER]


def test_status_with_isbn_in_text_gets_the_book(alice):
    status = post_status(alice, "À lire absolument : ISBN 978-2-07-036822-8 #lecture")
    post = BookPost.objects.get(status=status)
    assert post.kind == BookKind.RECOMMENDATION
    assert [b.isbn13 for b in post.books.all()] == ["9782070368228"]


def test_status_without_isbn_is_no_book_post(alice):
    status = post_status(alice, "Ouverture à 10 h, 978 lecteurs hier")
    assert not BookPost.objects.filter(status=status).exists()


def test_review_with_books_by_isbn_and_by_title(alice):
    spec = BookPostSpec(
        books=[
            BookSpec(isbn="2-07-036002-4"),
            BookSpec(title="Le Petit Prince", authors=["Saint-Exupéry"]),
        ],
        kind=BookKind.REVIEW,
        rating=4,
        review_title="Toujours aussi fort",
    )
    with services.books_for_the_post(spec) as pending:
        status = post_status(alice, "Relu cet été.")
        pending.check_attached()
    post = BookPost.objects.get(status=status)
    assert (post.kind, post.rating, post.review_title) == ("review", 4, "Toujours aussi fort")
    books = books_of(post)
    assert books[0].isbn13 == ETRANGER
    assert books[1].isbn13 == "" and books[1].authors == ["Saint-Exupéry"]


@pytest.mark.parametrize(
    "spec",
    [
        BookPostSpec(books=[BookSpec(isbn="978-2-07-036002-5")]),
        BookPostSpec(books=[BookSpec(isbn=ETRANGER)], kind="poem"),
        BookPostSpec(books=[BookSpec(isbn=ETRANGER)], kind=BookKind.REVIEW, rating=6),
        BookPostSpec(books=[BookSpec(isbn=ETRANGER)], kind=BookKind.RECOMMENDATION, rating=3),
        BookPostSpec(books=[BookSpec(isbn=ETRANGER)], kind=BookKind.QUOTATION, quote_page=0),
        BookPostSpec(books=[]),
        BookPostSpec(books=[BookSpec()]),
    ],
)
def test_invalid_book_posts_write_nothing(alice, spec):
    with pytest.raises(ValidationError), services.books_for_the_post(spec) as pending:
        post_status(alice, "Texte")
        pending.check_attached()
    assert not alice.statuses.exists()
    assert not Book.objects.exists()


def test_scheduled_book_post_is_refused_and_rolled_back(alice):
    from datetime import timedelta

    from django.utils import timezone

    from babillard.statuses.models import ScheduledStatus

    spec = BookPostSpec(books=[BookSpec(isbn=ETRANGER)])
    with pytest.raises(ValidationError), services.books_for_the_post(spec) as pending:
        post_status(alice, "Plus tard", scheduled_at=timezone.now() + timedelta(hours=2))
        pending.check_attached()
    assert not ScheduledStatus.objects.exists()


def test_typed_details_fill_blanks_only(alice):
    book = services.book_for(BookSpec(isbn=ETRANGER, title="L'Étranger", authors=["Albert Camus"]))
    again = services.book_for(BookSpec(isbn="2070360024", title="Autre titre"))
    assert again.pk == book.pk
    assert again.title == "L'Étranger" and again.authors == ["Albert Camus"]


def test_home_library_choice(alice, library, university):
    from babillard.books.queries import home_library

    assert home_library(alice) is None
    services.choose_home_library(alice, university.pk)
    assert home_library(alice) == university
    services.choose_home_library(alice, None)
    assert home_library(alice) is None
    with pytest.raises(ValidationError):
        services.choose_home_library(alice, alice.pk)


def test_staff_default_to_their_institution(librarian, library, university):
    from babillard.books.queries import home_library

    assert home_library(librarian) == library


def test_find_it_urls(alice, librarian, library, university):
    from babillard.books.queries import find_it

    book = services.book_for(BookSpec(isbn="2-07-036002-4"))
    untitled = services.book_for(BookSpec(title="Le Petit Prince", authors=["Saint-Exupéry", "X"]))
    assert [f.url for f in find_it(librarian, book)] == [
        "https://catalogue.mediatheque.example/recherche?isbn=9782070360024"
    ]
    # No home library: every library of the instance, the ISBN as the query of a {query} template.
    assert {f.url for f in find_it(None, book)} == {
        "https://catalogue.mediatheque.example/recherche?isbn=9782070360024",
        "https://bu.example/search?q=9782070360024",
    }
    # Without an ISBN: title and first author, where the template takes a query.
    services.choose_home_library(alice, university.pk)
    assert [f.url for f in find_it(alice, untitled)] == [
        "https://bu.example/search?q=Le%20Petit%20Prince%20Saint-Exup%C3%A9ry"
    ]
    assert find_it(librarian, untitled) == []


def test_bibliography_editing_rights(alice, librarian, library):
    mine = services.create_bibliography(alice, "Mes classiques")
    theirs = services.create_bibliography(librarian, "Prix des lecteurs", owner=library.account)
    assert theirs.owner == library.account
    with pytest.raises(Forbidden):
        services.add_item(alice, theirs, BookSpec(isbn=ETRANGER))
    with pytest.raises(Forbidden):
        services.create_bibliography(alice, "Usurpée", owner=library.account)
    first = services.add_item(alice, mine, BookSpec(isbn=ETRANGER), "Un classique")
    second = services.add_item(alice, mine, BookSpec(title="Le Petit Prince"))
    services.update_bibliography(alice, mine, order=[second.pk, first.pk])
    from babillard.books.queries import bibliography_items

    assert [i[0] for i in bibliography_items(mine)] == [second.pk, first.pk]
    with pytest.raises(ValidationError):
        services.update_bibliography(alice, mine, order=[first.pk])
    with pytest.raises(ValidationError):
        services.create_bibliography(alice, "  ")
