"""Reads about boards shared by the web pages, the API, the feeds and the newsletter.

A private board is found only by its curators: anybody else gets the same ``NotFound``
as for a board that does not exist. The posts on a board are filtered for each reader
by the statuses' own visibility rule, so a board never shows a post its reader may not see.
"""

import re
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from babillard.accounts.models import Account
from babillard.boards.models import Board, BoardVisibility, Item, Suggestion, SuggestionState
from babillard.core.errors import NotFound
from babillard.core.pagination import Page, paginate
from babillard.statuses.models import Status
from babillard.statuses.queries import get_visible_status, visible_statuses

PAGE_ITEMS = 200
# A post's page on this instance: https://domain/@name/123456.
LOCAL_POST = re.compile(r"^https?://(?P<host>[^/]+)/@[A-Za-z0-9_]+/(?P<id>[0-9]+)/?$")


def _boards() -> QuerySet[Board]:
    return Board.objects.select_related("account", "owner").filter(owner__suspended_at__isnull=True)


def readable_by(viewer: Account | None) -> Q:
    """The boards ``viewer`` may read: public and unlisted ones, and the private ones they curate."""
    rule = ~Q(visibility=BoardVisibility.PRIVATE)
    if viewer is not None:
        rule |= Q(curators__account=viewer)
    return rule


def get_board(viewer: Account | None, board_id: Any) -> Board:
    try:
        pk = int(board_id)
    except (ValueError, TypeError, OverflowError):
        raise NotFound(board_id) from None
    found = _boards().filter(readable_by(viewer), pk=pk).distinct().first()
    if found is None:
        raise NotFound(board_id)
    return found


def board_of_actor(account: Account) -> Board | None:
    return Board.objects.filter(account=account).first()


def boards_of(owner: Account, viewer: Account | None) -> QuerySet[Board]:
    """The boards ``owner`` curates that ``viewer`` may see listed (unlisted ones only to
    their curators)."""
    found = _boards().filter(curators__account=owner)
    if viewer is None or viewer.pk != owner.pk:
        listed = Q(visibility=BoardVisibility.PUBLIC)
        if viewer is not None:
            listed |= Q(pk__in=Board.objects.filter(curators__account=viewer).values("pk"))
        found = found.filter(listed)
    return found.distinct().order_by("-created_at")


def items(viewer: Account | None, board: Board, limit: int = PAGE_ITEMS) -> list[Item]:
    """The board's items in their order, without the posts ``viewer`` may not see."""
    visible = visible_statuses(viewer).values("id")
    return list(
        board.items.filter(Q(status__isnull=True) | Q(status_id__in=visible))
        .select_related("status__account", "section", "added_by")
        .order_by("position", "pk")[:limit]
    )


def recent_items(board: Board, limit: int = 50) -> list[Item]:
    """The latest items anybody may read, newest first (for feeds)."""
    visible = visible_statuses(None).values("id")
    return list(
        board.items.filter(Q(status__isnull=True) | Q(status_id__in=visible))
        .select_related("status__account", "added_by")
        .order_by("-added_at", "-pk")[:limit]
    )


def newsletter_items(board: Board, limit: int) -> list[Item]:
    """The items accepted since the last newsletter that anybody may read, oldest first."""
    found = recent_items(board, limit)
    if board.newsletter_sent_at is not None:
        found = [i for i in found if i.added_at > board.newsletter_sent_at]
    return list(reversed(found))


def suggestions(board: Board, state: str = SuggestionState.PENDING) -> QuerySet[Suggestion]:
    return board.suggestions.filter(state=state).select_related("status__account", "suggested_by")


def curators(board: Board) -> list[Account]:
    return [c.account for c in board.curators.select_related("account")]


def status_from_reference(viewer: Account | None, reference: str) -> Status | None:
    """The post a reader means by an id, its address here (``/@name/<id>``) or its URI;
    ``None`` when the reference names no post this reader may see (a web link, then)."""
    reference = reference.strip()
    status_id: str | None = reference if reference.isdigit() else None
    if status_id is None:
        match = LOCAL_POST.match(reference)
        if match and match.group("host") == settings.DOMAIN:
            status_id = match.group("id")
    if status_id is None:
        known = Status.objects.filter(Q(uri=reference) | Q(url=reference)).first()
        status_id = str(known.pk) if known is not None else None
    if status_id is None:
        return None
    try:
        return get_visible_status(viewer, status_id)
    except NotFound:
        return None


def column_items(viewer: Account, board: Board, **page: Any) -> Page[Item]:
    """The board's posts ``viewer`` may see, by the id of their item, newest first."""
    visible = visible_statuses(viewer).values("id")
    found = board.items.filter(status_id__in=visible).select_related("status__account")
    return paginate(found, **page)
