"""``/api/v1/conversations``: direct-message threads, read from the direct posts.

A conversation is a thread of direct posts the viewer wrote or was mentioned
in, named by its first post's id. Each reader's state (read up to, removed up
to) is a ``ConversationState`` row: a conversation is unread when someone else
posted in it after the reader last read it, and a removed one comes back when
a newer post arrives.
"""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from ninja import Router

from babillard.accounts.models import Account, Visibility
from babillard.api import schemas, serializers
from babillard.api.base import as_int, link_header, params, require
from babillard.core.errors import NotFound
from babillard.core.pagination import clamp_limit
from babillard.statuses import queries as status_queries
from babillard.statuses import services as status_services
from babillard.statuses.models import Status

router = Router(tags=["conversations"])
# How many recent direct posts are grouped into conversations.
WINDOW = 1000


def _threads(me: Account) -> dict[int, list[Status]]:
    """Direct posts visible to the viewer, newest first, by thread (removed ones left out)."""
    found = status_queries.with_relations(
        status_queries.visible_statuses(me)
        .filter(Q(account=me) | Q(mentions__account=me), visibility=Visibility.DIRECT)
        .distinct()
        .order_by("-id")
    )[:WINDOW]
    threads: dict[int, list[Status]] = {}
    for status in found:
        threads.setdefault(status.thread_root_id or status.pk, []).append(status)
    removed = status_queries.removed_conversations(me, list(threads))
    return {root: posts for root, posts in threads.items() if posts[0].pk > removed.get(root, 0)}


def _unread(me: Account, root: int, posts: list[Status]) -> bool:
    read_up_to = status_queries.conversation_read_up_to(me, root)
    return any(p.pk > read_up_to and p.account_id != me.pk for p in posts)


def _entity(me: Account, root: int, posts: list[Status]) -> dict[str, Any]:
    others: dict[int, Account] = {}
    for post in posts:
        for account in [post.account, *(m.account for m in post.mentions.all())]:
            if account.pk != me.pk:
                others.setdefault(account.pk, account)
    return {
        "id": str(root),
        "unread": _unread(me, root, posts),
        "accounts": [serializers.account(a) for a in others.values()],
        "last_status": serializers.status(me, posts[0]),
    }


@router.get("/v1/conversations", response=list[schemas.Conversation])
def conversations(request: HttpRequest, response: HttpResponse) -> list[Any]:
    me = require(request, "read:statuses")
    data = params(request)
    limit = clamp_limit(data.get("limit"), 20, 40)
    upper, lower, above = (as_int(data.get(k)) for k in ("max_id", "since_id", "min_id"))
    threads = sorted(_threads(me).items(), key=lambda item: item[1][0].pk, reverse=True)
    if upper is not None:
        threads = [t for t in threads if t[1][0].pk < upper]
    if lower is not None:
        threads = [t for t in threads if t[1][0].pk > lower]
    if above is not None:
        threads = [t for t in threads if t[1][0].pk > above][-limit:]
    threads = threads[:limit]
    if threads:
        response["Link"] = link_header(
            request, next_max=threads[-1][1][0].pk, prev_min=threads[0][1][0].pk
        )
    return [_entity(me, root, posts) for root, posts in threads]


def _conversation(me: Account, conversation_id: str) -> tuple[int, list[Status]]:
    root = as_int(conversation_id)
    posts = _threads(me).get(root or 0)
    if not posts or root is None:
        raise NotFound(conversation_id)
    return root, posts


@router.post("/v1/conversations/{conversation_id}/read", response=schemas.Conversation)
def read(request: HttpRequest, conversation_id: str) -> dict[str, Any]:
    me = require(request, "write:conversations")
    root, posts = _conversation(me, conversation_id)
    status_services.mark_conversation_read(me, root, posts[0].pk)
    return _entity(me, root, posts)


@router.delete("/v1/conversations/{conversation_id}", response=schemas.Empty)
def remove(request: HttpRequest, conversation_id: str) -> dict[str, Any]:
    me = require(request, "write:conversations")
    root, posts = _conversation(me, conversation_id)
    status_services.remove_conversation(me, root, posts[0].pk)
    return {}
