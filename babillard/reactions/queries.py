"""Reads of reactions shared by the pages and the API."""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q, QuerySet, Value

from babillard.accounts.models import Account
from babillard.reactions.models import Reaction
from babillard.statuses.models import Status


@dataclass
class Summary:
    """One emoji on one post: how many put it there, whether the viewer did, its image."""

    name: str
    count: int
    me: bool
    image_url: str = ""
    accounts: list[Account] = field(default_factory=list)


def _shown(reactions: QuerySet[Reaction]) -> QuerySet[Reaction]:
    return reactions.filter(account__suspended_at__isnull=True)


def summaries(viewer: Account | None, statuses: list[Status]) -> dict[int, list[Summary]]:
    """For each of these posts (originals of boosts), its emoji, first used first.

    One query whatever the number of posts, the viewer's own reactions counted in it.
    """
    ids = {s.reblog_id or s.pk for s in statuses}
    if not ids:
        return {}
    mine = Count("pk", filter=Q(account=viewer)) if viewer is not None else Value(0)
    rows = (
        _shown(Reaction.objects.filter(status_id__in=ids))
        .values("status_id", "name")
        .annotate(count=Count("pk"), first=Min("id"), image=Max("image_url"), mine=mine)
        .order_by("status_id", "first")
    )
    found: dict[int, list[Summary]] = {}
    for row in rows:
        found.setdefault(row["status_id"], []).append(
            Summary(row["name"], row["count"], row["mine"] > 0, row["image"] or "")
        )
    return found


def with_accounts(
    viewer: Account | None, status: Status, name: str | None = None, limit: int = 80
) -> list[Summary]:
    """The post's emoji with who put each (the most recent ``limit`` of each)."""
    rows = summaries(viewer, [status]).get(status.pk, [])
    if name is not None:
        rows = [row for row in rows if row.name == name]
    for row in rows:
        row.accounts = [
            reaction.account
            for reaction in _shown(Reaction.objects.filter(status=status, name=row.name))
            .select_related("account")
            .order_by("-id")[:limit]
        ]
    return rows


def reaction_of(account: Account, status: Status) -> Reaction | None:
    """The latest emoji ``account`` put on ``status`` (what a notification shows)."""
    return Reaction.objects.filter(account=account, status=status).order_by("-id").first()
