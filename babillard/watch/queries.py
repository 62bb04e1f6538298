"""Reads of watch shared by the pages, the API and the feeds: antennas and what they
caught, outside feeds and their items, the deck's columns."""

from typing import Any

from django.db.models import Q, QuerySet

from babillard.accounts.models import Account, Visibility
from babillard.core.errors import NotFound
from babillard.core.pagination import Page, paginate
from babillard.statuses.models import Status
from babillard.statuses.queries import visible_to, with_relations
from babillard.timelines.queries import without_hidden
from babillard.watch.columns import ColumnEntry, ColumnPage
from babillard.watch.models import Antenna, AntennaHit, Column, Source, SourceItem, Subscription


def number(value: Any) -> int:
    """An id from a path or a form; 0 (which no row has) when it is not a number."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return 0


def antennas(owner: Account) -> QuerySet[Antenna]:
    return Antenna.objects.filter(owner=owner).order_by("id")


def get_antenna(owner: Account, antenna_id: Any) -> Antenna:
    """One of the owner's antennas; ``NotFound`` for anybody else's."""
    found = Antenna.objects.filter(owner=owner, pk=number(antenna_id)).first()
    if found is None:
        raise NotFound(antenna_id)
    return found


def antenna_by_token(token: str) -> Antenna:
    found = (
        Antenna.objects.select_related("owner").filter(feed_token=token).first() if token else None
    )
    if found is None:
        raise NotFound(token)
    return found


def antenna_statuses(owner: Account, antenna: Antenna, **page: Any) -> Page[Status]:
    """The posts an antenna caught that its owner may still see, by post id."""
    caught = AntennaHit.objects.filter(antenna=antenna, status__isnull=False).values("status_id")
    found = Status.objects.filter(visible_to(owner), pk__in=caught)
    return paginate(with_relations(without_hidden(owner, found)), **page)


def antenna_entries(
    owner: Account, antenna: Antenna, *, public_only: bool = False, **page: Any
) -> ColumnPage:
    """Posts and outside items an antenna caught, newest first (a column, the feed).

    ``public_only`` keeps public and unlisted posts that may leave the instance: the
    secret-address feed is read by feed readers that may live on other services.
    """
    hidden_posts = Q(status__isnull=False) & ~Q(status__in=_visible(owner, public_only))
    hits = AntennaHit.objects.filter(antenna=antenna).exclude(hidden_posts)
    scanned = paginate(hits, key="key", **page)
    status_ids = [h.status_id for h in scanned.items if h.status_id]
    item_ids = [h.item_id for h in scanned.items if h.item_id]
    statuses = with_relations(Status.objects.filter(pk__in=status_ids)).in_bulk()
    items = SourceItem.objects.select_related("source").in_bulk(item_ids)
    entries = []
    for hit in scanned.items:
        if hit.status_id in statuses:
            entries.append(ColumnEntry(key=hit.key, status=statuses[hit.status_id]))
        elif hit.item_id in items:
            entries.append(ColumnEntry(key=hit.key, item=items[hit.item_id]))
    return ColumnPage(entries, scanned.newest_key, scanned.oldest_key)


def _visible(owner: Account, public_only: bool) -> QuerySet[Any]:
    found = without_hidden(owner, Status.objects.filter(visible_to(owner)))
    if public_only:
        found = found.filter(
            visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED], local_only=False
        )
    return found.values("pk")


def sources(owner: Account) -> QuerySet[Source]:
    return Source.objects.filter(subscriptions__account=owner).order_by("title", "id")


def get_source(owner: Account, source_id: Any) -> Source:
    """A feed the owner follows; ``NotFound`` otherwise."""
    found = sources(owner).filter(pk=number(source_id)).first()
    if found is None:
        raise NotFound(source_id)
    return found


def follows_source(owner: Account, source: Source) -> bool:
    return Subscription.objects.filter(account=owner, source=source).exists()


def source_items(owner: Account, source: Source, **page: Any) -> Page[SourceItem]:
    return paginate(SourceItem.objects.filter(source=source), **page)


def columns(owner: Account) -> list[Column]:
    return list(Column.objects.filter(owner=owner).order_by("position", "id"))


def get_column(owner: Account, column_id: Any) -> Column:
    found = Column.objects.filter(owner=owner, pk=number(column_id)).first()
    if found is None:
        raise NotFound(column_id)
    return found
