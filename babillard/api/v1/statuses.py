"""``/api/v1/statuses``, polls and scheduled statuses."""

from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.dateparse import parse_datetime
from ninja import Router

from babillard.accounts.models import Account
from babillard.api import schemas, serializers
from babillard.api.babillard.books import with_books
from babillard.api.base import (
    ApiError,
    acting_grant,
    as_bool,
    as_int,
    as_list,
    as_str,
    paginate_response,
    params,
    require,
    token_of,
    viewer,
)
from babillard.core.errors import NotFound
from babillard.core.pagination import clamp_limit, paginate
from babillard.institutions import services as institution_services
from babillard.statuses import queries as status_queries
from babillard.statuses import services as status_services
from babillard.statuses.models import Favourite, MediaAttachment, Poll, ScheduledStatus, Status

router = Router(tags=["statuses"])
IDEMPOTENCY_SECONDS = 3600


def _status(me: Account | None, status_id: str) -> Status:
    return status_queries.get_visible_status(me, status_id)


def _poll_spec(data: dict[str, Any]) -> status_services.PollSpec | None:
    poll = data.get("poll")
    if not isinstance(poll, dict) or not poll.get("options"):
        return None
    return status_services.PollSpec(
        options=[as_str(o) for o in as_list(poll.get("options"))],
        expires_in=as_int(poll.get("expires_in"), 86400) or 86400,
        multiple=as_bool(poll.get("multiple")),
        hide_totals=as_bool(poll.get("hide_totals")),
    )


def _when(value: Any) -> datetime | None:
    text = as_str(value)
    if not text:
        return None
    moment = parse_datetime(text.replace("Z", "+00:00"))
    if moment is None:
        raise ApiError(422, "Validation failed: scheduled_at is not a valid date")
    return moment


def scheduled_entity(item: ScheduledStatus) -> dict[str, Any]:
    stored = dict(item.params)
    media = list(item.media.all())
    return {
        "id": str(item.pk),
        "scheduled_at": serializers.iso(item.scheduled_at),
        "params": {
            "text": stored.get("text", ""),
            "poll": stored.get("poll"),
            "media_ids": [str(m.pk) for m in media] or None,
            "sensitive": stored.get("sensitive"),
            "spoiler_text": stored.get("spoiler_text"),
            "visibility": stored.get("visibility"),
            "in_reply_to_id": str(stored["in_reply_to_id"])
            if stored.get("in_reply_to_id")
            else None,
            "language": stored.get("language"),
            "application_id": None,
            "scheduled_at": None,
            "idempotency": None,
            "with_rate_limit": False,
        },
        "media_attachments": [serializers.media(m) for m in media],
    }


def _acting(request: HttpRequest) -> Any:
    """The grant of a token acting as an institution (its actions are audited), or None."""
    token = token_of(request)
    return acting_grant(token) if token is not None else None


def _post(
    request: HttpRequest, me: Account, text: str, *, institution_id: str | None, **options: Any
) -> Status | ScheduledStatus:
    """Post as oneself, as the institution a token acts for, or staff-only (``internal``)."""
    grant = _acting(request)
    if grant is not None:
        return institution_services.post_as_institution(
            grant.editor, grant.institution, text, grant=grant, **options
        )
    if options.get("visibility") == "internal":
        return institution_services.post_internal(
            me, text, institution_id=institution_id, **options
        )
    return status_services.post_status(me, text, **options)


