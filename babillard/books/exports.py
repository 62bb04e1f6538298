"""Bibliographies as CSV (spreadsheets) and RIS (Zotero, EndNote and other reference managers)."""

from collections.abc import Callable, Sequence
from typing import Any

import rispy

from babillard.books.models import Book

Item = tuple[int, Book, str]
CSV_HEADER = ["position", "isbn13", "title", "subtitle", "authors", "publisher", "year", "comment"]


class _RisWriter(rispy.RisWriter):  # type: ignore[misc]
    """RIS without the numbered line rispy puts before each record (Zotero reads both)."""

    def set_header(self, count: int) -> str:
        return ""


def write_csv(writer: Any, items: Sequence[Item]) -> None:
    writer.writerow(CSV_HEADER)
    for position, (_item_id, book, comment) in enumerate(items, start=1):
        writer.writerow(
            [
                position,
                book.isbn13,
                book.title,
                book.subtitle,
                "; ".join(book.authors),
                book.publisher,
                book.year or "",
                comment,
            ]
        )


def ris_record(book: Book, comment: str, url: str) -> dict[str, Any]:
    record: dict[str, Any] = {"type_of_reference": "BOOK", "title": book.display_title}
    optional = {
        "authors": list(book.authors),
        "secondary_title": book.subtitle,
        "publisher": book.publisher,
        "year": str(book.year) if book.year else "",
        "issn": book.isbn13,
        "language": book.language,
        "urls": [url],
        "notes": [comment] if comment else [],
    }
    record.update({key: value for key, value in optional.items() if value})
    return record


def ris(items: Sequence[Item], absolute: Callable[[str], str]) -> str:
    """One ``BOOK`` record per item (``SN`` carries the ISBN, as Zotero expects)."""
    records = [
        ris_record(book, comment, absolute(f"/books/{book.key}")) for _i, book, comment in items
    ]
    return str(rispy.dumps(records, implementation=_RisWriter))
