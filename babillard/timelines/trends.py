"""Trends: the hashtags, posts and links most used in the last week of public posts.

They are read from public posts, local and remote, that are neither boosts nor
local-only, by accounts that are not suspended. A hashtag or link trends when
at least ``MIN_ACCOUNTS`` accounts used it; a post trends by its boosts and
favourites. Each ranking is computed at most every ``CACHE_SECONDS`` and kept
in the cache as ids and counts; readers get the rows and check visibility
and their own blocks and mutes when the trend is shown.
"""

import html
import re
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.core.cache import cache
from django.db.models import Count, F, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from babillard.accounts.models import Account, Visibility
from babillard.core.pagination import Page, paginate
from babillard.statuses.models import Status, Tag
from babillard.statuses.queries import visible_statuses, with_relations
from babillard.timelines.queries import without_hidden

DAYS = 7
MIN_ACCOUNTS = 2
CACHE_SECONDS = 600
# How many recent public posts are read for links (their text is parsed in Python).
LINK_SCAN = 5000
_ANCHOR = re.compile(r"<a\s([^>]*)>", re.IGNORECASE)
_HREF = re.compile(r'href="([^"]+)"', re.IGNORECASE)


@dataclass(frozen=True)
class DayUse:
    day: date
    uses: int
    accounts: int


@dataclass(frozen=True)
class TagTrend:
    tag: Tag
    history: list[DayUse]


@dataclass(frozen=True)
class LinkTrend:
    url: str
    history: list[DayUse]


def _recent_public() -> QuerySet[Status]:
    since = timezone.now() - timedelta(days=DAYS)
    return Status.objects.filter(
        created_at__gte=since,
        visibility=Visibility.PUBLIC,
        reblog__isnull=True,
        local_only=False,
        account__suspended_at__isnull=True,
    )


def _days() -> list[date]:
    today = timezone.now().astimezone(UTC).date()
    return [today - timedelta(days=n) for n in range(DAYS)]


def _history(counts: dict[date, tuple[int, int]]) -> list[DayUse]:
    """Seven days, today first, as Mastodon's ``history``."""
    return [DayUse(day, *counts.get(day, (0, 0))) for day in _days()]


def _cached(key: str, compute: Any) -> Any:
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found


def _tag_ranking() -> list[tuple[int, dict[date, tuple[int, int]]]]:
    uses = Status.tags.through.objects.filter(status__in=_recent_public())
    per_tag: dict[int, dict[date, tuple[int, int]]] = {}
    for row in uses.values("tag_id", day=TruncDate("status__created_at", tzinfo=UTC)).annotate(
        uses=Count("status_id"), accounts=Count("status__account_id", distinct=True)
    ):
        per_tag.setdefault(row["tag_id"], {})[row["day"]] = (row["uses"], row["accounts"])
    totals = [
        (row["accounts"], row["uses"], row["tag_id"])
        for row in uses.values("tag_id").annotate(
            accounts=Count("status__account_id", distinct=True), uses=Count("status_id")
        )
        if row["accounts"] >= MIN_ACCOUNTS
    ]
    totals.sort(key=lambda total: (-total[0], -total[1], total[2]))
    return [(tag_id, per_tag.get(tag_id, {})) for _accounts, _uses, tag_id in totals[:100]]


def trending_tags(limit: int = 10, offset: int = 0) -> list[TagTrend]:
    ranking = _cached("trends:tags", _tag_ranking)[offset : offset + limit]
    tags = Tag.objects.in_bulk([tag_id for tag_id, _counts in ranking])
    return [
        TagTrend(tags[tag_id], _history(counts)) for tag_id, counts in ranking if tag_id in tags
    ]


def tag_history(tag: Tag) -> list[DayUse]:
    """The last week's use of one hashtag (for the Tag entity)."""
    for tag_id, counts in _cached("trends:tags", _tag_ranking):
        if tag_id == tag.pk:
            return _history(counts)
    return _history({})


def _status_ranking() -> list[int]:
    return list(
        _recent_public()
        .annotate(score=F("reblogs_count") + F("favourites_count"))
        .filter(score__gt=0)
        .order_by("-score", "-id")
        .values_list("pk", flat=True)[:100]
    )


def trending_statuses(viewer: Account | None, limit: int = 20, offset: int = 0) -> list[Status]:
    ranking: list[int] = _cached("trends:statuses", _status_ranking)
    shown = without_hidden(viewer, visible_statuses(viewer).filter(pk__in=ranking))
    by_id = {s.pk: s for s in with_relations(shown)}
    return [by_id[pk] for pk in ranking if pk in by_id][offset : offset + limit]


def links_in(content: str) -> list[str]:
    """The web links of a post's HTML: not its mentions nor its hashtags."""
    found = []
    for attributes in _ANCHOR.findall(content):
        lowered = attributes.lower()
        if "mention" in lowered or 'rel="tag"' in lowered or "hashtag" in lowered:
            continue
        href = _HREF.search(attributes)
        if href is None:
            continue
        url = html.unescape(href.group(1))
        if urlsplit(url).scheme in ("http", "https") and url not in found:
            found.append(url)
    return found


def _link_ranking() -> list[tuple[str, dict[date, tuple[int, int]]]]:
    rows = (
        _recent_public()
        .filter(content__icontains="href=")
        .order_by("-id")
        .values_list("content", "account_id", "created_at")[:LINK_SCAN]
    )
    uses: dict[str, dict[date, list[int]]] = {}
    for content, account_id, created_at in rows:
        day = created_at.astimezone(UTC).date()
        for url in links_in(content):
            uses.setdefault(url, {}).setdefault(day, []).append(account_id)
    ranked = []
    for url, per_day in uses.items():
        accounts = {a for day_accounts in per_day.values() for a in day_accounts}
        if len(accounts) < MIN_ACCOUNTS:
            continue
        counts = {day: (len(ids), len(set(ids))) for day, ids in per_day.items()}
        ranked.append((len(accounts), sum(c[0] for c in counts.values()), url, counts))
    ranked.sort(key=lambda item: (-item[0], -item[1], item[2]))
    return [(url, counts) for _accounts, _uses, url, counts in ranked[:100]]


def trending_links(limit: int = 10, offset: int = 0) -> list[LinkTrend]:
    ranking = _cached("trends:links", _link_ranking)[offset : offset + limit]
    return [LinkTrend(url, _history(counts)) for url, counts in ranking]


def link_timeline(viewer: Account | None, url: str, **page: object) -> Page[Status]:
    """Public posts that link to ``url``, newest first."""
    found = visible_statuses(viewer).filter(
        visibility=Visibility.PUBLIC,
        reblog__isnull=True,
        content__contains=f'href="{html.escape(url)}"',
    )
    return paginate(with_relations(without_hidden(viewer, found)), **page)  # type: ignore[arg-type]


def forget() -> None:
    """Drop the cached rankings (tests, and after moderation removes posts)."""
    cache.delete_many(["trends:tags", "trends:statuses", "trends:links"])
