"""``/api/babillard/v1/`` paths of the books domain: books by ISBN and bibliographies.

Books are public reads. Bibliographies are public; writing one takes
``write:lists`` (its owner, or an editor of the owning institution).
``POST /api/v1/statuses`` reads the book fields of a post with ``book_post_spec``.
"""

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from babillard.accounts.models import Account
from babillard.api import schemas, serializers
from babillard.api.base import as_int, as_list, as_str, params, require, viewer
from babillard.books import queries, services
from babillard.books.federation import book_path
from babillard.books.models import Bibliography, BibliographyItem, Book, BookPost
from babillard.core import links
from babillard.statuses.models import Status

router = Router(tags=["books"])

ERRORS: dict[int, type[schemas.Entity]] = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    422: schemas.Error,
}


class BookEntity(schemas.Entity):
    isbn13: str | None
    title: str
    subtitle: str
    authors: list[str]
    publisher: str
    year: int | None
    language: str
    cover_url: str | None
    url: str | None
    find_it_url: str | None


class BookPostEntity(schemas.Entity):
    kind: str
    rating: int | None
    review_title: str
    quote: str
    quote_page: int | None


class BibliographyItemEntity(schemas.Entity):
    id: str
    position: int
    comment: str
    book: BookEntity


class BibliographyEntity(schemas.Entity):
    id: str
    title: str
    description: str
    url: str
    account: schemas.Account
    items: list[BibliographyItemEntity]
    created_at: str
    updated_at: str


def responses(entity: Any) -> dict[int, Any]:
    return {200: entity, **ERRORS}


def book_entity(book: Book, find_it_url: str | None) -> dict[str, Any]:
    return {
        "isbn13": book.isbn13 or None,
        "title": book.title,
        "subtitle": book.subtitle,
        "authors": list(book.authors),
        "publisher": book.publisher,
        "year": book.year,
        "language": book.language,
        "cover_url": book.cover_url or None,
        "url": links.absolute(book_path(book)) if book.pk else None,
        "find_it_url": find_it_url,
    }


def book_post_entity(post: BookPost) -> dict[str, Any]:
    return {
        "kind": post.kind,
        "rating": post.rating,
        "review_title": post.review_title,
        "quote": post.quote,
        "quote_page": post.quote_page,
    }


def status_book_fields(me: Account | None, statuses: Iterable[Status]) -> dict[int, dict[str, Any]]:
    """``babillard.books`` and ``babillard.book_post`` of each book post among ``statuses``."""
    posts = queries.book_posts(statuses)
    if not posts:
        return {}
    find_it = queries.first_find_it(me)
    return {
        status_id: {
            "books": [book_entity(b, find_it(b)) for b in queries.books_of(post)],
            "book_post": book_post_entity(post),
        }
        for status_id, post in posts.items()
    }


def bibliography_entity(found: Bibliography, me: Account | None) -> dict[str, Any]:
    find_it = queries.first_find_it(me)
    return {
        "id": str(found.pk),
        "title": found.title,
        "description": found.description,
        "url": links.absolute(f"/bibliographies/{found.pk}"),
        "account": serializers.account(found.owner),
        "items": [
            {
                "id": str(item_id),
                "position": position,
                "comment": comment,
                "book": book_entity(book, find_it(book)),
            }
            for position, (item_id, book, comment) in enumerate(queries.bibliography_items(found))
        ],
        "created_at": serializers.iso(found.created_at),
        "updated_at": serializers.iso(found.updated_at),
    }