@router.post("/v1/statuses", response=schemas.Status | schemas.ScheduledStatus)
@with_books
def create_status(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:statuses")
    key = request.headers.get("Idempotency-Key", "")
    cache_key = f"api-idempotency:{me.pk}:{key}" if key else ""
    if cache_key:
        earlier = cache.get(cache_key)
        if earlier:
            kind, earlier_id = earlier
            if kind == "status":
                found = Status.objects.filter(pk=earlier_id).first()
                if found is not None:
                    return serializers.status(me, status_queries.get_visible_status(me, found.pk))
            else:
                scheduled = ScheduledStatus.objects.filter(pk=earlier_id).first()
                if scheduled is not None:
                    return scheduled_entity(scheduled)
    data = params(request)
    reply_to = None
    if data.get("in_reply_to_id"):
        try:
            reply_to = _status(me, as_str(data["in_reply_to_id"]))
        except NotFound:
            raise ApiError(404, "Record not found") from None
    visibility = as_str(data.get("visibility")) or None
    quoted = None
    if data.get("quoted_status_id"):
        try:
            quoted = _status(me, as_str(data["quoted_status_id"]))
        except NotFound:
            raise ApiError(404, "Record not found") from None
    created = _post(
        request,
        me,
        as_str(data.get("status")),
        institution_id=as_str(data.get("institution_id")) or None,
        visibility=visibility,
        spoiler_text=as_str(data.get("spoiler_text")).strip(),
        sensitive=as_bool(data["sensitive"]) if "sensitive" in data else None,
        language=as_str(data.get("language")) or None,
        in_reply_to=reply_to,
        media_ids=[as_str(m) for m in as_list(data.get("media_ids"))],
        poll=_poll_spec(data),
        local_only=as_bool(data.get("local_only")),
        scheduled_at=_when(data.get("scheduled_at")),
        quoted_status=quoted,
        quote_policy=as_str(data.get("quote_approval_policy")) or None,
        reply_policy=as_str(data.get("reply_policy")) or None,
    )
    if isinstance(created, ScheduledStatus):
        if cache_key:
            cache.set(cache_key, ("scheduled", created.pk), IDEMPOTENCY_SECONDS)
        return scheduled_entity(created)
    if cache_key:
        cache.set(cache_key, ("status", created.pk), IDEMPOTENCY_SECONDS)
    return serializers.status(me, status_queries.get_visible_status(me, created.pk))


@router.get("/v1/statuses", response=list[schemas.Status])
def many_statuses(request: HttpRequest) -> list[Any]:
    me = viewer(request, "read:statuses")
    found = []
    for raw in as_list(params(request).get("id"))[:40]:
        try:
            found.append(_status(me, as_str(raw)))
        except NotFound:
            continue
    return serializers.statuses(me, found)


@router.get("/v1/statuses/{status_id}", response=schemas.Status)
def get_status(request: HttpRequest, status_id: str) -> dict[str, Any]:
    me = viewer(request, "read:statuses")
    return serializers.status(me, _status(me, status_id))


@router.delete("/v1/statuses/{status_id}", response=schemas.Status)
def delete_status(request: HttpRequest, status_id: str) -> dict[str, Any]:
    me = require(request, "write:statuses")
    found = _status(me, status_id)
    if found.account_id != me.pk:
        raise NotFound(status_id)
    rendered = serializers.status(me, found)
    rendered["text"] = found.text
    grant = _acting(request)
    if grant is not None:
        institution_services.delete_as_institution(
            grant.editor, grant.institution, found, grant=grant
        )
    else:
        status_services.delete_own_status(me, found)
    return rendered


@router.put("/v1/statuses/{status_id}", response=schemas.Status)
def edit_status(request: HttpRequest, status_id: str) -> dict[str, Any]:
    me = require(request, "write:statuses")
    found = _status(me, status_id)
    if found.account_id != me.pk:
        raise NotFound(status_id)
    data = params(request)
    descriptions: dict[int, str] = {}
    for attribute in as_list(data.get("media_attributes")):
        if isinstance(attribute, dict) and as_int(attribute.get("id")) is not None:
            descriptions[as_int(attribute.get("id")) or 0] = as_str(attribute.get("description"))
    media_ids = [as_str(m) for m in as_list(data.get("media_ids"))] if "media_ids" in data else None
    status_services.edit_status(
        me,
        found,
        as_str(data.get("status")),
        spoiler_text=as_str(data.get("spoiler_text")),
        sensitive=as_bool(data["sensitive"]) if "sensitive" in data else None,
        language=as_str(data.get("language")) or None,
        media_ids=media_ids,
        media_descriptions=descriptions or None,
        quote_policy=as_str(data.get("quote_approval_policy")) or None,
    )
    return serializers.status(me, _status(me, status_id))


@router.get("/v1/statuses/{status_id}/history", response=list[schemas.StatusEdit])
def history(request: HttpRequest, status_id: str) -> list[Any]:
    me = viewer(request, "read:statuses")
    found = _status(me, status_id)
    attachments = list(found.media.all())
    edits = list(found.edits.all())
    if not edits:
        return [
            {
                "content": found.content,
                "spoiler_text": found.spoiler_text,
                "sensitive": found.sensitive,
                "created_at": serializers.iso(found.created_at),
                "account": serializers.account(found.account),
                "poll": None,
                "media_attachments": [serializers.media(m) for m in attachments],
                "emojis": [],
            }
        ]
    return [serializers.status_edit(edit, found.account, attachments) for edit in edits]


@router.get("/v1/statuses/{status_id}/source", response=schemas.StatusSource)
def source(request: HttpRequest, status_id: str) -> dict[str, Any]:
    me = require(request, "read:statuses")
    found = _status(me, status_id)
    if found.account_id != me.pk:
        raise NotFound(status_id)
    return {"id": str(found.pk), "text": found.text, "spoiler_text": found.spoiler_text}


@router.get("/v1/statuses/{status_id}/context", response=schemas.Context)
def context(request: HttpRequest, status_id: str) -> dict[str, Any]:
    me = viewer(request, "read:statuses")
    found = _status(me, status_id)
    ancestors, descendants = status_queries.thread(me, found)
    return {
        "ancestors": serializers.statuses(me, ancestors, "thread"),
        "descendants": serializers.statuses(me, descendants, "thread"),
    }


@router.post("/v1/statuses/{status_id}/reblog", response=schemas.Status)
def reblog(request: HttpRequest, status_id: str) -> dict[str, Any]:
    me = require(request, "write:statuses")
    grant = _acting(request)
    if grant is not None:
        boost = institution_services.reblog_as_institution(
            grant.editor, grant.institution, _status(me, status_id), grant=grant
        )
    else:
        boost = status_services.reblog(me, _status(me, status_id))
    return serializers.status(me, status_queries.get_visible_status(me, boost.pk))


@router.post("/v1/statuses/{status_id}/unreblog", response=schemas.Status)
def unreblog(request: HttpRequest, status_id: str) -> dict[str, Any]:
    me = require(request, "write:statuses")
    original = status_services.unreblog(me, _status(me, status_id))
    return serializers.status(me, _status(me, str(original.pk)))


@router.post("/v1/statuses/{status_id}/favourite", response=schemas.Status)
def favourite(request: HttpRequest, status_id: str) -> dict[str, Any]:
    me = require(request, "write:favourites")
    original = status_services.favourite(me, _status(me, status_id))
    return serializers.status(me, _status(me, str(original.pk)))


@router.post("/v1/statuses/{status_id}/unfavourite", response=schemas.Status)
def unfavourite(request: HttpRequest, status_id: str) -> dict[str, Any]:
    me = require(request, "write:favourites")
    original = status_services.unfavourite(me, _status(me, status_id))
    return serializers.status(me, _status(me, str(original.pk)))


@router.post("/v1/statuses/{status_id}/bookmark", response=schemas.Status)
def bookmark(request: HttpRequest, status_id: str) -> dict[str, Any]:
    me = require(request, "write:bookmarks")
    original = status_services.bookmark(me, _status(me, status_id))
    return serializers.status(me, _status(me, str(original.pk)))


@router.post("/v1/statuses/{status_id}/unbookmark", response=schemas.Status)
def unbookmark(request: HttpRequest, status_id: str) -> dict[str, Any]:
    me = require(request, "write:bookmarks")
    original = status_services.unbookmark(me, _status(me, status_id))
    return serializers.status(me, _status(me, str(original.pk)))


@router.post("/v1/statuses/{status_id}/pin", response=schemas.Status)
def pin(request: HttpRequest, status_id: str) -> dict[str, Any]:
    me = require(request, "write:accounts")
    found = _status(me, status_id)
    status_services.pin(me, found)
    return serializers.status(me, found)


@router.post("/v1/statuses/{status_id}/unpin", response=schemas.Status)
def unpin(request: HttpRequest, status_id: str) -> dict[str, Any]:
    me = require(request, "write:accounts")
    found = _status(me, status_id)
    status_services.unpin(me, found)
    return serializers.status(me, found)


@router.post("/v1/statuses/{status_id}/mute", response=schemas.Status)
def mute_conversation(request: HttpRequest, status_id: str) -> dict[str, Any]:
    me = require(request, "write:mutes")
    found = _status(me, status_id)
    status_services.mute_conversation(me, found)
    return serializers.status(me, found)


@router.post("/v1/statuses/{status_id}/unmute", response=schemas.Status)
def unmute_conversation(request: HttpRequest, status_id: str) -> dict[str, Any]:
    me = require(request, "write:mutes")
    found = _status(me, status_id)
    status_services.unmute_conversation(me, found)
    return serializers.status(me, found)


@router.get("/v1/statuses/{status_id}/favourited_by", response=list[schemas.Account])
def favourited_by(request: HttpRequest, response: HttpResponse, status_id: str) -> list[Any]:
    me = viewer(request, "read:accounts")
    found = _status(me, status_id)
    original = found.reblog or found
    data = params(request)
    page = paginate(
        Favourite.objects.filter(
            status=original, account__suspended_at__isnull=True
        ).select_related("account"),
        max_id=data.get("max_id"),
        since_id=data.get("since_id"),
        min_id=data.get("min_id"),
        limit=clamp_limit(data.get("limit"), 40, 80),
    )
    return paginate_response(
        request, response, page, [serializers.account(f.account) for f in page.items]
    )


@router.get("/v1/statuses/{status_id}/reblogged_by", response=list[schemas.Account])
def reblogged_by(request: HttpRequest, response: HttpResponse, status_id: str) -> list[Any]:
    me = viewer(request, "read:accounts")
    found = _status(me, status_id)
    original = found.reblog or found
    data = params(request)
    page = paginate(
        status_queries.visible_statuses(me).filter(reblog=original).select_related("account"),
        max_id=data.get("max_id"),
        since_id=data.get("since_id"),
        min_id=data.get("min_id"),
        limit=clamp_limit(data.get("limit"), 40, 80),
    )
    return paginate_response(
        request, response, page, [serializers.account(s.account) for s in page.items]
    )


def _poll(me: Account | None, poll_id: str) -> Poll:
    number = as_int(poll_id)
    found = Poll.objects.select_related("status").filter(pk=number).first() if number else None
    if found is None or not status_queries.can_see(me, found.status):
        raise NotFound(poll_id)
    return found


@router.get("/v1/polls/{poll_id}", response=schemas.Poll)
def get_poll(request: HttpRequest, poll_id: str) -> dict[str, Any]:
    me = viewer(request, "read:statuses")
    return serializers.poll(_poll(me, poll_id), me)


@router.post("/v1/polls/{poll_id}/votes", response=schemas.Poll)
def vote(request: HttpRequest, poll_id: str) -> dict[str, Any]:
    me = require(request, "write:statuses")
    found = _poll(me, poll_id)
    choices = [as_int(c) for c in as_list(params(request).get("choices"))]
    if any(c is None for c in choices):
        raise ValidationError("Choose one of the poll's choices.")
    updated = status_services.vote(me, found, [c for c in choices if c is not None])
    return serializers.poll(updated, me)


@router.get("/v1/scheduled_statuses", response=list[schemas.ScheduledStatus])
def scheduled_statuses(request: HttpRequest, response: HttpResponse) -> list[Any]:
    me = require(request, "read:statuses")
    data = params(request)
    page = paginate(
        ScheduledStatus.objects.filter(account=me).prefetch_related("media"),
        max_id=data.get("max_id"),
        since_id=data.get("since_id"),
        min_id=data.get("min_id"),
        limit=clamp_limit(data.get("limit"), 20, 40),
    )
    return paginate_response(request, response, page, [scheduled_entity(s) for s in page.items])


def _scheduled(me: Account, scheduled_id: str) -> ScheduledStatus:
    number = as_int(scheduled_id)
    found = ScheduledStatus.objects.filter(account=me, pk=number).first() if number else None
    if found is None:
        raise NotFound(scheduled_id)
    return found


@router.get("/v1/scheduled_statuses/{scheduled_id}", response=schemas.ScheduledStatus)
def get_scheduled(request: HttpRequest, scheduled_id: str) -> dict[str, Any]:
    me = require(request, "read:statuses")
    return scheduled_entity(_scheduled(me, scheduled_id))


@router.put("/v1/scheduled_statuses/{scheduled_id}", response=schemas.ScheduledStatus)
def reschedule(request: HttpRequest, scheduled_id: str) -> dict[str, Any]:
    me = require(request, "write:statuses")
    found = _scheduled(me, scheduled_id)
    when = _when(params(request).get("scheduled_at"))
    if when is None:
        raise ApiError(422, "Validation failed: scheduled_at can't be blank")
    return scheduled_entity(status_services.reschedule(me, found.pk, when))


@router.delete("/v1/scheduled_statuses/{scheduled_id}", response=schemas.Empty)
def cancel_scheduled(request: HttpRequest, scheduled_id: str) -> dict[str, Any]:
    me = require(request, "write:statuses")
    status_services.cancel_scheduled(me, _scheduled(me, scheduled_id).pk)
    return {}


def media_of(me: Account, media_id: str) -> MediaAttachment:
    number = as_int(media_id)
    found = MediaAttachment.objects.filter(account=me, pk=number).first() if number else None
    if found is None:
        raise NotFound(media_id)
    return found


# Quotes (Mastodon 4.5) and interaction policies ------------------------------------------


@router.get("/v1/statuses/{status_id}/quotes", response=list[schemas.Status])
def quotes(request: HttpRequest, response: HttpResponse, status_id: str) -> list[Any]:
    me = require(request, "read:statuses")
    found = _status(me, status_id)
    data = params(request)
    page = paginate(
        status_queries.quotes_of(me, found.reblog or found),
        max_id=data.get("max_id"),
        since_id=data.get("since_id"),
        min_id=data.get("min_id"),
        limit=clamp_limit(data.get("limit"), 20, 40),
    )
    return paginate_response(request, response, page, serializers.statuses(me, page.items))


@router.post("/v1/statuses/{status_id}/quotes/{quoting_status_id}/revoke", response=schemas.Status)
def revoke_quote(request: HttpRequest, status_id: str, quoting_status_id: str) -> dict[str, Any]:
    me = require(request, "write:statuses")
    quoted = _status(me, status_id)
    # The quoted author may revoke a quote they cannot read (a followers-only one).
    quoting = Status.objects.filter(pk=as_int(quoting_status_id) or 0).first()
    if quoting is None:
        raise NotFound(quoting_status_id)
    status_services.revoke_quote(me, quoted, quoting)
    return serializers.status(me, quoting)


@router.put("/v1/statuses/{status_id}/interaction_policy", response=schemas.Status)
def interaction_policy(request: HttpRequest, status_id: str) -> dict[str, Any]:
    """Mastodon's ``quote_approval_policy``, and Babillard's ``reply_policy`` beside it."""
    me = require(request, "write:statuses")
    found = _status(me, status_id)
    if found.account_id != me.pk:
        raise NotFound(status_id)
    data = params(request)
    status_services.set_interaction_policy(
        me,
        found,
        quote_policy=as_str(data.get("quote_approval_policy")) or None,
        reply_policy=as_str(data.get("reply_policy")) or None,
    )
    return serializers.status(me, _status(me, status_id))
