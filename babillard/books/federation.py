"""Book posts on the fediverse, as BookWyrm writes and reads them.

Out: servers known to run BookWyrm receive ``Comment``, ``Review`` and ``Quotation``
objects whose ``inReplyToBook`` is the edition; every other server receives the plain
form BookWyrm itself sends them, a ``Note`` (an ``Article`` for a review) whose text
names the book with a link and the rating as stars, keeping ``inReplyToBook``,
``rating`` and ``quote`` for those who read them. A local book is served as an
``Edition`` (with its ``Work``) at its page address.

In: a post carrying ``inReplyToBook`` (whatever its type) is attached to the ``Book``
of that edition, found by ISBN-13 after fetching the edition, and its server is
remembered as a BookWyrm server.
"""

import logging
from html import escape
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from babillard.books.models import Book, BookKind, BookPost, BookPostItem, BookwyrmServer
from babillard.books.services import fill_book, normalise_isbn
from babillard.core import links
from babillard.statuses.models import Status

logger = logging.getLogger(__name__)

BOOKWYRM_TYPES = {
    BookKind.RECOMMENDATION: "Comment",
    BookKind.READING: "Comment",
    BookKind.REVIEW: "Review",
    BookKind.QUOTATION: "Quotation",
}
MAX_AUTHORS_FETCHED = 3


def book_path(book: Book) -> str:
    return f"/books/{book.key}"


def edition_uri(book: Book) -> str:
    """The edition BookWyrm knows the book by: its own when it came from BookWyrm."""
    return book.edition_uri or links.absolute(book_path(book))


def _book_post(status: Status) -> BookPost | None:
    try:
        return status.book_post
    except BookPost.DoesNotExist:
        return None


# --- out -----------------------------------------------------------------------------


def edition_document(book: Book) -> dict[str, Any]:
    uri = links.absolute(book_path(book))
    document: dict[str, Any] = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": uri,
        "type": "Edition",
        "title": book.title or book.isbn13,
        "subtitle": book.subtitle or None,
        "authors": [],
        "work": f"{uri}/work",
        "isbn13": book.isbn13,
        "publishers": [book.publisher] if book.publisher else [],
        "publishedDate": f"{book.year}-01-01T00:00:00Z" if book.year else "",
        "languages": [book.language] if book.language else [],
    }
    if book.cover_url:
        document["cover"] = {"type": "Document", "url": book.cover_url, "name": book.title}
    return document


def work_document(book: Book) -> dict[str, Any]:
    uri = links.absolute(book_path(book))
    return {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": f"{uri}/work",
        "type": "Work",
        "title": book.title or book.isbn13,
        "authors": [],
        "editions": [uri],
    }


def _citation(book: Book) -> str:
    return f'<a href="{escape(edition_uri(book))}"><i>{escape(book.display_title)}</i></a>'


def _stars(rating: int) -> str:
    return "★" * rating + "☆" * (5 - rating)


def _plain_text_of(post: BookPost, books: list[Book], content: str) -> tuple[str, str | None]:
    """The content (and, for a review, the title) BookWyrm's plain form would carry."""
    cited = ", ".join(_citation(b) for b in books)
    if post.kind == BookKind.REVIEW:
        title = _('Review of "%(book)s"') % {"book": books[0].display_title}
        if post.rating:
            title += f" ({_stars(post.rating)})"
        if post.review_title:
            title += f": {post.review_title}"
        return f"{content}<p>{cited}</p>", title
    if post.kind == BookKind.QUOTATION:
        author = escape(books[0].authors_text)
        source = f"— {author}: {cited}" if author else f"— {cited}"
        if post.quote_page:
            source += _(", p. %(page)d") % {"page": post.quote_page}
        return f"{content}<p>{source}</p>", None
    if post.kind == BookKind.READING:
        note = _("reading %(books)s") % {"books": cited}
    else:
        note = _("about %(books)s") % {"books": cited}
    return f"{content}<p>({note})</p>", None


def add_book_fields(status: Status, note: dict[str, Any]) -> dict[str, Any]:
    """Turn a post's Note into BookWyrm's plain form when the post is about books."""
    post = _book_post(status)
    books = [item.book for item in post.items.select_related("book")] if post else []
    if post is None or not books:
        return note
    with translation.override(status.language or None):
        content, title = _plain_text_of(post, books, note["content"])
    note["inReplyToBook"] = edition_uri(books[0])
    note["tag"] = [
        *note.get("tag", []),
        *({"type": "Edition", "href": edition_uri(b), "name": b.display_title} for b in books),
    ]
    if post.kind == BookKind.REVIEW:
        note["type"], note["name"] = "Article", title
        note["rating"] = post.rating
    if post.kind == BookKind.QUOTATION:
        note["quote"] = status.content
        if post.quote_page:
            note["position"], note["positionMode"] = post.quote_page, "PG"
    note["content"] = content
    note["contentMap"] = dict.fromkeys(note.get("contentMap", {}), content)
    return note


def bookwyrm_object(status: Status, plain: dict[str, Any]) -> dict[str, Any]:
    """BookWyrm's own form of a book post, from its plain form."""
    post = _book_post(status)
    assert post is not None
    shaped = {**plain, "type": BOOKWYRM_TYPES[BookKind(post.kind)], "content": status.content}
    shaped.pop("contentMap", None)
    if post.kind == BookKind.REVIEW:
        shaped["name"] = post.review_title
    elif post.kind == BookKind.QUOTATION:
        shaped["content"] = ""
    else:
        shaped.pop("name", None)
    if post.kind == BookKind.READING:
        shaped["readingStatus"] = "reading"
    return shaped


