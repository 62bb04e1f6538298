"""Reads about books shared by the web pages, the API and the feeds."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from babillard.accounts.models import Account
from babillard.books.models import Bibliography, Book, BookPost, HomeLibrary
from babillard.core.errors import NotFound
from babillard.institutions.models import Institution, Membership
from babillard.institutions.queries import catalogue_url
from babillard.statuses.models import Status
from babillard.statuses.queries import visible_statuses, with_relations

POSTS_PER_BOOK_PAGE = 40


def get_book(key: str) -> Book:
    """The book of a page address: an ISBN-13, or ``id-<pk>`` for a book without one."""
    found = None
    if key.startswith("id-") and key[3:].isdigit():
        found = Book.objects.filter(pk=int(key[3:]), isbn13="").first()
    elif key.isdigit():
        found = Book.objects.filter(isbn13=key).first()
    if found is None:
        raise NotFound(key)
    return found


def book_posts(statuses: Iterable[Status]) -> dict[int, BookPost]:
    """The book post of each status that is one, with its books, in two queries."""
    ids = [s.pk for s in statuses]
    if not ids:
        return {}
    found = BookPost.objects.filter(status_id__in=ids).prefetch_related("items__book")
    return {post.status_id: post for post in found}


def books_of(post: BookPost) -> list[Book]:
    return [item.book for item in post.items.all()]


def posts_about(viewer: Account | None, book: Book) -> QuerySet[Status]:
    """Every post about the book the viewer may see, local and remote, newest first."""
    return with_relations(
        visible_statuses(viewer).filter(book_post__items__book=book, reblog__isnull=True)
    ).order_by("-id")[:POSTS_PER_BOOK_PAGE]


# --- find it in my library ---------------------------------------------------------


@dataclass
class FindIt:
    library: str
    url: str


def instance_libraries() -> list[Institution]:
    """This instance's institutions that have a catalogue address."""
    return list(
        Institution.objects.filter(account__domain="", account__suspended_at__isnull=True)
        .exclude(catalogue_url_template="")
        .select_related("account")
        .order_by("official_name", "account__username")
    )


def home_library(account: Account | None) -> Institution | None:
    """The reader's chosen library, else the first institution they are staff of."""
    if account is None:
        return None
    chosen = HomeLibrary.objects.filter(account=account).select_related("institution").first()
    if chosen is not None:
        return chosen.institution
    staff_of = Membership.objects.filter(member=account).values("institution_id")
    return (
        Institution.objects.filter(account_id__in=staff_of, account__domain="")
        .exclude(catalogue_url_template="")
        .order_by("account_id")
        .first()
    )


def find_it_url(book: Book, institution: Institution) -> str | None:
    """A search for the book in the institution's catalogue: by ISBN, or by title and author."""
    if book.isbn13:
        query = ""
    else:
        query = " ".join(filter(None, [book.title, book.authors[0] if book.authors else ""]))
    return catalogue_url(institution, isbn=book.isbn13, query=query)


def find_it(viewer: Account | None, book: Book) -> list[FindIt]:
    """The reader's home library link; without one, the links of the instance's libraries."""
    home = home_library(viewer)
    libraries = [home] if home is not None else instance_libraries()
    links = []
    for library in libraries:
        url = find_it_url(book, library)
        if url:
            links.append(FindIt(str(library), url))
    return links


def first_find_it(viewer: Account | None) -> Callable[[Book], str | None]:
    """For the API: a book's first "find it" link (home library, else the instance's first
    library with a catalogue), the libraries being read once for many books."""
    home = home_library(viewer)
    libraries = [home] if home is not None else instance_libraries()

    def url_of(book: Book) -> str | None:
        return next(filter(None, (find_it_url(book, lib) for lib in libraries)), None)

    return url_of


# --- bibliographies ----------------------------------------------------------------


def get_bibliography(bibliography_id: int | str) -> Bibliography:
    """A bibliography (they are all public) of an account that is not suspended."""
    try:
        found = (
            Bibliography.objects.select_related("owner")
            .filter(owner__suspended_at__isnull=True)
            .get(pk=int(bibliography_id))
        )
    except (Bibliography.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(bibliography_id) from None
    return found


def bibliographies(owner: Account | None = None) -> QuerySet[Bibliography]:
    found = Bibliography.objects.select_related("owner").filter(owner__suspended_at__isnull=True)
    return found.filter(owner=owner) if owner is not None else found


def bibliography_items(bibliography: Bibliography) -> list[tuple[int, Book, str]]:
    """``(item id, book, comment)`` in the list's order."""
    return [
        (item.pk, item.book, item.comment)
        for item in bibliography.items.select_related("book").order_by("position", "pk")
    ]
