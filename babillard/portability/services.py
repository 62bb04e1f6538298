"""Imports and exports of an account: Mastodon's CSV files, the account archive, and
the posts of a Mastodon archive; and the moderation of hashtag walls.

Paths served (the web pages and ``/api/babillard/v1/`` call the same functions):
``POST /api/babillard/v1/imports``, ``GET /api/babillard/v1/imports/:id``,
``/settings/import``, ``/settings/export`` and its files, ``/tags/:tag/wall``.

An import is parsed when it is received, so that a file that cannot be read is
refused at once (422), then processed row by row by the task worker. A row that
cannot be imported (unknown account, unreachable server, a post one may not see) is
written in the import's report with the reason, and the next row is taken.
"""

import logging
import re
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from babillard.accounts import services as account_services
from babillard.accounts.models import Account, Block, Follow, FollowRequest, Mute
from babillard.core.errors import Forbidden, NotFound
from babillard.core.tasks import enqueue_at, enqueue_on_commit
from babillard.moderation import services as moderation_services
from babillard.moderation.models import AccountDomainBlock
from babillard.portability import csvfiles, mastodon_archive
from babillard.portability.models import (
    Archive,
    Import,
    ImportKind,
    ImportMode,
    JobState,
    Wall,
    WallDecision,
)
from babillard.statuses import services as status_services
from babillard.statuses.models import Bookmark, Status
from babillard.statuses.queries import can_see
from babillard.timelines import services as timeline_services
from babillard.timelines.models import List

logger = logging.getLogger(__name__)

ARCHIVE_DAYS = 7
MAX_ARCHIVE_UPLOAD = 512 * 1024 * 1024
MAX_REPORTED_ERRORS = 1000
# A list row waits for the follow it needs; remote servers usually accept within seconds.
WAIT_RETRY_SECONDS = 10
WAIT_MAX_ATTEMPTS = 30
HANDLE_RE = re.compile(r"^@?[\w.-]+@[\w.-]+(:\d+)?$")


class RowError(Exception):
    """A row that cannot be imported, with the reason shown in the report."""


# --- Imports -----------------------------------------------------------------


def start_import(account: Account, kind: str, mode: str, data: bytes) -> Import:
    """Check an uploaded file and queue its import."""
    if kind not in ImportKind.values:
        raise ValidationError(
            _(
                "Choose what the file holds: follows, lists, blocks, mutes, hidden servers, "
                "bookmarks, outside feeds or a Mastodon archive."
            ),
            code="type",
        )
    if mode not in ImportMode.values:
        raise ValidationError(_("Choose to merge or to replace."), code="mode")
    if not data:
        raise ValidationError(_("Choose a file to import."), code="data")
    item = Import(account=account, kind=kind, mode=mode)
    if kind == ImportKind.OPML:
        if len(data) > csvfiles.MAX_BYTES:
            raise ValidationError(_("This file is larger than 5 MB."), code="too_large")
    elif kind == ImportKind.ARCHIVE:
        if mode != ImportMode.MERGE:
            raise ValidationError(
                _("The posts of an archive are added to your history; they cannot replace it."),
                code="mode",
            )
        if len(data) > MAX_ARCHIVE_UPLOAD:
            raise ValidationError(_("This archive is larger than 512 MB."), code="too_large")
        item.total = mastodon_archive.count_posts(data)
    else:
        item.rows = csvfiles.read(kind, data)
        item.total = len(item.rows)
    from babillard.portability.tasks import run_import

    with transaction.atomic():
        item.save()
        if kind in (ImportKind.ARCHIVE, ImportKind.OPML):
            item.upload.save(f"{item.pk}.{kind}", ContentFile(data), save=True)
        enqueue_on_commit(run_import, item.pk)
    return item


def get_import(account: Account, import_id: int | str) -> Import:
    found = Import.objects.filter(account=account, pk=import_id).first()
    if found is None:
        raise NotFound(import_id)
    return found


def _language_of(account: Account) -> str:
    user = account.user
    return (user.locale if user is not None else "") or settings.LANGUAGE_CODE


def run_import(import_id: int) -> None:
    """Process the rows not processed yet; idempotent (the task may run again).

    The report is written in the importer's language, the worker having no request.
    """
    item = Import.objects.select_related("account__user").filter(pk=import_id).first()
    if item is None or item.state in (JobState.DONE, JobState.FAILED):
        return
    with translation.override(_language_of(item.account)):
        _run_import(item)


