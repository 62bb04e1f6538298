"""Every write about books: book posts, the books themselves, home libraries, bibliographies.

API paths served: ``POST /api/v1/statuses`` (``babillard_books[]`` and its details),
``/api/babillard/v1/bibliographies`` and its items. ISBNs are checked and normalised
to ISBN-13 with python-stdnum.
"""

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError as IsbnError

from babillard.accounts.models import Account
from babillard.books.models import (
    Bibliography,
    BibliographyItem,
    Book,
    BookKind,
    BookPost,
    BookPostItem,
    HomeLibrary,
)
from babillard.core.errors import Forbidden, NotFound
from babillard.core.tasks import enqueue_on_commit
from babillard.institutions.models import Institution, Role
from babillard.statuses.models import Status

MAX_BOOKS_PER_POST = 5
MAX_BIBLIOGRAPHY_ITEMS = 500
BOOK_FIELDS = ("title", "subtitle", "authors", "publisher", "year", "language", "cover_url")
# "ISBN 978-2-07-036822-8", "ISBN-10: 2070368227", "isbn 2 07 036822 7".
ISBN_IN_TEXT = re.compile(
    r"\bISBN(?:-1[03])?\s*:?\s*([0-9](?:[- ]?[0-9]){8,11}[- ]?[0-9Xx])\b", re.I
)


@dataclass
class BookSpec:
    """A book as someone gave it: an ISBN in any form, or a title and authors."""

    isbn: str = ""
    title: str = ""
    authors: list[str] = field(default_factory=list)


@dataclass
class BookPostSpec:
    """The books of a post and what the post says about them."""

    books: list[BookSpec]
    kind: str = BookKind.RECOMMENDATION
    rating: int | None = None
    review_title: str = ""
    quote_page: int | None = None


# --- ISBNs and books ---------------------------------------------------------------


def normalise_isbn(raw: str) -> str:
    """The ISBN-13 of an ISBN-10 or ISBN-13 typed with or without hyphens or spaces."""
    try:
        return str(stdnum_isbn.to_isbn13(stdnum_isbn.validate(raw)))
    except IsbnError:
        raise ValidationError(
            _("%(isbn)s is not a valid ISBN.") % {"isbn": raw.strip()[:40]}, code="isbn"
        ) from None


def isbns_in_text(text: str) -> list[str]:
    """The valid ISBNs written as ``ISBN …`` in a text, as ISBN-13, in order, once each."""
    found: list[str] = []
    for match in ISBN_IN_TEXT.finditer(text):
        try:
            number = normalise_isbn(match.group(1))
        except ValidationError:
            continue
        if number not in found:
            found.append(number)
    return found


def _clean_authors(authors: Sequence[Any]) -> list[str]:
    return [str(a).strip()[:200] for a in authors if str(a).strip()][:20]


def fill_book(book: Book, known: dict[str, Any]) -> Book:
    """Complete the empty fields of ``book`` with what is ``known``; never overwrite."""
    changed = []
    for name in BOOK_FIELDS:
        value = known.get(name)
        if name == "authors":
            value = _clean_authors(value or [])
        if value and not getattr(book, name):
            limit = getattr(Book._meta.get_field(name), "max_length", None)
            setattr(book, name, value[:limit] if isinstance(value, str) and limit else value)
            changed.append(name)
    if changed:
        book.save(update_fields=[*changed, "updated_at"])
    return book


def book_for(spec: BookSpec) -> Book:
    """The ``Book`` a spec names, created when new (filled with what was typed)."""
    title = spec.title.strip()[:500]
    authors = _clean_authors(spec.authors)
    if spec.isbn.strip():
        number = normalise_isbn(spec.isbn)
        book, created = Book.objects.get_or_create(isbn13=number)
        fill_book(book, {"title": title, "authors": authors})
        if created:
            _look_up_later(book)
        return book
    if not title:
        raise ValidationError(_("Give a book's ISBN, or its title and authors."), code="book")
    existing = Book.objects.filter(isbn13="", title=title, authors=authors).first()
    return existing or Book.objects.create(title=title, authors=authors)


