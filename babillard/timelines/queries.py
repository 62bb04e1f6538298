"""Timeline reads shared by the web pages and the client API."""

from collections.abc import Sequence

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


def hashtag_statuses(
    viewer: Account | None,
    name: str,
    *,
    local: bool = False,
    any_of: Sequence[str] = (),
    all_of: Sequence[str] = (),
    none_of: Sequence[str] = (),
    only_media: bool = False,
) -> QuerySet[Status]:
    """Public posts with the hashtag ``name`` or any of ``any_of``, all of ``all_of``
    and none of ``none_of`` (tag names case-folded, without ``#``), unordered."""
    names = [name.casefold(), *any_of]
    found = visible_statuses(viewer).filter(visibility=Visibility.PUBLIC, reblog__isnull=True)
    found = (
        found.filter(tags__name=names[0]) if len(names) == 1 else found.filter(tags__name__in=names)
    )
    for required in all_of:
        found = found.filter(tags__name=required)
    if none_of:
        found = found.exclude(tags__name__in=none_of)
    if local:
        found = found.filter(local=True)
    if only_media:
        found = found.filter(media__isnull=False)
    if len(names) > 1 or all_of or only_media:
        found = found.distinct()
    return without_hidden(viewer, found)


def hashtag(
    viewer: Account | None,
    name: str,
    *,
    local: bool = False,
    any_of: Sequence[str] = (),
    all_of: Sequence[str] = (),
    none_of: Sequence[str] = (),
    only_media: bool = False,
    **page: object,
) -> Page[Status]:
    found = hashtag_statuses(
        viewer,
        name,
        local=local,
        any_of=any_of,
        all_of=all_of,
        none_of=none_of,
        only_media=only_media,
    )
    return paginate(with_relations(found), **page)  # type: ignore[arg-type]


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


def apply_filters(
    viewer: Account | None, statuses: list[Status], context: str
) -> tuple[list[Status], dict[int, list[str]]]:
    """The reader's filters of ``context`` applied to a page, as Mastodon's filters v2.

    Posts under a ``hide`` filter are left out; those under a ``warn`` filter stay, with
    the titles of the filters that matched (keyed by the shown status's id). The reader's
    own posts are never filtered; expired filters no longer apply.
    """
    from babillard.timelines.services import active_filters, match_filters

    filters = active_filters(viewer, context) if viewer is not None else []
    if not filters:
        return statuses, {}
    kept: list[Status] = []
    warned: dict[int, list[str]] = {}
    for status in statuses:
        if viewer is not None and (status.reblog or status).account_id == viewer.pk:
            kept.append(status)
            continue
        matches = match_filters(filters, status)
        if any(m.filter.action == "hide" for m in matches):
            continue
        if matches:
            warned[status.pk] = [m.filter.title for m in matches]
        kept.append(status)
    return kept, warned