def _run_import(item: Import) -> None:
    first_run = item.state == JobState.QUEUED
    item.state = JobState.RUNNING
    item.save(update_fields=["state"])
    try:
        if item.kind == ImportKind.ARCHIVE:
            _run_archive_import(item)
            _finish(item)
            return
        if item.kind == ImportKind.OPML:
            _finish(item, JobState.DONE if _run_opml_import(item) else JobState.FAILED)
            return
        if first_run and item.mode == ImportMode.OVERWRITE:
            _overwrite(item)
        _run_rows(item)
    except Exception:
        logger.exception("import %s failed", item.pk)
        item.refresh_from_db()
        _finish(item, JobState.FAILED)
        return
    if item.waiting and item.attempts < WAIT_MAX_ATTEMPTS:
        from babillard.portability.tasks import retry_waiting_rows

        item.attempts += 1
        item.save(update_fields=["attempts"])
        when = timezone.now() + timedelta(seconds=WAIT_RETRY_SECONDS)
        enqueue_at(retry_waiting_rows, when, item.pk)
        return
    for line, row in item.waiting:
        _report(item, line, row, _("The follow request was not accepted in time."))
    item.waiting = []
    _finish(item)


def retry_waiting_rows(import_id: int) -> None:
    """Try again the rows that waited for a follow request to be accepted."""
    item = Import.objects.filter(pk=import_id, state=JobState.RUNNING).first()
    if item is None:
        return
    with translation.override(_language_of(item.account)):
        waiting, item.waiting = item.waiting, []
        for line, row in waiting:
            _one_row(item, line, row)
        item.save(update_fields=["waiting", "failed", "errors"])
        _run_import(item)


def _finish(item: Import, state: str = JobState.DONE) -> None:
    item.state = state
    item.finished_at = timezone.now()
    item.save(
        update_fields=["state", "finished_at", "waiting", "failed", "errors", "processed", "total"]
    )
    if item.upload:
        item.upload.delete(save=True)


def _report(item: Import, line: int, row: list[str], reason: str) -> None:
    item.failed += 1
    if len(item.errors) < MAX_REPORTED_ERRORS:
        item.errors.append({"line": line, "value": ",".join(row), "reason": reason})


def _run_rows(item: Import) -> None:
    while item.processed < len(item.rows):
        line = item.processed + 1
        _one_row(item, line, item.rows[item.processed])
        item.processed += 1
        item.save(update_fields=["processed", "failed", "errors", "waiting"])


def _one_row(item: Import, line: int, row: list[str]) -> None:
    try:
        with transaction.atomic():
            waits = ROW_HANDLERS[item.kind](item.account, row)
        if waits:
            item.waiting.append([line, row])
    except RowError as error:
        _report(item, line, row, str(error))
    except ValidationError as error:
        _report(item, line, row, " ".join(error.messages))
    except (NotFound, Forbidden):
        _report(item, line, row, _("This account or post is not available to you."))


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if len(row) > index else ""


def _flag(row: list[str], index: int, default: bool) -> bool:
    value = _cell(row, index).casefold()
    if not value:
        return default
    return value in ("true", "1", "yes", "t")


def _resolve_account(handle: str) -> Account:
    """The account at ``user@domain``: local, known, or found through WebFinger."""
    from babillard.federation import remote
    from babillard.federation.client import FetchError

    handle = handle.strip().lstrip("@")
    if not HANDLE_RE.match(handle):
        raise RowError(_("This is not an account address such as name@example.org."))
    try:
        found = remote.webfinger(handle)
    except (remote.InvalidDocument, FetchError, ValidationError, NotFound):
        raise RowError(_("No account was found at this address.")) from None
    if found.is_suspended:
        raise RowError(_("This account is suspended."))
    return found


def _resolve_status(account: Account, uri: str) -> Status:
    from babillard.federation import remote
    from babillard.federation.client import FetchError

    if not uri.startswith(("https://", "http://")):
        raise RowError(_("This is not the address of a post."))
    try:
        found = remote.find_status(uri) or remote.fetch_note(uri)
    except (remote.InvalidDocument, FetchError, ValidationError):
        found = None
    if found is None or not can_see(account, found):
        raise RowError(_("This post was not found, or is hidden from you."))
    return found


def _import_following(account: Account, row: list[str]) -> None:
    target = _resolve_account(_cell(row, 0))
    if target == account:
        raise RowError(_("You cannot follow yourself."))
    account_services.follow(
        account, target, reblogs=_flag(row, 1, True), notify=_flag(row, 2, False)
    )


