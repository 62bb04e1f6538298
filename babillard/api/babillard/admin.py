"""``/api/babillard/v1/admin/`` paths: the audit log of moderation and administration.

Reading takes a moderator's or administrator's token with ``admin:read``. The log is
read-only here as everywhere: entries are written by the actions themselves.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.api import schemas, serializers
from babillard.api.base import ApiError, as_str, paginate_response, params, require
from babillard.api.v1.timelines import page_args
from babillard.core.pagination import paginate
from babillard.moderation import queries
from babillard.moderation.models import ModerationAction

router = Router(tags=["admin"])


class AuditLogEntry(schemas.Entity):
    id: str
    action: str
    account_id: str | None
    target_account_id: str | None
    report_id: str | None
    text: str
    details: dict[str, Any]
    created_at: str


def audit_log_entry(entry: ModerationAction) -> dict[str, Any]:
    return {
        "id": str(entry.pk),
        "action": entry.kind,
        "account_id": str(entry.moderator_id) if entry.moderator_id else None,
        "target_account_id": str(entry.target_id) if entry.target_id else None,
        "report_id": str(entry.report_id) if entry.report_id else None,
        "text": entry.text,
        "details": entry.details,
        "created_at": serializers.iso(entry.created_at),
    }


@router.get(
    "/admin/audit_log",
    response={
        200: list[AuditLogEntry],
        **dict.fromkeys((401, 403, 422, 429), schemas.Error),
    },
)
def audit_log(request: HttpRequest, response: HttpResponse) -> list[Any]:
    """The audit log, newest first: ``account_id`` (who acted) and ``action`` filter it;
    ``max_id``, ``since_id``, ``min_id`` and ``limit`` page it (Link header)."""
    me = require(request, "admin:read")
    if me.user is None or not me.user.can_moderate:
        raise ApiError(403, "This action is not allowed")
    data = params(request)
    actor = as_str(data.get("account_id"))
    if actor and not actor.isdigit():
        raise ApiError(422, "Validation failed: account_id must be an account's id")
    entries = queries.audit_log(int(actor) if actor else None, as_str(data.get("action")))
    page = paginate(entries, **page_args(request))
    return paginate_response(request, response, page, [audit_log_entry(e) for e in page.items])