def _number(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    number = as_int(value)
    if number is None:
        raise ValidationError(_("%(field)s must be a whole number.") % {"field": name})
    return number


def book_post_spec(data: dict[str, Any]) -> services.BookPostSpec | None:
    """The book fields of ``POST /api/v1/statuses``; ``None`` when the post names no book."""
    isbns = [as_str(i).strip() for i in as_list(data.get("babillard_books"))]
    if not any(isbns):
        return None
    return services.BookPostSpec(
        books=[services.BookSpec(isbn=i) for i in isbns if i],
        kind=as_str(data.get("babillard_book_kind")) or "recommendation",
        rating=_number(data.get("babillard_rating"), "babillard_rating"),
        review_title=as_str(data.get("babillard_review_title")),
        quote_page=_number(data.get("babillard_quote_page"), "babillard_quote_page"),
    )


def with_books(view: Callable[..., Any]) -> Callable[..., Any]:
    """Let ``POST /api/v1/statuses`` attach ``babillard_books[]`` to the post it publishes."""

    @wraps(view)
    def posting(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        spec = book_post_spec(params(request))
        if spec is None:
            return view(request, *args, **kwargs)
        with services.books_for_the_post(spec) as pending:
            answer = view(request, *args, **kwargs)
            pending.check_attached()
        return answer

    return posting


def _book_spec(data: dict[str, Any]) -> services.BookSpec:
    return services.BookSpec(
        isbn=as_str(data.get("isbn")),
        title=as_str(data.get("title")),
        authors=[as_str(a) for a in as_list(data.get("authors"))],
    )


def _owner(me: Account, data: dict[str, Any]) -> Account:
    if not data.get("account_id"):
        return me
    found = Account.objects.filter(pk=as_int(data["account_id"]) or 0, domain="").first()
    if found is None:
        raise ValidationError(_("Unknown account in %(field)s.") % {"field": "account_id"})
    return found


# --- books ---------------------------------------------------------------------------


@router.get("/books/{isbn}", response=responses(BookEntity))
def get_book(request: HttpRequest, isbn: str) -> dict[str, Any]:
    me = viewer(request, "read")
    book = services.book_by_isbn(isbn)
    return book_entity(book, queries.first_find_it(me)(book))


# --- bibliographies ------------------------------------------------------------------


@router.get("/bibliographies", response=responses(list[BibliographyEntity]))
def list_bibliographies(request: HttpRequest) -> list[dict[str, Any]]:
    me = viewer(request, "read:lists")
    account_id = as_int(params(request).get("account_id"))
    found = queries.bibliographies()
    if account_id is not None:
        found = found.filter(owner_id=account_id)
    return [bibliography_entity(b, me) for b in found[:40]]


@router.post("/bibliographies", response=responses(BibliographyEntity))
def create_bibliography(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:lists")
    data = params(request)
    created = services.create_bibliography(
        me,
        as_str(data.get("title")),
        as_str(data.get("description")),
        owner=_owner(me, data),
    )
    return bibliography_entity(created, me)


@router.get("/bibliographies/{bibliography_id}", response=responses(BibliographyEntity))
def get_bibliography(request: HttpRequest, bibliography_id: str) -> dict[str, Any]:
    me = viewer(request, "read:lists")
    return bibliography_entity(queries.get_bibliography(bibliography_id), me)


@router.patch("/bibliographies/{bibliography_id}", response=responses(BibliographyEntity))
def update_bibliography(request: HttpRequest, bibliography_id: str) -> dict[str, Any]:
    me = require(request, "write:lists")
    found = queries.get_bibliography(bibliography_id)
    data = params(request)
    order = None
    if "order" in data:
        order = [_number(i, "order") or 0 for i in as_list(data.get("order"))]
    services.update_bibliography(
        me,
        found,
        title=as_str(data["title"]) if "title" in data else None,
        description=as_str(data["description"]) if "description" in data else None,
        order=order,
    )
    return bibliography_entity(queries.get_bibliography(found.pk), me)


@router.delete("/bibliographies/{bibliography_id}", response=responses(schemas.Empty))
def delete_bibliography(request: HttpRequest, bibliography_id: str) -> dict[str, Any]:
    me = require(request, "write:lists")
    services.delete_bibliography(me, queries.get_bibliography(bibliography_id))
    return {}


@router.post("/bibliographies/{bibliography_id}/items", response=responses(BibliographyItemEntity))
def add_item(request: HttpRequest, bibliography_id: str) -> dict[str, Any]:
    me = require(request, "write:lists")
    found = queries.get_bibliography(bibliography_id)
    data = params(request)
    item: BibliographyItem = services.add_item(
        me, found, _book_spec(data), as_str(data.get("comment"))
    )
    return {
        "id": str(item.pk),
        "position": item.position,
        "comment": item.comment,
        "book": book_entity(item.book, queries.first_find_it(me)(item.book)),
    }


@router.delete(
    "/bibliographies/{bibliography_id}/items/{item_id}", response=responses(schemas.Empty)
)
def remove_item(request: HttpRequest, bibliography_id: str, item_id: int) -> dict[str, Any]:
    me = require(request, "write:lists")
    services.remove_item(me, queries.get_bibliography(bibliography_id), item_id)
    return {}
