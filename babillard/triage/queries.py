"""Reads of triage: who is folded out of home, the catch-up groups and the ranked digest.

The core's home fan-out asks ``readers_glancing`` and ``readers_keeping`` (imported
inside its function) which local readers fold or keep one author's posts; that is the
only way the core reads this app.
"""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from babillard.accounts.models import Account, Follow, Visibility
from babillard.accounts.queries import hidden_account_ids
from babillard.api.models import Marker
from babillard.core.ids import id_time
from babillard.statuses.models import Favourite, Status
from babillard.statuses.queries import visible_statuses, with_relations
from babillard.timelines.models import HomeFeedEntry, List
from babillard.triage.models import AuthorPriority, NotificationRequest, Period, Priority

# How far back the catch-up page looks at most, in home feed entries.
CATCH_UP_SCAN = 400

# Digest ranking: a boost counts more than a favourite, and an interaction loses half
# its weight every half-life, so that this morning's favourites beat last night's.
WEIGHTS = {"favourite": 1.0, "reblog": 2.0}
HALF_LIFE_HOURS = {Period.DAY: 6.0, Period.WEEK: 36.0}
SPAN = {Period.DAY: timedelta(days=1), Period.WEEK: timedelta(days=7)}
DIGEST_SIZE = 20
# The newest posts of the period a digest ranks at most (a home feed holds 800 anyway).
DIGEST_CANDIDATES = 1000


def readers_glancing(author_id: int) -> set[int]:
    """Readers who put this author "at a glance": their posts leave those home feeds."""
    return set(
        AuthorPriority.objects.filter(target_id=author_id, level=Priority.GLANCE).values_list(
            "owner_id", flat=True
        )
    )


def readers_keeping(author_id: int) -> set[int]:
    """Readers who marked this author "close": always in home, even in an exclusive list."""
    return set(
        AuthorPriority.objects.filter(target_id=author_id, level=Priority.CLOSE).values_list(
            "owner_id", flat=True
        )
    )


def priorities(owner: Account) -> QuerySet[AuthorPriority]:
    return (
        AuthorPriority.objects.filter(owner=owner)
        .select_related("target")
        .order_by("level", "target__username")
    )


def priority_of(owner: Account, target: Account) -> str | None:
    return (
        AuthorPriority.objects.filter(owner=owner, target=target)
        .values_list("level", flat=True)
        .first()
    )


@dataclass
class GlanceSummary:
    """Today's posts of the authors a reader glances at: "N posts from A, B and C today"."""

    count: int
    authors: list[Account]


def glance_summary(viewer: Account, now: datetime | None = None) -> GlanceSummary:
    now = now or timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    glanced = list(
        AuthorPriority.objects.filter(owner=viewer, level=Priority.GLANCE).values_list(
            "target_id", flat=True
        )
    )
    if not glanced:
        return GlanceSummary(count=0, authors=[])
    posts = (
        visible_statuses(viewer)
        .filter(account__in=glanced, created_at__gte=start, created_at__lte=now)
        .exclude(visibility=Visibility.DIRECT)
        .exclude(account_id__in=hidden_account_ids(viewer))
    )
    per_author = Counter(posts.values_list("account_id", flat=True))
    authors = {a.pk: a for a in Account.objects.filter(pk__in=per_author)}
    ranked = [authors[pk] for pk, _n in per_author.most_common() if pk in authors]
    return GlanceSummary(count=sum(per_author.values()), authors=ranked)


def last_read_id(owner: Account) -> int:
    """The home marker: the newest home post the reader has read (0 before any)."""
    found = Marker.objects.filter(account=owner, timeline="home").first()
    return found.last_read_id if found else 0


@dataclass
class CatchUpGroup:
    """Unread posts sharing an author or a hashtag; ``interactions`` ranks the groups."""

    key: str
    label: str
    account: Account | None
    statuses: list[Status] = field(default_factory=list)
    interactions: int = 0

    @property
    def count(self) -> int:
        return len(self.statuses)


@dataclass
class CatchUp:
    since_id: int
    newest_id: int
    total: int
    by_author: list[CatchUpGroup]
    by_tag: list[CatchUpGroup]


def _interactions(status: Status) -> int:
    return status.favourites_count + status.reblogs_count + status.replies_count