def book_by_isbn(raw: str) -> Book:
    """The book of an ISBN in any form; an unsaved one when never seen (nothing is written)."""
    number = normalise_isbn(raw)
    return Book.objects.filter(isbn13=number).first() or Book(isbn13=number)


def _look_up_later(book: Book) -> None:
    if settings.BOOKS_LOOKUP:
        from babillard.books.tasks import look_up_book

        enqueue_on_commit(look_up_book, book.pk)


# --- book posts --------------------------------------------------------------------


def _check_post_spec(spec: BookPostSpec) -> None:
    if spec.kind not in BookKind.values:
        raise ValidationError(_("Unknown kind of book post."), code="book_kind")
    if not spec.books:
        raise ValidationError(_("Attach at least one book."), code="book")
    if len(spec.books) > MAX_BOOKS_PER_POST:
        raise ValidationError(_("A post is about five books at most."), code="book")
    if spec.rating is not None and (spec.kind != BookKind.REVIEW or not 1 <= spec.rating <= 5):
        raise ValidationError(_("A rating goes from 1 to 5, on a review."), code="rating")
    if spec.quote_page is not None and (spec.kind != BookKind.QUOTATION or spec.quote_page < 1):
        raise ValidationError(_("A page number is positive, on a quotation."), code="quote_page")
    for book in spec.books:
        if book.isbn.strip():
            normalise_isbn(book.isbn)
        elif not book.title.strip():
            raise ValidationError(_("Give a book's ISBN, or its title and authors."), code="book")


def attach_books(status: Status, spec: BookPostSpec) -> BookPost:
    """Make ``status`` a book post (or add books to it); the caller owns the transaction."""
    _check_post_spec(spec)
    books = [book_for(b) for b in spec.books]
    post, _created = BookPost.objects.update_or_create(
        status=status,
        defaults={
            "kind": spec.kind,
            "rating": spec.rating,
            "review_title": spec.review_title.strip()[:255],
            "quote_page": spec.quote_page,
        },
    )
    _add_items(post, books)
    return post


def _add_items(post: BookPost, books: Sequence[Book]) -> None:
    present = set(post.items.values_list("book_id", flat=True))
    position = len(present)
    for book in books:
        if book.pk not in present:
            BookPostItem.objects.create(post=post, book=book, position=position)
            present.add(book.pk)
            position += 1


def _attach_books_from_text(status: Status) -> bool:
    """Attach the books a new post names as ``ISBN …`` (Mastodon clients write them so)."""
    numbers = isbns_in_text(status.text)[:MAX_BOOKS_PER_POST]
    if not numbers:
        return False
    post, _created = BookPost.objects.get_or_create(status=status)
    _add_items(post, [book_for(BookSpec(isbn=n)) for n in numbers])
    return True


@dataclass
class PendingBooks:
    spec: BookPostSpec
    status: Status | None = None

    def check_attached(self) -> None:
        """Refuse (and roll back) when no post took the books: a scheduled post cannot yet."""
        if self.status is None:
            raise ValidationError(_("Book posts cannot be scheduled yet."), code="schedule")


# The books the front door's request attaches to the post it is publishing. The front
# doors call ``statuses.services.post_status`` (or an institution's variant of it) and
# the books ride along here until the post's ``published`` signal picks them up.
_expected: ContextVar[PendingBooks | None] = ContextVar("books_expected", default=None)


def on_published(sender: Any, status: Status, **kwargs: Any) -> None:
    """``statuses.services.published``: the requested books, then those named in the text."""
    expected = _expected.get()
    requested = expected is not None and expected.status is None
    if expected is not None and requested:
        expected.status = status
        attach_books(status, expected.spec)
    if _attach_books_from_text(status) or requested:
        from babillard.books.federation import reshape_create_deliveries

        reshape_create_deliveries(status)


