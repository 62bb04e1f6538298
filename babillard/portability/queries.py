"""Reads shared by the pages and the API: imports, archives and hashtag walls."""

from django.db.models import QuerySet

from babillard.accounts.models import Account
from babillard.core.pagination import Page, paginate
from babillard.portability.models import Archive, Import, Wall, WallDecision
from babillard.statuses.models import Status
from babillard.statuses.queries import with_relations
from babillard.timelines.queries import hashtag_statuses

WALL_POSTS = 30
QUEUE_POSTS = 50


def imports_of(account: Account) -> QuerySet[Import]:
    return Import.objects.filter(account=account).order_by("-created_at")


def archives_of(account: Account) -> QuerySet[Archive]:
    return Archive.objects.filter(account=account).order_by("-created_at")


def get_wall(tag: str) -> Wall | None:
    return Wall.objects.filter(tag=tag.casefold()).first()


def wall_posts(tag: str, *, since_id: object = None, limit: int = WALL_POSTS) -> Page[Status]:
    """What the wall shows: public posts with the hashtag, the approved ones if moderated.

    The wall is a public screen, so posts are read as a visitor reads them.
    """
    found = hashtag_statuses(None, tag)
    wall = get_wall(tag)
    if wall is not None and wall.moderated:
        approved = WallDecision.objects.filter(wall=wall, approved=True).values("status_id")
        found = found.filter(pk__in=approved)
    return paginate(with_relations(found), since_id=since_id, limit=limit)


def wall_queue(wall: Wall, limit: int = QUEUE_POSTS) -> list[Status]:
    """Posts waiting for a moderator's answer, oldest first."""
    decided = WallDecision.objects.filter(wall=wall).values("status_id")
    found = hashtag_statuses(None, wall.tag).exclude(pk__in=decided)
    return list(with_relations(found).order_by("id")[:limit])
