"""Timeline reads shared by the web pages and the client API."""

from django.db.models import Q, QuerySet

from babillard.accounts.models import Account, Follow, Visibility
from babillard.accounts.queries import hidden_account_ids
from babillard.core.pagination import Page, paginate
from babillard.statuses.models import Bookmark, Favourite, Status
from babillard.statuses.queries import visible_statuses, visible_to, with_relations
from babillard.timelines.models import HomeFeedEntry, List


def without_hidden(viewer: Account | None, statuses: QuerySet[Status]) -> QuerySet[Status]:
    """Leave out blocked and muted accounts, and limited accounts the viewer does not follow."""
    limited = Q(account__silenced_at__isnull=False)
    if viewer is not None:
        limited &= ~Q(account__in=Follow.objects.filter(account=viewer).values("target")) & ~Q(
            account=viewer
        )
    statuses = statuses.exclude(limited)
    if viewer is None:
        return statuses
    hidden = hidden_account_ids(viewer)
    if not hidden:
        return statuses
    return statuses.exclude(account_id__in=hidden).exclude(reblog__account_id__in=hidden)


def home(viewer: Account, *, prefetch: bool = True, **page: object) -> Page[Status]:
    """The home feed: one range scan on the reader's feed entries, then the statuses.

    ``prefetch=False`` joins the authors, boosts and polls but leaves the images,
    mentions and hashtags to the caller (the API renders most statuses from its cache).
    """
    entries = HomeFeedEntry.objects.filter(owner=viewer)
    hidden = hidden_account_ids(viewer)
    if hidden:
        entries = entries.exclude(origin_account_id__in=hidden)
    scanned = paginate(entries, key="status_id", **page)  # type: ignore[arg-type]
    ids = [entry.status_id for entry in scanned.items]
    found = with_relations(Status.objects.filter(pk__in=ids).filter(visible_to(viewer)))
    if not prefetch:
        found = found.prefetch_related(None)
    if hidden:
        found = found.exclude(account_id__in=hidden)
    by_id = {s.pk: s for s in found}
    return Page(
        items=[by_id[i] for i in ids if i in by_id],
        newest_key=scanned.newest_key,
        oldest_key=scanned.oldest_key,
    )


def public(
    viewer: Account | None, *, local: bool = False, only_media: bool = False, **page: object
) -> Page[Status]:
    """Public posts, newest first: the local timeline, or everything this instance knows."""
    found = visible_statuses(viewer).filter(visibility=Visibility.PUBLIC, reblog__isnull=True)
    if local:
        found = found.filter(local=True)
    if only_media:
        found = found.filter(media__isnull=False).distinct()
    return paginate(with_relations(without_hidden(viewer, found)), **page)  # type: ignore[arg-type]


def hashtag(
    viewer: Account | None, name: str, *, local: bool = False, **page: object
) -> Page[Status]:
    found = visible_statuses(viewer).filter(
        visibility=Visibility.PUBLIC, reblog__isnull=True, tags__name=name.casefold()
    )
    if local:
        found = found.filter(local=True)
    return paginate(with_relations(without_hidden(viewer, found)), **page)  # type: ignore[arg-type]


def list_timeline(viewer: Account, timeline: List, **page: object) -> Page[Status]:
    members = timeline.members.values("pk")
    found = (
        visible_statuses(viewer).filter(account__in=members).exclude(visibility=Visibility.DIRECT)
    )
    if timeline.replies_policy == "none":
        found = found.filter(in_reply_to_account__isnull=True)
    elif timeline.replies_policy == "list":
        found = found.filter(
            Q(in_reply_to_account__isnull=True)
            | Q(in_reply_to_account__in=members)
            | Q(in_reply_to_account=viewer)
        )
    return paginate(with_relations(without_hidden(viewer, found)), **page)  # type: ignore[arg-type]


def _statuses_of(
    viewer: Account, marks: QuerySet[Bookmark] | QuerySet[Favourite], page: dict[str, object]
) -> Page[Status]:
    """Page through bookmarks or favourites by their own id, and return their statuses."""
    scanned = paginate(marks.filter(status__in=visible_statuses(viewer).values("pk")), **page)  # type: ignore[arg-type]
    ids = [mark.status_id for mark in scanned.items]  # type: ignore[attr-defined]
    by_id = {s.pk: s for s in with_relations(Status.objects.filter(pk__in=ids))}
    return Page(
        items=[by_id[i] for i in ids if i in by_id],
        newest_key=scanned.newest_key,
        oldest_key=scanned.oldest_key,
    )


def bookmarks(viewer: Account, **page: object) -> Page[Status]:
    return _statuses_of(viewer, Bookmark.objects.filter(account=viewer), page)


def favourites(viewer: Account, **page: object) -> Page[Status]:
    return _statuses_of(viewer, Favourite.objects.filter(account=viewer), page)