@contextmanager
def books_for_the_post(spec: BookPostSpec) -> Iterator[PendingBooks]:
    """Attach ``spec`` to the post published inside the block, in one transaction with it.

    ``ValidationError`` for an invalid spec, before anything is written; the block calls
    ``check_attached`` once its post is published.
    """
    _check_post_spec(spec)
    pending = PendingBooks(spec)
    token = _expected.set(pending)
    try:
        with transaction.atomic():
            yield pending
    finally:
        _expected.reset(token)


# --- home library ------------------------------------------------------------------


def choose_home_library(account: Account, institution_id: int | None) -> HomeLibrary | None:
    """Set (or, with ``None``, forget) the institution whose catalogue the reader searches."""
    if institution_id is None:
        HomeLibrary.objects.filter(account=account).delete()
        return None
    institution = Institution.objects.filter(pk=institution_id, account__domain="").first()
    if institution is None:
        raise ValidationError(_("Choose one of this instance's libraries."), code="institution")
    home, _created = HomeLibrary.objects.update_or_create(
        account=account, defaults={"institution": institution}
    )
    return home


# --- bibliographies ----------------------------------------------------------------


def can_edit(actor: Account, owner: Account) -> bool:
    """The owner, or an editor of the owning institution."""
    from babillard.institutions.queries import has_role

    return actor.pk == owner.pk or has_role(actor, owner, Role.EDITOR)


def _check_editor(actor: Account, owner: Account) -> None:
    if not can_edit(actor, owner):
        raise Forbidden(_("Only the owner or the institution's editors change this list."))


def _clean_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationError(_("A bibliography needs a title."), code="title")
    if len(title) > 200:
        raise ValidationError(_("A title has at most 200 characters."), code="title")
    return title


def create_bibliography(
    actor: Account, title: str, description: str = "", *, owner: Account | None = None
) -> Bibliography:
    owner = owner or actor
    if not owner.is_local:
        raise NotFound(owner.pk)
    _check_editor(actor, owner)
    return Bibliography.objects.create(
        owner=owner, title=_clean_title(title), description=description.strip()[:5000]
    )


def update_bibliography(
    actor: Account,
    bibliography: Bibliography,
    *,
    title: str | None = None,
    description: str | None = None,
    order: Sequence[int] | None = None,
) -> Bibliography:
    """Rename, describe, or reorder (``order``: every item id, in the new order)."""
    _check_editor(actor, bibliography.owner)
    with transaction.atomic():
        if title is not None:
            bibliography.title = _clean_title(title)
        if description is not None:
            bibliography.description = description.strip()[:5000]
        bibliography.save()
        if order is not None:
            ids = list(bibliography.items.values_list("pk", flat=True))
            if sorted(ids) != sorted(order) or len(set(order)) != len(order):
                raise ValidationError(_("The new order must list every item once."), code="order")
            for position, item_id in enumerate(order):
                BibliographyItem.objects.filter(pk=item_id).update(position=position)
    return bibliography


def delete_bibliography(actor: Account, bibliography: Bibliography) -> None:
    _check_editor(actor, bibliography.owner)
    bibliography.delete()


def add_item(
    actor: Account, bibliography: Bibliography, spec: BookSpec, comment: str = ""
) -> BibliographyItem:
    _check_editor(actor, bibliography.owner)
    with transaction.atomic():
        count = bibliography.items.count()
        if count >= MAX_BIBLIOGRAPHY_ITEMS:
            raise ValidationError(_("A bibliography holds 500 books at most."), code="items")
        item = BibliographyItem.objects.create(
            bibliography=bibliography,
            book=book_for(spec),
            comment=comment.strip()[:5000],
            position=count,
        )
        bibliography.save(update_fields=["updated_at"])
    return item


def remove_item(actor: Account, bibliography: Bibliography, item_id: int) -> None:
    _check_editor(actor, bibliography.owner)
    deleted, _rows = bibliography.items.filter(pk=item_id).delete()
    if not deleted:
        raise NotFound(item_id)
