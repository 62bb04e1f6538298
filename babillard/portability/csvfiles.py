"""Mastodon's CSV files, written and read: the same names, columns and headers.

Mastodon writes ``following_accounts.csv`` and ``muted_accounts.csv`` with a header
line and the other files without one; it reads every file with or without its
header, and so does this module. Accounts are written ``user@domain``, local ones
with this server's domain, so that the file means the same thing on another server.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from babillard.accounts.models import Account, Block, Follow, Mute
from babillard.moderation.models import AccountDomainBlock
from babillard.portability.models import ImportKind
from babillard.statuses.models import Bookmark
from babillard.statuses.queries import visible_statuses
from babillard.timelines.models import List

FOLLOWING_HEADER = ["Account address", "Show boosts", "Notify on new posts", "Languages"]
MUTES_HEADER = ["Account address", "Hide notifications"]
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


@dataclass(frozen=True)
class ExportFile:
    kind: str
    filename: str
    scope: str


EXPORTS = {
    file.filename: file
    for file in (
        ExportFile(ImportKind.FOLLOWING, "following_accounts.csv", "read:follows"),
        ExportFile(ImportKind.LISTS, "lists.csv", "read:lists"),
        ExportFile(ImportKind.BLOCKS, "blocked_accounts.csv", "read:blocks"),
        ExportFile(ImportKind.MUTES, "muted_accounts.csv", "read:mutes"),
        ExportFile(ImportKind.DOMAIN_BLOCKS, "blocked_domains.csv", "read:blocks"),
        ExportFile(ImportKind.BOOKMARKS, "bookmarks.csv", "read:bookmarks"),
    )
}


def address(account: Account) -> str:
    """``user@domain`` for everyone, this server's domain for local accounts."""
    return f"{account.username}@{account.domain or settings.DOMAIN}"


def _flag(value: bool) -> str:
    return "true" if value else "false"


def export_rows(account: Account, kind: str) -> Iterator[list[str]]:
    """The rows of one export file of ``account``, header first when Mastodon writes one."""
    if kind == ImportKind.FOLLOWING:
        yield FOLLOWING_HEADER
        follows: QuerySet[Follow] = Follow.objects.filter(account=account).select_related("target")
        for follow in follows.order_by("pk"):
            yield [address(follow.target), _flag(follow.show_reblogs), _flag(follow.notify), ""]
    elif kind == ImportKind.LISTS:
        for timeline in List.objects.filter(owner=account).order_by("pk"):
            for member in timeline.members.order_by("pk"):
                yield [timeline.title, address(member)]
    elif kind == ImportKind.BLOCKS:
        for block in Block.objects.filter(account=account).select_related("target").order_by("pk"):
            yield [address(block.target)]
    elif kind == ImportKind.MUTES:
        yield MUTES_HEADER
        for mute in Mute.objects.filter(account=account).select_related("target").order_by("pk"):
            yield [address(mute.target), _flag(mute.hide_notifications)]
    elif kind == ImportKind.DOMAIN_BLOCKS:
        for hidden in AccountDomainBlock.objects.filter(account=account).order_by("pk"):
            yield [hidden.domain]
    elif kind == ImportKind.BOOKMARKS:
        seen = visible_statuses(account).values("pk")
        marks = Bookmark.objects.filter(account=account, status__in=seen).select_related("status")
        for mark in marks.order_by("pk"):
            yield [mark.status.uri or mark.status.url]


def write(rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue()


def _is_header(kind: str, row: list[str]) -> bool:
    first = row[0].strip().casefold() if row else ""
    if kind == ImportKind.LISTS:
        return first == "list name"
    return first in ("account address", "#domain", "domain", "uri")


def read(kind: str, data: bytes) -> list[list[str]]:
    """The data rows of an uploaded CSV file (header and blank lines left out)."""
    if len(data) > MAX_BYTES:
        raise ValidationError(_("This file is larger than 5 MB."), code="too_large")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            _("This file is not a CSV file in UTF-8, as Mastodon writes them."), code="encoding"
        ) from None
    if "\x00" in text:
        raise ValidationError(_("This file is not a CSV file."), code="encoding")
    try:
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error:
        raise ValidationError(_("This file is not a CSV file."), code="encoding") from None
    rows = [row for row in rows if any(row)]
    if rows and _is_header(kind, rows[0]):
        rows = rows[1:]
    if not rows:
        raise ValidationError(_("This file has no rows to import."), code="empty")
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            _("This file has more than %(count)s rows.") % {"count": MAX_ROWS}, code="too_large"
        )
    return rows
