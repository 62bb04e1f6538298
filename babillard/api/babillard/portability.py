"""``/api/babillard/v1/`` paths of imports: Mastodon's CSV files, OPML and the posts
of a Mastodon archive, processed by the task worker.

``POST /imports`` (multipart: ``type``, ``mode``, ``data``) takes the write scope of
what the file changes (``write:follows`` for follows and lists...); ``GET
/imports/:id`` takes ``read``. The exports are web addresses
(``/settings/export/following_accounts.csv``...), open to a bearer token as well.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from babillard.api import schemas, serializers
from babillard.api.base import ApiError, as_str, params, require
from babillard.portability import services
from babillard.portability.models import Import, ImportKind

router = Router(tags=["portability"])

ERRORS: dict[int, type[schemas.Entity]] = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    422: schemas.Error,
}
WRITE_SCOPES: dict[str, str] = {
    ImportKind.FOLLOWING: "write:follows",
    ImportKind.LISTS: "write:lists",
    ImportKind.BLOCKS: "write:blocks",
    ImportKind.MUTES: "write:mutes",
    ImportKind.DOMAIN_BLOCKS: "write:blocks",
    ImportKind.BOOKMARKS: "write:bookmarks",
    ImportKind.ARCHIVE: "write:statuses",
}


class ImportRowError(schemas.Entity):
    line: int
    value: str
    reason: str


class ImportEntity(schemas.Entity):
    id: str
    type: str
    mode: str
    state: str
    total: int
    processed: int
    failed: int
    errors: list[ImportRowError]
    created_at: str
    finished_at: str | None


def import_entity(item: Import) -> dict[str, Any]:
    return {
        "id": str(item.pk),
        "type": item.kind,
        "mode": item.mode,
        "state": item.state,
        "total": item.total,
        "processed": item.processed,
        "failed": item.failed,
        "errors": item.errors,
        "created_at": serializers.iso(item.created_at),
        "finished_at": serializers.iso(item.finished_at),
    }


@router.post("/imports", response={200: ImportEntity, **ERRORS})
def create_import(request: HttpRequest) -> dict[str, Any]:
    """Queue the import of a file; poll ``GET /imports/:id`` for its progress and report."""
    data = params(request)
    kind, mode = as_str(data.get("type")), as_str(data.get("mode"), "merge") or "merge"
    me = require(request, WRITE_SCOPES.get(kind, "write"))
    upload = data.get("data")
    if upload is None or isinstance(upload, (str, list, dict)):
        raise ApiError(422, "Validation failed: Choose a file to import.")
    item = services.start_import(me, kind, mode, upload.read())
    return import_entity(item)


@router.get("/imports/{import_id}", response={200: ImportEntity, **ERRORS})
def get_import(request: HttpRequest, import_id: str) -> dict[str, Any]:
    me = require(request, "read")
    return import_entity(services.get_import(me, import_id))
