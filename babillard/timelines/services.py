"""Home-feed fan-out, backfill and purge, lists, filters: the writes of the timelines domain."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from babillard.accounts.models import Account, Block, Follow, Mute, Visibility
from babillard.core import streaming
from babillard.core.errors import NotFound
from babillard.statuses.models import Status
from babillard.timelines.models import (
    Filter,
    FilterAction,
    FilterContext,
    FilterKeyword,
    FilterStatus,
    HomeFeedEntry,
    List,
    RepliesPolicy,
    TagFollow,
)

BACKFILL_SIZE = 40
# Each insertion trims its feed back to HOME_FEED_MAX with a chance of one in this many,
# spread over the recipients so that no single post pays for trimming thousands of feeds.
TRIM_EVERY = 32


def _recipients(status: Status) -> set[int]:
    """Local accounts whose home feed gets this post or boost, as Mastodon decides.

    Followers get a post unless it is direct; a reply reaches only followers who
    also follow the account replied to; the mentioned always get direct posts
    and replies; boosts skip followers who hid the booster's boosts.
    """
    author = status.account
    original = status.reblog or status
    owners: set[int] = {author.pk} if author.is_local else set()
    if status.visibility != Visibility.DIRECT:
        follows = Follow.objects.filter(target=author, account__domain="")
        if status.is_reblog:
            follows = follows.filter(show_reblogs=True)
        followers = set(follows.values_list("account_id", flat=True))
        if (
            original.in_reply_to_account_id
            and original.in_reply_to_account_id != original.account_id
        ):
            followers &= set(
                Follow.objects.filter(
                    target_id=original.in_reply_to_account_id, account__domain=""
                ).values_list("account_id", flat=True)
            )
        owners |= followers
    if not status.is_reblog:
        owners |= set(
            status.mentions.filter(account__domain="").values_list("account_id", flat=True)
        )
        if status.visibility == Visibility.PUBLIC:
            # Followers of the post's hashtags get it too, as Mastodon's followed tags do.
            owners |= set(
                TagFollow.objects.filter(tag__in=status.tags.all(), account__domain="").values_list(
                    "account_id", flat=True
                )
            )
    if status.visibility == Visibility.INTERNAL and status.internal_to_id is not None:
        from babillard.institutions.queries import internal_audience_ids

        owners &= internal_audience_ids(status.internal_to_id)
    from babillard.moderation.queries import readers_hiding_domain_of

    hiding = _readers_hiding(author.pk, original.account_id)
    if status.visibility != Visibility.DIRECT:
        mentioned = set(
            original.mentions.filter(account__domain="").values_list("account_id", flat=True)
        )
        hiding |= readers_folding(author.pk) - mentioned
    return owners - hiding - readers_hiding_domain_of(author, original.account)


def readers_folding(author_id: int) -> set[int]:
    """Readers whose home leaves out this author's posts and boosts (unless mentioned).

    Members of an exclusive list are read in that list only, as Mastodon's
    ``exclusive`` lists; readers who glance at an author see a daily summary line
    instead; an author marked close stays in home whatever the lists say.
    """
    from babillard.triage.queries import readers_glancing, readers_keeping

    exclusive = set(
        List.objects.filter(exclusive=True, members=author_id).values_list("owner_id", flat=True)
    )
    return (exclusive - readers_keeping(author_id)) | readers_glancing(author_id)


def _readers_hiding(*authors: int) -> set[int]:
    """Readers who blocked, were blocked by, or muted one of these authors.

    Asked from the authors' side, so the query reads a handful of rows however
    many followers the post reaches.
    """
    blockers = Block.objects.filter(target_id__in=authors).values_list("account_id", flat=True)
    blocked = Block.objects.filter(account_id__in=authors).values_list("target_id", flat=True)
    muters = (
        Mute.objects.filter(target_id__in=authors)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .values_list("account_id", flat=True)
    )
    return {*blockers, *blocked, *muters}


def fan_out(status: Status) -> int:
    """Insert a post or boost into its local recipients' home feeds; idempotent."""
    original = status.reblog or status
    owners = _recipients(status)
    if status.is_reblog:
        owners -= set(
            HomeFeedEntry.objects.filter(status_id=original.pk).values_list("owner_id", flat=True)
        )
    HomeFeedEntry.objects.bulk_create(
        [
            HomeFeedEntry(owner_id=o, status_id=status.pk, origin_account_id=original.account_id)
            for o in owners
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    for owner_id in owners:
        if (owner_id + status.pk) % TRIM_EVERY == 0:
            trim_feed(owner_id)
    _publish_status(status, owners)
    return len(owners)


def _publish_status(status: Status, owners: set[int]) -> None:
    """Tell live readers about a new post or boost: home feeds, public, hashtag, list streams."""
    streams: list[str] = []
    if status.visibility == Visibility.DIRECT:
        streams += [f"direct:{owner_id}" for owner_id in owners]
    streams += [f"user:{owner_id}" for owner_id in owners]
    if status.visibility != Visibility.DIRECT:
        for list_id, owner_id in List.objects.filter(members=status.account_id).values_list(
            "pk", "owner_id"
        ):
            if owner_id in owners:
                streams.append(f"list:{list_id}")
    if status.visibility == Visibility.PUBLIC and not status.is_reblog:
        streams.append("public")
        if status.local:
            streams.append("public:local")
        for name in status.tags.values_list("name", flat=True):
            streams.append(f"hashtag:{name}")
            if status.local:
                streams.append(f"hashtag:local:{name}")
    streaming.publish_many((stream, "update", status.pk) for stream in streams)


def trim_feed(owner_id: int) -> None:
    cutoff = (
        HomeFeedEntry.objects.filter(owner_id=owner_id)
        .order_by("-status_id")
        .values_list("status_id", flat=True)[settings.HOME_FEED_MAX : settings.HOME_FEED_MAX + 1]
    )
    oldest_kept = list(cutoff)
    if oldest_kept:
        HomeFeedEntry.objects.filter(owner_id=owner_id, status_id__lte=oldest_kept[0]).delete()


def backfill(owner: Account, followed: Account) -> None:
    """After a follow, bring the followed account's recent posts into the home feed."""
    from babillard.statuses.queries import visible_to

    if owner.pk in readers_folding(followed.pk):
        return
    recent = (
        Status.objects.filter(visible_to(owner), account=followed)
        .exclude(visibility=Visibility.DIRECT)
        .filter(Q(in_reply_to_account__isnull=True) | Q(in_reply_to_account=followed))
        .order_by("-id")
        .values_list("id", "reblog__account_id")[:BACKFILL_SIZE]
    )
    HomeFeedEntry.objects.bulk_create(
        [
            HomeFeedEntry(owner=owner, status_id=sid, origin_account_id=origin or followed.pk)
            for sid, origin in recent
        ],
        ignore_conflicts=True,
    )


def purge_account_from_feed(owner: Account, removed: Account) -> None:
    """After an unfollow or block: drop the account's posts and boosts from the feed."""
    HomeFeedEntry.objects.filter(owner=owner).filter(
        Q(origin_account=removed) | Q(status__account=removed)
    ).delete()


def fold_author(owner: Account, author: Account) -> None:
    """Take an author's posts and boosts out of one reader's home (exclusive list, glance)."""
    HomeFeedEntry.objects.filter(owner=owner, status__account=author).delete()


def _list_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationError(_("A list needs a title."), code="blank")
    if len(title) > 100:
        raise ValidationError(_("A list title has at most 100 characters."), code="too_long")
    return title


def _replies_policy(replies_policy: str) -> str:
    if replies_policy not in RepliesPolicy.values:
        raise ValidationError(_("Unknown replies policy."), code="invalid")
    return replies_policy


def create_list(
    owner: Account, title: str, replies_policy: str = "list", exclusive: bool = False
) -> List:
    return List.objects.create(
        owner=owner,
        title=_list_title(title),
        replies_policy=_replies_policy(replies_policy),
        exclusive=exclusive,
    )


def add_to_list(owner: Account, timeline: List, accounts: list[Account]) -> None:
    if timeline.owner_id != owner.pk:
        raise ValidationError(_("This list is not yours."), code="owner")
    followed = set(Follow.objects.filter(account=owner).values_list("target_id", flat=True))
    if any(a.pk not in followed for a in accounts):
        raise ValidationError(
            _("You can only add accounts you follow to a list."), code="not_followed"
        )
    timeline.members.add(*accounts)
    if timeline.exclusive:
        for account in accounts:
            if owner.pk in readers_folding(account.pk):
                fold_author(owner, account)


def remove_from_list(owner: Account, timeline: List, accounts: list[Account]) -> None:
    if timeline.owner_id != owner.pk:
        raise ValidationError(_("This list is not yours."), code="owner")
    timeline.members.remove(*accounts)


def delete_list(owner: Account, timeline: List) -> None:
    if timeline.owner_id != owner.pk:
        raise ValidationError(_("This list is not yours."), code="owner")
    timeline.delete()


def update_list(
    owner: Account,
    timeline: List,
    *,
    title: str | None = None,
    replies_policy: str | None = None,
    exclusive: bool | None = None,
) -> List:
    if timeline.owner_id != owner.pk:
        raise ValidationError(_("This list is not yours."), code="owner")
    if title is not None:
        timeline.title = _list_title(title)
    if replies_policy is not None:
        timeline.replies_policy = _replies_policy(replies_policy)
    changed = exclusive is not None and exclusive != timeline.exclusive
    if exclusive is not None:
        timeline.exclusive = exclusive
    timeline.save()
    if changed:
        _refold_members(owner, timeline)
    return timeline


def _refold_members(owner: Account, timeline: List) -> None:
    """A list became exclusive or stopped being: its members leave home or come back."""
    followed = set(Follow.objects.filter(account=owner).values_list("target_id", flat=True))
    for member in timeline.members.all():
        if owner.pk in readers_folding(member.pk):
            fold_author(owner, member)
        elif member.pk in followed:
            backfill(owner, member)


# Filters: keywords and posts a reader hides, or puts behind a warning, in chosen contexts.

MAX_FILTER_KEYWORDS = 50


def _check_filter_fields(title: str | None, contexts: list[str] | None, action: str | None) -> None:
    if title is not None and not title.strip():
        raise ValidationError(_("A filter needs a title."), code="blank")
    if title is not None and len(title) > 100:
        raise ValidationError(_("A filter title has at most 100 characters."), code="too_long")
    if contexts is not None and (
        not contexts or any(c not in FilterContext.values for c in contexts)
    ):
        raise ValidationError(
            _("Choose where the filter applies: home, notifications, public, thread or account."),
            code="context",
        )
    if action is not None and action not in FilterAction.values:
        raise ValidationError(_("A filter either warns or hides."), code="action")


def _check_keyword(keyword: str) -> str:
    keyword = keyword.strip()
    if not keyword:
        raise ValidationError(_("A filtered keyword cannot be empty."), code="blank")
    if len(keyword) > 100:
        raise ValidationError(_("A filtered keyword has at most 100 characters."), code="too_long")
    return keyword


def _expiry(expires_in: int | None) -> datetime | None:
    if expires_in is None:
        return None
    if expires_in <= 0:
        raise ValidationError(_("A filter's duration must be positive."), code="invalid")
    return timezone.now() + timedelta(seconds=expires_in)


def _own_filter(owner: Account, found: Filter) -> None:
    if found.owner_id != owner.pk:
        raise NotFound(found.pk)


def create_filter(
    owner: Account,
    title: str,
    contexts: list[str],
    *,
    action: str = FilterAction.WARN,
    expires_in: int | None = None,
    keywords: Sequence[tuple[str, bool]] = (),
) -> Filter:
    _check_filter_fields(title, contexts, action)
    if len(keywords) > MAX_FILTER_KEYWORDS:
        raise ValidationError(_("A filter has at most 50 keywords."), code="too_many")
    cleaned = [(_check_keyword(k), whole) for k, whole in keywords]
    with transaction.atomic():
        created = Filter.objects.create(
            owner=owner,
            title=title.strip(),
            contexts=list(dict.fromkeys(contexts)),
            action=action,
            expires_at=_expiry(expires_in),
        )
        FilterKeyword.objects.bulk_create(
            [FilterKeyword(filter=created, keyword=k, whole_word=w) for k, w in cleaned]
        )
    return created


KEEP = object()


def update_filter(
    owner: Account,
    found: Filter,
    *,
    title: str | None = None,
    contexts: list[str] | None = None,
    action: str | None = None,
    expires_in: Any = KEEP,
    keyword_changes: Sequence[dict[str, Any]] = (),
) -> Filter:
    """Change a filter; ``keyword_changes`` adds (no id), edits (id) or removes (destroy)."""
    _own_filter(owner, found)
    _check_filter_fields(title, contexts, action)
    with transaction.atomic():
        if title is not None:
            found.title = title.strip()
        if contexts is not None:
            found.contexts = list(dict.fromkeys(contexts))
        if action is not None:
            found.action = action
        if expires_in is not KEEP:
            found.expires_at = _expiry(expires_in)
        found.save()
        for change in keyword_changes:
            keyword_id = change.get("id")
            if keyword_id:
                keyword = FilterKeyword.objects.filter(filter=found, pk=keyword_id).first()
                if keyword is None:
                    raise NotFound(keyword_id)
                if change.get("destroy"):
                    keyword.delete()
                    continue
                update_filter_keyword(
                    owner,
                    keyword,
                    keyword=change.get("keyword"),
                    whole_word=change.get("whole_word"),
                )
            elif not change.get("destroy"):
                add_filter_keyword(
                    owner,
                    found,
                    str(change.get("keyword", "")),
                    bool(change.get("whole_word", True)),
                )
    return found


def delete_filter(owner: Account, found: Filter) -> None:
    _own_filter(owner, found)
    found.delete()


def add_filter_keyword(
    owner: Account, found: Filter, keyword: str, whole_word: bool = True
) -> FilterKeyword:
    _own_filter(owner, found)
    if found.keywords.count() >= MAX_FILTER_KEYWORDS:
        raise ValidationError(_("A filter has at most 50 keywords."), code="too_many")
    return FilterKeyword.objects.create(
        filter=found, keyword=_check_keyword(keyword), whole_word=whole_word
    )


def update_filter_keyword(
    owner: Account,
    item: FilterKeyword,
    *,
    keyword: str | None = None,
    whole_word: bool | None = None,
) -> FilterKeyword:
    _own_filter(owner, item.filter)
    if keyword is not None:
        item.keyword = _check_keyword(keyword)
    if whole_word is not None:
        item.whole_word = whole_word
    item.save()
    return item


def delete_filter_keyword(owner: Account, item: FilterKeyword) -> None:
    _own_filter(owner, item.filter)
    item.delete()


def add_filter_status(owner: Account, found: Filter, status: Status) -> FilterStatus:
    from babillard.statuses.queries import can_see

    _own_filter(owner, found)
    if not can_see(owner, status):
        raise NotFound(status.pk)
    item, _created = FilterStatus.objects.get_or_create(
        filter=found, status=status.reblog or status
    )
    return item


def delete_filter_status(owner: Account, item: FilterStatus) -> None:
    _own_filter(owner, item.filter)
    item.delete()


@dataclass
class FilterMatch:
    filter: Filter
    keyword_matches: list[str]
    status_matches: list[str]


def active_filters(owner: Account, context: str | None = None) -> list[Filter]:
    """The reader's filters that have not expired, for one context or all."""
    found = (
        Filter.objects.filter(owner=owner)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .prefetch_related("keywords", "statuses")
        .order_by("pk")
    )
    return [f for f in found if context is None or context in f.contexts]


def _keyword_matches(keyword: FilterKeyword, text: str) -> bool:
    if keyword.whole_word:
        pattern = r"(?<!\w)" + re.escape(keyword.keyword) + r"(?!\w)"
        return re.search(pattern, text, re.IGNORECASE) is not None
    return keyword.keyword.casefold() in text.casefold()


def match_filters(filters: list[Filter], status: Status) -> list[FilterMatch]:
    """Which of these filters a post (or the post a boost carries) falls under."""
    from babillard.statuses.formatting import plain_text

    original = status.reblog or status
    text = "\n".join(
        [original.spoiler_text, plain_text(original.content)]
        + [m.description for m in original.media.all()]
    )
    matches = []
    for found in filters:
        words = [k.keyword for k in found.keywords.all() if _keyword_matches(k, text)]
        posts = [str(s.pk) for s in found.statuses.all() if s.status_id == original.pk]
        if words or posts:
            matches.append(FilterMatch(found, words, posts))
    return matches


def follow_tag(account: Account, name: str) -> TagFollow:
    """Follow a hashtag; its next public posts come into the home feed."""
    from babillard.statuses.services import get_or_create_tag

    name = name.strip().lstrip("#")
    if not name or not re.fullmatch(r"\w+", name):
        raise ValidationError(_("This is not a hashtag."), code="invalid")
    follow, _created = TagFollow.objects.get_or_create(account=account, tag=get_or_create_tag(name))
    return follow


def unfollow_tag(account: Account, name: str) -> None:
    TagFollow.objects.filter(
        account=account, tag__name=name.strip().lstrip("#").casefold()
    ).delete()