def is_bookwyrm(domain: str) -> bool:
    return BookwyrmServer.objects.filter(domain=domain.lower()).exists()


def reshape_create_deliveries(status: Status) -> None:
    """Rewrite the queued ``Create`` of a new book post: BookWyrm's form for BookWyrm
    servers, the plain form for the others. Runs inside the post's transaction."""
    from babillard.federation import activities
    from babillard.federation.models import Delivery, DeliveryState

    queued = Delivery.objects.filter(
        activity_id=f"{status.uri}/activity", state=DeliveryState.PENDING
    )
    if not queued.exists():
        return
    status = Status.objects.select_related("account", "in_reply_to").get(pk=status.pk)
    plain = activities.create_activity(status)
    bookwyrm = {**plain, "object": bookwyrm_object(status, plain["object"])}
    bookwyrm_domains = set(BookwyrmServer.objects.values_list("domain", flat=True))
    for delivery in queued:
        delivery.payload = bookwyrm if delivery.domain.lower() in bookwyrm_domains else plain
        delivery.save(update_fields=["payload"])


# --- in ------------------------------------------------------------------------------


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        value = value.get("id") or value.get("href") or ""
    return value if isinstance(value, str) else ""


def _author_names(edition: dict[str, Any]) -> list[str]:
    from babillard.federation.client import FetchError, fetch

    names = []
    for author in (edition.get("authors") or [])[:MAX_AUTHORS_FETCHED]:
        if isinstance(author, dict) and isinstance(author.get("name"), str):
            names.append(author["name"])
            continue
        if not isinstance(author, str):
            continue
        try:
            document = fetch(author)
        except FetchError:
            continue
        if isinstance(document.get("name"), str):
            names.append(document["name"])
    return names


def _year(value: Any) -> int | None:
    text = value if isinstance(value, str) else ""
    return int(text[:4]) if text[:4].isdigit() else None


def book_from_edition(uri: str) -> Book | None:
    """The ``Book`` of a remote edition, fetched once; ``None`` if it cannot be read."""
    from babillard.federation.client import FetchError, fetch
    from babillard.federation.remote import host_of

    known = Book.objects.filter(edition_uri=uri).first()
    if known is not None:
        return known
    try:
        edition = fetch(uri)
    except FetchError as error:
        logger.info("cannot fetch the edition %s: %s", uri, error)
        return None
    if host_of(edition.get("id")) != host_of(uri) or edition.get("type") not in ("Edition", "Book"):
        return None
    number = ""
    for raw in (edition.get("isbn13"), edition.get("isbn10")):
        if isinstance(raw, str) and raw.strip():
            try:
                number = normalise_isbn(raw)
                break
            except ValidationError:
                continue
    book = Book.objects.filter(isbn13=number).first() if number else None
    if book is None:
        book = Book.objects.create(isbn13=number, edition_uri=uri[:2000])
    elif not book.edition_uri:
        Book.objects.filter(pk=book.pk).update(edition_uri=uri[:2000])
    cover = edition.get("cover")
    fill_book(
        book,
        {
            "title": edition.get("title") if isinstance(edition.get("title"), str) else "",
            "subtitle": edition.get("subtitle") if isinstance(edition.get("subtitle"), str) else "",
            "authors": _author_names(edition),
            "publisher": _first(edition.get("publishers")),
            "year": _year(edition.get("publishedDate")),
            "language": _first(edition.get("languages"))[:16],
            "cover_url": _first(cover.get("url")) if isinstance(cover, dict) else "",
        },
    )
    return book


def _kind_of(document: dict[str, Any]) -> str:
    if document.get("type") == "Quotation" or isinstance(document.get("quote"), str):
        return BookKind.QUOTATION
    if document.get("type") in ("Review", "Rating") or document.get("rating") is not None:
        return BookKind.REVIEW
    if document.get("readingStatus") == "reading":
        return BookKind.READING
    return BookKind.RECOMMENDATION


def _rating(value: Any) -> int | None:
    try:
        # BookWyrm rates by half stars; half a star more rounds up here.
        return min(5, max(1, int(float(value) + 0.5)))
    except (TypeError, ValueError):
        return None


def _page(value: Any) -> int | None:
    try:
        page = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return page if page > 0 else None


def receive_book_post(status: Status, document: dict[str, Any]) -> BookPost | None:
    """Attach a received post to the book its ``inReplyToBook`` names."""
    from babillard.statuses.formatting import sanitize

    edition = _first(document.get("inReplyToBook"))
    if not edition or status.account.is_local:
        return None
    domain = (urlsplit(status.uri or "").hostname or "").lower()
    BookwyrmServer.objects.get_or_create(domain=domain)
    book = book_from_edition(edition)
    if book is None:
        return None
    kind = _kind_of(document)
    quote = document.get("quote")
    post, _created = BookPost.objects.update_or_create(
        status=status,
        defaults={
            "kind": kind,
            "rating": _rating(document.get("rating")) if kind == BookKind.REVIEW else None,
            "review_title": str(document.get("name") or "")[:255]
            if document.get("type") == "Review"
            else "",
            "quote": sanitize(quote) if isinstance(quote, str) else "",
            "quote_page": _page(document.get("position")) if kind == BookKind.QUOTATION else None,
        },
    )
    BookPostItem.objects.get_or_create(post=post, book=book)
    return post