def _import_list_row(account: Account, row: list[str]) -> bool:
    """Add one member to a list; ``True`` when the row waits for a follow to be accepted."""
    title = _cell(row, 0)
    if not title:
        raise RowError(_("This row has no list name."))
    target = _resolve_account(_cell(row, 1))
    timeline = List.objects.filter(owner=account, title=title).first()
    if timeline is None:
        timeline = timeline_services.create_list(account, title)
    if target == account:
        raise RowError(_("You cannot add yourself to a list."))
    if not Follow.objects.filter(account=account, target=target).exists():
        # Mastodon follows the accounts of an imported list; a remote one is followed
        # once its server accepts, so the row waits for the Accept. A request already
        # sent (by the follows file) keeps its own choices.
        if not FollowRequest.objects.filter(account=account, target=target).exists():
            account_services.follow(account, target)
        if not Follow.objects.filter(account=account, target=target).exists():
            return True
    timeline_services.add_to_list(account, timeline, [target])
    return False


def _import_block(account: Account, row: list[str]) -> None:
    account_services.block(account, _resolve_account(_cell(row, 0)))


def _import_mute(account: Account, row: list[str]) -> None:
    target = _resolve_account(_cell(row, 0))
    account_services.mute(account, target, notifications=_flag(row, 1, True))


def _import_domain_block(account: Account, row: list[str]) -> None:
    moderation_services.hide_domain(account, _cell(row, 0))


def _import_bookmark(account: Account, row: list[str]) -> None:
    status_services.bookmark(account, _resolve_status(account, _cell(row, 0)))


ROW_HANDLERS: dict[str, Callable[[Account, list[str]], bool | None]] = {
    ImportKind.FOLLOWING: _import_following,
    ImportKind.LISTS: _import_list_row,
    ImportKind.BLOCKS: _import_block,
    ImportKind.MUTES: _import_mute,
    ImportKind.DOMAIN_BLOCKS: _import_domain_block,
    ImportKind.BOOKMARKS: _import_bookmark,
}


def _handles(rows: list[list[str]], column: int) -> set[str]:
    return {_cell(row, column).lstrip("@").casefold() for row in rows}


def _overwrite(item: Import) -> None:
    """Undo what the file does not name, before the rows are applied (Mastodon's overwrite)."""
    account, rows = item.account, item.rows
    if item.kind == ImportKind.FOLLOWING:
        wanted = _handles(rows, 0)
        targets = [
            f.target for f in Follow.objects.filter(account=account).select_related("target")
        ]
        targets += [
            r.target for r in FollowRequest.objects.filter(account=account).select_related("target")
        ]
        for target in targets:
            if csvfiles.address(target).casefold() not in wanted:
                account_services.unfollow(account, target)
    elif item.kind == ImportKind.LISTS:
        members: dict[str, set[str]] = {}
        for row in rows:
            members.setdefault(_cell(row, 0), set()).add(_cell(row, 1).lstrip("@").casefold())
        for timeline in List.objects.filter(owner=account):
            if timeline.title not in members:
                timeline_services.delete_list(account, timeline)
                continue
            gone = [
                m
                for m in timeline.members.all()
                if csvfiles.address(m).casefold() not in members[timeline.title]
            ]
            if gone:
                timeline_services.remove_from_list(account, timeline, gone)
    elif item.kind == ImportKind.BLOCKS:
        wanted = _handles(rows, 0)
        for block in Block.objects.filter(account=account).select_related("target"):
            if csvfiles.address(block.target).casefold() not in wanted:
                account_services.unblock(account, block.target)
    elif item.kind == ImportKind.MUTES:
        wanted = _handles(rows, 0)
        for mute in Mute.objects.filter(account=account).select_related("target"):
            if csvfiles.address(mute.target).casefold() not in wanted:
                account_services.unmute(account, mute.target)
    elif item.kind == ImportKind.DOMAIN_BLOCKS:
        wanted = {_cell(row, 0).casefold() for row in rows}
        for hidden in AccountDomainBlock.objects.filter(account=account):
            if hidden.domain not in wanted:
                moderation_services.unhide_domain(account, hidden.domain)
    elif item.kind == ImportKind.BOOKMARKS:
        wanted = {_cell(row, 0) for row in rows}
        for mark in Bookmark.objects.filter(account=account).select_related("status"):
            if mark.status.uri not in wanted and mark.status.url not in wanted:
                status_services.unbookmark(account, mark.status)


def _run_archive_import(item: Import) -> None:
    with item.upload.open("rb") as upload, zipfile.ZipFile(upload) as archive:
        outcomes = mastodon_archive.import_posts(item.account, archive, start=item.processed)
        for index, outcome in enumerate(outcomes, start=item.processed):
            if outcome is not None:
                _report(item, index + 1, [outcome[0]], outcome[1])
            item.processed = index + 1
            item.save(update_fields=["processed", "failed", "errors"])


