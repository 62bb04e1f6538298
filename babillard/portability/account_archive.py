"""The archive of an account, laid out as Mastodon lays out its own.

``actor.json`` (the actor document), ``outbox.json`` (an ``OrderedCollection`` of
the account's ``Create`` and ``Announce`` activities, oldest first), ``likes.json``
and ``bookmarks.json`` (``OrderedCollection`` of the posts' ids), the avatar and
header, and each image under ``media_attachments/files/<id>/original/``, which the
notes' attachments point to by a path starting with ``/``, as in Mastodon's archive.
"""

import io
import json
import os
import zipfile
from collections.abc import Callable
from typing import Any

from babillard.accounts.models import Account
from babillard.federation import activities
from babillard.statuses.models import Bookmark, Favourite, MediaAttachment, Status
from babillard.statuses.queries import with_relations

PROGRESS_EVERY = 20


def media_path(media: MediaAttachment) -> str:
    return f"media_attachments/files/{media.pk}/original/{os.path.basename(media.file.name or '')}"


def _collection(name: str, items: list[Any]) -> dict[str, Any]:
    return activities.with_context(
        {"id": name, "type": "OrderedCollection", "totalItems": len(items), "orderedItems": items}
    )


def _write_json(archive: zipfile.ZipFile, name: str, document: dict[str, Any]) -> None:
    archive.writestr(name, json.dumps(document, ensure_ascii=False, indent=1))


def _copy(archive: zipfile.ZipFile, field: Any, name: str) -> None:
    try:
        with field.open("rb") as source:
            archive.writestr(name, source.read())
    except (FileNotFoundError, OSError):
        return


def _status_item(archive: zipfile.ZipFile, status: Status) -> dict[str, Any]:
    if status.reblog_id:
        return activities.announce_activity(status)
    document = activities.create_activity(status)
    attachments = document["object"].get("attachment", [])
    for media, attachment in zip(status.media.all(), attachments, strict=False):
        if media.file:
            path = media_path(media)
            _copy(archive, media.file, path)
            attachment["url"] = f"/{path}"
    return document


def build(account: Account, progress: Callable[[int, int], None]) -> bytes:
    """The zip of ``account``; ``progress(done, total)`` is called as posts are written."""
    statuses = with_relations(Status.objects.filter(account=account)).order_by("id")
    total = statuses.count()
    progress(0, total)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        actor = activities.with_context(activities.actor_to_activity(account))
        for key, field, name in (
            ("icon", account.avatar, "avatar"),
            ("image", account.header, "header"),
        ):
            if field:
                path = f"{name}{os.path.splitext(field.name or '')[1]}"
                _copy(archive, field, path)
                actor[key] = {"type": "Image", "url": path}
        _write_json(archive, "actor.json", actor)
        items = []
        for done, status in enumerate(statuses.iterator(chunk_size=200), start=1):
            items.append(_status_item(archive, status))
            if done % PROGRESS_EVERY == 0:
                progress(done, total)
        _write_json(archive, "outbox.json", _collection("outbox.json", items))
        liked = Favourite.objects.filter(account=account).select_related("status").order_by("id")
        _write_json(archive, "likes.json", _collection("likes.json", [f.status.uri for f in liked]))
        marked = Bookmark.objects.filter(account=account).select_related("status").order_by("id")
        _write_json(
            archive, "bookmarks.json", _collection("bookmarks.json", [b.status.uri for b in marked])
        )
    progress(total, total)
    return buffer.getvalue()
