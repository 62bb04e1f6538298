"""Reading outside feeds: RSS and Atom through feedparser, JSON Feed (which feedparser
6 does not read) from its JSON. Both give the same ``ParsedFeed``; text is kept as
plain text, never as the remote HTML."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from time import struct_time
from typing import Any

import feedparser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from babillard.core.ids import new_id
from babillard.statuses.formatting import plain_text

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
SUMMARY_LENGTH = 1000


class FeedError(Exception):
    """The document is not a feed that can be read."""


@dataclass
class Entry:
    guid: str
    url: str
    title: str
    summary: str
    author: str
    published: datetime


@dataclass
class ParsedFeed:
    kind: str
    title: str
    link: str
    language: str = ""
    entries: list[Entry] = field(default_factory=list)


def item_id(published: datetime) -> int:
    """A time-sortable id from the publication date (never in the future)."""
    return new_id(min(published, timezone.now()))


def _text(value: Any, limit: int) -> str:
    return plain_text(str(value or ""))[:limit].strip()


def _guid(*candidates: str) -> str:
    for value in candidates:
        if value:
            return value[:2000]
    digest = hashlib.sha256("\n".join(candidates).encode()).hexdigest()
    return f"sha256:{digest}"


def _from_struct(value: struct_time | None) -> datetime | None:
    if value is None:
        return None
    return datetime(*value[:6], tzinfo=UTC)


def parse(content: bytes, content_type: str = "") -> ParsedFeed:
    stripped = content.lstrip()
    if "json" in content_type or stripped.startswith(b"{"):
        return _parse_json(content)
    return _parse_xml(content)


def _parse_xml(content: bytes) -> ParsedFeed:
    parsed = feedparser.parse(content)
    version = parsed.get("version", "")
    if not version:
        raise FeedError("not an RSS or Atom feed")
    feed = parsed.get("feed", {})
    now = timezone.now()
    entries = []
    for entry in parsed.get("entries", []):
        url = str(entry.get("link", ""))
        title = _text(entry.get("title"), 500)
        summary = _text(entry.get("summary") or entry.get("description"), SUMMARY_LENGTH)
        published = (
            _from_struct(entry.get("published_parsed") or entry.get("updated_parsed")) or now
        )
        entries.append(
            Entry(
                guid=_guid(str(entry.get("id", "")), url, title + summary),
                url=url if url.startswith(("http://", "https://")) else "",
                title=title,
                summary=summary,
                author=_text(entry.get("author"), 200),
                published=published,
            )
        )
    return ParsedFeed(
        kind="atom" if version.startswith("atom") else "rss",
        title=_text(feed.get("title"), 300),
        link=str(feed.get("link", "")),
        language=str(feed.get("language", "") or "")[:8],
        entries=entries,
    )


def _parse_json(content: bytes) -> ParsedFeed:
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise FeedError("not valid JSON") from None
    if not isinstance(document, dict) or "jsonfeed.org" not in str(document.get("version", "")):
        raise FeedError("not a JSON Feed")
    now = timezone.now()
    entries = []
    for entry in document.get("items") or []:
        if not isinstance(entry, dict):
            continue
        url = str(entry.get("url") or entry.get("external_url") or "")
        title = _text(entry.get("title"), 500)
        summary = _text(
            entry.get("summary") or entry.get("content_text") or entry.get("content_html"),
            SUMMARY_LENGTH,
        )
        raw_date = str(entry.get("date_published") or entry.get("date_modified") or "")
        published = parse_datetime(raw_date) if raw_date else None
        if published is not None and timezone.is_naive(published):
            published = timezone.make_aware(published, UTC)
        authors = entry.get("authors") or ([entry["author"]] if entry.get("author") else [])
        author = authors[0].get("name", "") if authors and isinstance(authors[0], dict) else ""
        entries.append(
            Entry(
                guid=_guid(str(entry.get("id") or ""), url, title + summary),
                url=url if url.startswith(("http://", "https://")) else "",
                title=title,
                summary=summary,
                author=_text(author, 200),
                published=published or now,
            )
        )
    return ParsedFeed(
        kind="json",
        title=_text(document.get("title"), 300),
        link=str(document.get("home_page_url") or ""),
        language=str(document.get("language") or "")[:8],
        entries=entries,
    )