def _run_opml_import(item: Import) -> bool:
    """Outside feeds are the watch app's: it follows each feed of the file and reports.

    ``False`` when the file cannot be read at all (the import has failed).
    """
    from babillard.watch.services import import_opml

    with item.upload.open("rb") as upload:
        data = upload.read()
    try:
        report = import_opml(item.account, data, item.mode)
    except ValidationError as error:
        item.total = item.processed = 1
        _report(item, 1, [""], " ".join(error.messages))
        return False
    item.total = item.processed = report.imported + len(report.failed)
    for line, (url, reason) in enumerate(report.failed, start=1):
        _report(item, line, [url], reason)
    return True


# --- Account archives --------------------------------------------------------


def request_archive(account: Account) -> Archive:
    """Queue the preparation of an archive; one at a time, as Mastodon allows."""
    busy = Archive.objects.filter(
        account=account, state__in=[JobState.QUEUED, JobState.RUNNING]
    ).exists()
    if busy:
        raise ValidationError(_("An archive is already being prepared."), code="busy")
    from babillard.portability.tasks import build_archive

    with transaction.atomic():
        archive = Archive.objects.create(account=account)
        enqueue_on_commit(build_archive, archive.pk)
    return archive


def build_archive(archive_id: int) -> None:
    """Write the zip; a run again starts the zip over (idempotent)."""
    from babillard.portability import account_archive

    archive = Archive.objects.filter(pk=archive_id).exclude(state=JobState.DONE).first()
    if archive is None:
        return
    archive.state = JobState.RUNNING
    archive.save(update_fields=["state"])

    def progress(done: int, total: int) -> None:
        Archive.objects.filter(pk=archive.pk).update(processed=done, total=total)

    try:
        content = account_archive.build(archive.account, progress)
    except Exception:
        logger.exception("archive %s failed", archive.pk)
        Archive.objects.filter(pk=archive.pk).update(state=JobState.FAILED)
        return
    archive.refresh_from_db()
    name = f"archive-{timezone.now():%Y%m%d%H%M%S}-{archive.account.username}.zip"
    archive.file.save(name, ContentFile(content), save=False)
    archive.state = JobState.DONE
    archive.finished_at = timezone.now()
    archive.expires_at = archive.finished_at + timedelta(days=ARCHIVE_DAYS)
    archive.save()


def get_archive(account: Account, archive_id: int | str) -> Archive:
    found = Archive.objects.filter(
        account=account, pk=archive_id, state=JobState.DONE, expires_at__gt=timezone.now()
    ).first()
    if found is None or not found.file:
        raise NotFound(archive_id)
    return found


def purge_archives(now: datetime | None = None) -> int:
    """Delete the archives older than ``ARCHIVE_DAYS`` days (their files go with them)."""
    now = now or timezone.now()
    expired = list(Archive.objects.filter(expires_at__lte=now))
    for archive in expired:
        archive.delete()
    return len(expired)


# --- Hashtag walls -------------------------------------------------------------


def may_moderate_wall(account: Account | None, wall: Wall | None) -> bool:
    if account is None:
        return False
    if account.user is not None and account.user.can_moderate:
        return True
    return wall is None or wall.owner_id == account.pk


def set_wall_moderation(account: Account, tag: str, moderated: bool) -> Wall:
    """Turn moderation on or off; the first to turn it on owns the wall."""
    name = tag.casefold()[:100]
    wall = Wall.objects.filter(tag=name).first()
    if not may_moderate_wall(account, wall):
        raise Forbidden(name)
    if wall is None:
        wall = Wall.objects.create(tag=name, owner=account, moderated=moderated)
    else:
        wall.moderated = moderated
        wall.save(update_fields=["moderated"])
    return wall


def decide_wall_post(account: Account, tag: str, status: Status, approved: bool) -> WallDecision:
    """Approve a post for the wall, or keep it off."""
    wall = Wall.objects.filter(tag=tag.casefold()).first()
    if wall is None or not may_moderate_wall(account, wall):
        raise Forbidden(tag)
    if not status.tags.filter(name=wall.tag).exists():
        raise ValidationError(_("This post does not carry the wall's hashtag."), code="tag")
    decision, _created = WallDecision.objects.update_or_create(
        wall=wall,
        status=status,
        defaults={"approved": approved, "decided_by": account, "decided_at": timezone.now()},
    )
    return decision
