"""The posts of a Mastodon archive (``outbox.json`` in the zip Mastodon prepares).

Only the account's own notes are taken: boosts are other people's posts, and
direct messages stay private to their old server. Each note keeps its date, its
content warning, its hashtags and the images found in the zip; a reply to one of
the account's own earlier posts stays threaded under it.
"""

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from babillard.accounts.models import Account, Visibility
from babillard.statuses import services as status_services
from babillard.statuses.models import MediaAttachment, Status

PUBLIC = {
    "https://www.w3.org/ns/activitystreams#Public",
    "as:Public",
    "Public",
}
MAX_OUTBOX_BYTES = 256 * 1024 * 1024
NOTE_TYPES = ("Note", "Question", "Article")


def _notes(outbox: dict[str, Any]) -> Iterator[dict[str, Any]]:
    items = outbox.get("orderedItems")
    if not isinstance(items, list):
        return
    for item in items:
        if not isinstance(item, dict) or item.get("type") != "Create":
            continue
        note = item.get("object")
        if isinstance(note, dict) and note.get("type") in NOTE_TYPES:
            yield note


def _outbox(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        info = archive.getinfo("outbox.json")
    except KeyError:
        raise ValidationError(
            _("This zip has no outbox.json: it is not a Mastodon archive."), code="archive"
        ) from None
    if info.file_size > MAX_OUTBOX_BYTES:
        raise ValidationError(_("The archive's outbox.json is too large."), code="too_large")
    try:
        document = json.loads(archive.read(info))
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(
            _("The archive's outbox.json is not valid JSON."), code="archive"
        ) from None
    if not isinstance(document, dict):
        raise ValidationError(_("The archive's outbox.json is not valid JSON."), code="archive")
    return document


def count_posts(data: bytes) -> int:
    """The number of notes in an uploaded archive; ``ValidationError`` if it is not one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(1 for _note in _notes(_outbox(archive)))
    except zipfile.BadZipFile:
        raise ValidationError(_("This file is not a zip archive."), code="archive") from None


def _addresses(value: Any) -> set[str]:
    values = value if isinstance(value, list) else [value]
    return {v for v in values if isinstance(v, str)}


def visibility_of(note: dict[str, Any]) -> str:
    """Mastodon's addressing read backwards: Public in to, in cc, followers, or direct."""
    to, cc = _addresses(note.get("to")), _addresses(note.get("cc"))
    if to & PUBLIC:
        return Visibility.PUBLIC
    if cc & PUBLIC:
        return Visibility.UNLISTED
    if any(address.endswith("/followers") for address in to | cc):
        return Visibility.PRIVATE
    return Visibility.DIRECT


def _published(note: dict[str, Any]) -> datetime:
    value = note.get("published")
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        raise ValidationError(_("This post has no date."), code="date")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


def _tags(note: dict[str, Any]) -> list[str]:
    found = note.get("tag")
    tags = found if isinstance(found, list) else []
    return [
        str(tag["name"]).lstrip("#")
        for tag in tags
        if isinstance(tag, dict) and tag.get("type") == "Hashtag" and tag.get("name")
    ]


def _language(note: dict[str, Any]) -> str:
    content_map = note.get("contentMap")
    if isinstance(content_map, dict) and content_map:
        return str(next(iter(content_map)))[:8]
    return ""


def _media(
    author: Account, archive: zipfile.ZipFile, note: dict[str, Any]
) -> list[MediaAttachment]:
    found = note.get("attachment")
    attachments = found if isinstance(found, list) else []
    media = []
    for attachment in attachments[: status_services.MAX_MEDIA]:
        if not isinstance(attachment, dict) or not isinstance(attachment.get("url"), str):
            continue
        path = attachment["url"].lstrip("/")
        try:
            data = archive.read(path)
        except KeyError:
            continue
        name = path.rsplit("/", 1)[-1]
        description = attachment.get("name") if isinstance(attachment.get("name"), str) else ""
        media.append(
            status_services.upload_media(
                author,
                ContentFile(data, name=name),
                (description or "")[: status_services.MAX_ALT_TEXT],
            )
        )
    return media


def import_posts(
    author: Account, archive: zipfile.ZipFile, start: int = 0
) -> Iterator[tuple[str, str] | None]:
    """Import each note from the ``start``-th on; yields ``None`` or (its id, why it was left out).

    A run that starts again after an interruption skips the notes already imported.
    """
    imported: dict[str, Status] = {}
    for index, note in enumerate(_notes(_outbox(archive))):
        if index < start:
            continue
        note_id = str(note.get("id") or "")
        visibility = visibility_of(note)
        if visibility == Visibility.DIRECT:
            yield note_id, _("Direct messages are not imported.")
            continue
        content = note.get("content")
        if not isinstance(content, str):
            yield note_id, _("This post has no text.")
            continue
        reply_to = note.get("inReplyTo")
        summary = note.get("summary")
        try:
            status = status_services.import_status(
                author,
                content=content,
                created_at=_published(note),
                visibility=visibility,
                spoiler_text=summary if isinstance(summary, str) else "",
                sensitive=bool(note.get("sensitive")),
                language=_language(note),
                tags=_tags(note),
                media=_media(author, archive, note),
                in_reply_to=imported.get(reply_to) if isinstance(reply_to, str) else None,
            )
        except ValidationError as error:
            yield note_id, " ".join(error.messages)
            continue
        imported[note_id] = status
        yield None
