"""Bibliographic look-up of a book by ISBN: the BnF's SRU service, then Open Library.

Both go through ``babillard.core.http`` (timeouts, size cap, no private addresses) and
their answers are cached a day, misses included, so a popular ISBN costs one request.
The task worker calls them, and only when ``BOOKS_LOOKUP`` is on.
"""

import logging
import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache

from babillard.core import http

logger = logging.getLogger(__name__)

BNF_SRU = "https://catalogue.bnf.fr/api/SRU"
OPEN_LIBRARY = "https://openlibrary.org/api/books"
TIMEOUT = 5.0
MAX_BYTES = 256 * 1024
CACHE_SECONDS = 24 * 3600
DC = "{http://purl.org/dc/elements/1.1/}"
# ISO 639-2 codes the BnF gives, as the two-letter codes posts use.
LANGUAGES = {"fre": "fr", "eng": "en", "ger": "de", "spa": "es", "ita": "it", "por": "pt"}
# "Camus, Albert (1913-1960). Auteur du texte" → "Albert Camus".
BNF_CREATOR = re.compile(r"^(?P<last>[^,(.]+),\s*(?P<first>[^(.]+?)\s*(?:\(.*)?(?:\..*)?$")


def _get(url: str) -> bytes | None:
    try:
        answer = http.request("GET", url, timeout=TIMEOUT, max_bytes=MAX_BYTES)
    except http.HttpError as error:
        logger.info("book look-up failed: %s", error)
        return None
    return answer.content if answer.ok else None


def _cached(key: str, fetch: Any) -> dict[str, Any]:
    found = cache.get(key)
    if found is None:
        found = fetch() or {}
        cache.set(key, found, CACHE_SECONDS)
    return dict(found)


def _bnf_author(creator: str) -> str:
    match = BNF_CREATOR.match(creator.strip())
    if match is None:
        return creator.split(".")[0].strip()
    return f"{match['first'].strip()} {match['last'].strip()}"


def parse_bnf(content: bytes) -> dict[str, Any]:
    """The first record of a BnF SRU answer in Dublin Core, as ``Book`` fields."""
    try:
        # The answer is size-capped and expat ≥ 2.4.1 refuses entity expansion bombs.
        root = ET.fromstring(content)  # noqa: S314
    except ET.ParseError:
        return {}
    record = next(root.iter("{http://www.openarchives.org/OAI/2.0/oai_dc/}dc"), None)
    if record is None:
        return {}

    def values(name: str) -> list[str]:
        return [e.text.strip() for e in record.iter(DC + name) if e.text and e.text.strip()]

    title, _slash, _rest = (values("title") or [""])[0].partition(" / ")
    main, _colon, subtitle = title.partition(" : ")
    publisher = (values("publisher") or [""])[0].split(" (")[0]
    date = (values("date") or [""])[0]
    language = (values("language") or [""])[0]
    return {
        "title": main.strip(),
        "subtitle": subtitle.strip(),
        "authors": [_bnf_author(c) for c in values("creator")],
        "publisher": publisher.strip(),
        "year": int(date[:4]) if date[:4].isdigit() else None,
        "language": LANGUAGES.get(language, language[:16]),
    }


def parse_open_library(content: bytes, isbn13: str) -> dict[str, Any]:
    """An Open Library ``api/books`` answer (``jscmd=data``), as ``Book`` fields."""
    import json

    try:
        record = json.loads(content).get(f"ISBN:{isbn13}")
    except (ValueError, AttributeError):
        return {}
    if not isinstance(record, dict):
        return {}
    date = str(record.get("publish_date") or "")
    year = re.search(r"\b(\d{4})\b", date)
    cover: dict[str, Any] = record["cover"] if isinstance(record.get("cover"), dict) else {}
    return {
        "title": str(record.get("title") or ""),
        "subtitle": str(record.get("subtitle") or ""),
        "authors": [a["name"] for a in record.get("authors") or [] if isinstance(a, dict)],
        "publisher": next(
            (p["name"] for p in record.get("publishers") or [] if isinstance(p, dict)), ""
        ),
        "year": int(year.group(1)) if year else None,
        "cover_url": str(cover.get("medium") or cover.get("large") or ""),
    }


def bnf(isbn13: str) -> dict[str, Any]:
    query = urlencode(
        {
            "version": "1.2",
            "operation": "searchRetrieve",
            "query": f'bib.isbn all "{isbn13}"',
            "recordSchema": "dublincore",
            "maximumRecords": "1",
        }
    )

    def fetch() -> dict[str, Any]:
        content = _get(f"{BNF_SRU}?{query}")
        return parse_bnf(content) if content else {}

    return _cached(f"books-lookup:bnf:{isbn13}", fetch)


def open_library(isbn13: str) -> dict[str, Any]:
    query = urlencode({"bibkeys": f"ISBN:{isbn13}", "format": "json", "jscmd": "data"})

    def fetch() -> dict[str, Any]:
        content = _get(f"{OPEN_LIBRARY}?{query}")
        return parse_open_library(content, isbn13) if content else {}

    return _cached(f"books-lookup:openlibrary:{isbn13}", fetch)


def look_up(isbn13: str) -> dict[str, Any]:
    """What the BnF knows of an ISBN, completed by Open Library (cover, missing fields)."""
    found = bnf(isbn13)
    if found.get("title") and found.get("authors") and found.get("cover_url"):
        return found
    extra = open_library(isbn13)
    return {**extra, **{k: v for k, v in found.items() if v}}
