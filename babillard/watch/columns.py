"""The kinds of deck columns, as a small registry.

A kind says how to check its parameters, how to name a column, how to read a page
of it, and which live stream (of ``/api/v1/streaming``) refreshes it. Another app
adds a kind with one call at start-up, e.g. in its ``AppConfig.ready``::

    register_column_kind(ColumnKind("board", _("Board"), read=board_entries, clean=check_board))

``read(owner, params, page)`` returns a ``ColumnPage`` of ``ColumnEntry`` (a post, an
outside item or a notification, with its key for paging and read marks).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from babillard.accounts.models import Account
from babillard.core.errors import NotFound
from babillard.core.pagination import Page

ENTRIES = 20


@dataclass
class ColumnEntry:
    key: int
    status: Any = None
    item: Any = None
    notification: Any = None


@dataclass
class ColumnPage:
    entries: list[ColumnEntry] = field(default_factory=list)
    newest_key: int | None = None
    oldest_key: int | None = None

    @classmethod
    def of_statuses(cls, page: Page[Any]) -> "ColumnPage":
        return cls(
            [ColumnEntry(key=s.pk, status=s) for s in page.items],
            page.newest_key,
            page.oldest_key,
        )


Reader = Callable[[Account, dict[str, Any], dict[str, Any]], ColumnPage]
Cleaner = Callable[[Account, dict[str, Any]], dict[str, Any]]


def no_params(owner: Account, params: dict[str, Any]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class ColumnKind:
    name: str
    label: str | Promise
    read: Reader
    clean: Cleaner = no_params
    # The column's own title from its parameters (a list's name, a tag), or the label.
    title: Callable[[Account, dict[str, Any]], str] | None = None
    # The streaming path that refreshes the column live, from its parameters.
    stream: Callable[[dict[str, Any]], str | None] | None = None

    def title_of(self, owner: Account, params: dict[str, Any]) -> str:
        if self.title is None:
            return str(self.label)
        try:
            return self.title(owner, params)
        except NotFound:
            return str(self.label)

    def stream_of(self, params: dict[str, Any]) -> str | None:
        return self.stream(params) if self.stream is not None else None


_kinds: dict[str, ColumnKind] = {}


def register_column_kind(kind: ColumnKind) -> None:
    """Add (or replace) a kind of column; the deck offers it from then on."""
    _kinds[kind.name] = kind


def column_kinds() -> list[ColumnKind]:
    return list(_kinds.values())


def column_kind(name: str) -> ColumnKind:
    found = _kinds.get(name)
    if found is None:
        raise ValidationError(_("Unknown kind of column."), code="kind")
    return found


def label_of(name: str) -> str:
    found = _kinds.get(name)
    return str(found.label) if found else name