def catch_up(viewer: Account) -> CatchUp:
    """Unread home posts (above the home marker), grouped by author and by hashtag.

    Groups with the most favourites, boosts and replies come first, then the
    largest. Boosts count for the post they carry, once.
    """
    since = last_read_id(viewer)
    entry_ids = list(
        HomeFeedEntry.objects.filter(owner=viewer, status_id__gt=since)
        .order_by("-status_id")
        .values_list("status_id", flat=True)[:CATCH_UP_SCAN]
    )
    hidden = hidden_account_ids(viewer)
    found = with_relations(visible_statuses(viewer).filter(pk__in=entry_ids)).exclude(
        account_id__in=hidden
    )
    originals: dict[int, Status] = {}
    for item in sorted(found, key=lambda s: -s.pk):
        original = item.reblog or item
        if original.account_id in hidden:
            continue
        originals.setdefault(original.pk, original)
    by_author: dict[int, CatchUpGroup] = {}
    by_tag: dict[str, CatchUpGroup] = {}
    for original in originals.values():
        group = by_author.setdefault(
            original.account_id,
            CatchUpGroup(
                key=f"account-{original.account_id}",
                label=original.account.name,
                account=original.account,
            ),
        )
        group.statuses.append(original)
        group.interactions += _interactions(original)
        for tag in original.tags.all():
            tagged = by_tag.setdefault(
                tag.name,
                CatchUpGroup(key=f"tag-{tag.name}", label=f"#{tag.display_name}", account=None),
            )
            tagged.statuses.append(original)
            tagged.interactions += _interactions(original)

    def rank(groups: dict[int, CatchUpGroup] | dict[str, CatchUpGroup]) -> list[CatchUpGroup]:
        return sorted(groups.values(), key=lambda g: (-g.interactions, -g.count, g.label))

    return CatchUp(
        since_id=since,
        newest_id=entry_ids[0] if entry_ids else since,
        total=len(originals),
        by_author=rank(by_author),
        by_tag=rank(by_tag),
    )


@dataclass
class Scored:
    """A status of a digest, with its score and the interactions that made it."""

    status: Status
    score: float
    favourites: int
    reblogs: int


def _decayed(weight: float, at: datetime, now: datetime, half_life_hours: float) -> float:
    age_hours = max((now - at).total_seconds(), 0.0) / 3600
    return weight * math.pow(0.5, age_hours / half_life_hours)


def digest_candidates(viewer: Account, timeline: List | None, since: datetime) -> QuerySet[Status]:
    """The posts a digest chooses from: the home feed's, or a list's, over the period."""
    if timeline is None:
        entries = HomeFeedEntry.objects.filter(owner=viewer, status__created_at__gte=since)
        carried = Status.objects.filter(pk__in=entries.values("status_id")).values_list(
            "pk", "reblog_id"
        )
        ids = {reblog_id or pk for pk, reblog_id in carried}
        found = visible_statuses(viewer).filter(pk__in=ids)
    else:
        found = visible_statuses(viewer).filter(
            account__in=timeline.members.values("pk"), reblog__isnull=True, created_at__gte=since
        )
    hidden = hidden_account_ids(viewer)
    return found.exclude(visibility=Visibility.DIRECT).exclude(account_id__in=hidden)


def digest(
    viewer: Account,
    timeline: List | None = None,
    period: str = Period.DAY,
    *,
    now: datetime | None = None,
    limit: int = DIGEST_SIZE,
) -> list[Scored]:
    """The period's posts ranked by the favourites and boosts of the accounts the reader follows.

    score = sum of weight * 0.5 ** (hours since the interaction / half-life), over each
    favourite (weight 1) and boost (weight 2) by an account the reader follows, with
    a half-life of 6 hours for a day's digest and 36 hours for a week's. Ties go to
    the newer post.
    """
    now = now or timezone.now()
    span = SPAN[Period(period)]
    half_life = HALF_LIFE_HOURS[Period(period)]
    candidates = list(
        digest_candidates(viewer, timeline, now - span)
        .order_by("-id")
        .values_list("pk", flat=True)[:DIGEST_CANDIDATES]
    )
    followed = Follow.objects.filter(account=viewer).values("target")
    scores: dict[int, float] = dict.fromkeys(candidates, 0.0)
    favourites: Counter[int] = Counter()
    reblogs: Counter[int] = Counter()
    for status_id, favourite_id in Favourite.objects.filter(
        status_id__in=candidates, account__in=followed
    ).values_list("status_id", "pk"):
        at = id_time(favourite_id)
        scores[status_id] += _decayed(WEIGHTS["favourite"], at, now, half_life)
        favourites[status_id] += 1
    for status_id, at in Status.objects.filter(
        reblog_id__in=candidates, account__in=followed
    ).values_list("reblog_id", "created_at"):
        scores[status_id] += _decayed(WEIGHTS["reblog"], at, now, half_life)
        reblogs[status_id] += 1
    ranked = sorted(scores, key=lambda pk: (-scores[pk], -pk))[:limit]
    by_id = {s.pk: s for s in with_relations(Status.objects.filter(pk__in=ranked))}
    return [
        Scored(by_id[pk], round(scores[pk], 6), favourites[pk], reblogs[pk])
        for pk in ranked
        if pk in by_id
    ]


def notification_requests(owner: Account) -> QuerySet[NotificationRequest]:
    return (
        NotificationRequest.objects.filter(account=owner)
        .filter(Q(from_account__suspended_at__isnull=True))
        .select_related("from_account", "last_status", "last_status__account")
        .order_by("-id")
    )
