"""Who may see a status: one Python rule and the same rule as a SQL filter.

Every surface (pages, API, feeds, search, notifications, federation) uses
``can_see`` for one status and ``visible_to`` for a query set, so there is one
place to get visibility right.

- public and unlisted: everyone, unless a block stands between author and viewer;
- followers-only (``private``): the author, their followers, the people mentioned;
- direct: the author and the people mentioned;
- local-only posts never leave this instance and are hidden from anonymous visitors;
- internal (staff-only) posts: the members of the institution named in ``internal_to``
  and that institution's account, nobody else (not even a mentioned outsider); the
  membership rule is ``institutions.queries.internal_audience``;
- suspended authors' posts are hidden from everyone.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet

from babillard.accounts.models import Account, Block, Follow, Visibility
from babillard.core.errors import NotFound
from babillard.statuses.models import (
    ConversationMute,
    ConversationState,
    FeaturedTag,
    Mention,
    Quote,
    QuotePolicy,
    QuoteState,
    ReplyPolicy,
    Status,
    Tag,
)

PUBLICLY_LISTED = [Visibility.PUBLIC, Visibility.UNLISTED]


def visible_to(viewer: Account | None) -> Q:
    """The visibility rule as a filter on ``Status``."""
    shown = Q(account__suspended_at__isnull=True)
    if viewer is None:
        return shown & Q(visibility__in=PUBLICLY_LISTED, local_only=False)
    blocks = Block.objects.filter(
        Q(account=viewer, target=OuterRef("account"))
        | Q(account=OuterRef("account"), target=viewer)
    )
    follows = Follow.objects.filter(account=viewer, target=OuterRef("account"))
    mentioned = Mention.objects.filter(account=viewer, status=OuterRef("pk"))
    audience = (
        Q(visibility__in=PUBLICLY_LISTED)
        | Q(account=viewer)
        | Q(Exists(mentioned))
        | Q(visibility=Visibility.PRIVATE) & Q(Exists(follows))
    )
    from babillard.institutions.queries import internal_audience

    internal = Q(visibility=Visibility.INTERNAL)
    audience = (audience & ~internal) | (internal & internal_audience(viewer))
    if not viewer.is_local:
        shown &= Q(local_only=False)
    return shown & audience & ~Q(Exists(blocks))


def can_see(viewer: Account | None, status: Status) -> bool:
    """The visibility rule for one status; a boost is visible when its original is."""
    if status.reblog is not None and not can_see(viewer, status.reblog):
        return False
    author = status.account
    if author.is_suspended:
        return False
    if viewer is None:
        return status.visibility in PUBLICLY_LISTED and not status.local_only
    if status.local_only and not viewer.is_local:
        return False
    if status.visibility == Visibility.INTERNAL:
        from babillard.institutions.queries import in_internal_audience

        if not in_internal_audience(viewer, status.internal_to_id):
            return False
    elif viewer.pk == author.pk:
        return True
    if Block.objects.filter(
        Q(account=viewer, target=author) | Q(account=author, target=viewer)
    ).exists():
        return False
    if status.visibility in PUBLICLY_LISTED or status.visibility == Visibility.INTERNAL:
        return True
    if Mention.objects.filter(status=status, account=viewer).exists():
        return True
    return (
        status.visibility == Visibility.PRIVATE
        and Follow.objects.filter(account=viewer, target=author).exists()
    )


# Rendering never needs an account's keys; each PEM pair is kilobytes per joined row.
JOINED_ACCOUNTS = (
    "account",
    "reblog__account",
    "in_reply_to_account",
    "quote__quoted_status__account",
    "reblog__quote__quoted_status__account",
)
ACCOUNT_KEYS = ("private_key", "public_key")


def with_relations(statuses: QuerySet[Status]) -> QuerySet[Status]:
    """Load what rendering a status needs in a fixed number of queries."""
    return (
        statuses.select_related(
            "account",
            "reblog",
            "reblog__account",
            "in_reply_to_account",
            "poll",
            "reblog__poll",
            # A quote and the post it quotes, with its author (shown inside the quote).
            "quote__quoted_status__account",
            "reblog__quote__quoted_status__account",
        )
        .defer(*(f"{account}__{key}" for account in JOINED_ACCOUNTS for key in ACCOUNT_KEYS))
        .prefetch_related(
            "media",
            "reblog__media",
            "mentions__account",
            "reblog__mentions__account",
            "tags",
            "reblog__tags",
        )
    )


def visible_statuses(viewer: Account | None) -> QuerySet[Status]:
    return Status.objects.filter(visible_to(viewer))


def get_visible_status(viewer: Account | None, status_id: int | str) -> Status:
    """A status the viewer may see, or ``NotFound`` whether it is missing or hidden."""
    try:
        status = with_relations(Status.objects.all()).get(pk=int(status_id))
    except (Status.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(status_id) from None
    if not can_see(viewer, status):
        raise NotFound(status_id)
    return status


def thread(viewer: Account | None, status: Status) -> tuple[list[Status], list[Status]]:
    """Ancestors (oldest first) and descendants (in reply order) the viewer may see."""
    ancestors: list[Status] = []
    parent_id = status.in_reply_to_id
    seen = {status.pk}
    while parent_id and parent_id not in seen and len(ancestors) < 100:
        seen.add(parent_id)
        parent = with_relations(visible_statuses(viewer)).filter(pk=parent_id).first()
        if parent is None:
            break
        ancestors.insert(0, parent)
        parent_id = parent.in_reply_to_id
    root = status.thread_root_id or status.pk
    candidates = with_relations(
        visible_statuses(viewer).filter(Q(thread_root_id=root), id__gt=status.pk)
    ).order_by("id")
    descendants: list[Status] = []
    included = {status.pk}
    for candidate in candidates:
        if candidate.in_reply_to_id in included:
            descendants.append(candidate)
            included.add(candidate.pk)
    return ancestors, _depth_first(status.pk, descendants)


def _depth_first(root_id: int, replies: list[Status]) -> list[Status]:
    children: dict[int, list[Status]] = {}
    for reply in replies:
        children.setdefault(reply.in_reply_to_id or 0, []).append(reply)
    ordered: list[Status] = []
    stack = list(reversed(children.get(root_id, [])))
    while stack:
        current = stack.pop()
        ordered.append(current)
        stack.extend(reversed(children.get(current.pk, [])))
    return ordered


def account_statuses(
    viewer: Account | None,
    account: Account,
    *,
    with_replies: bool = False,
    only_media: bool = False,
    exclude_reblogs: bool = False,
) -> QuerySet[Status]:
    found = visible_statuses(viewer).filter(account=account)
    if not with_replies:
        found = found.filter(Q(in_reply_to__isnull=True) | Q(in_reply_to_account=account))
    if only_media:
        found = found.filter(media__isnull=False, reblog__isnull=True).distinct()
    if exclude_reblogs:
        found = found.filter(reblog__isnull=True)
    return with_relations(found).order_by("-id")


def interactions(viewer: Account | None, statuses: list[Status]) -> dict[str, set[int]]:
    """Which of these statuses the viewer favourited, boosted, bookmarked or pinned."""
    from babillard.statuses.models import Bookmark, Favourite, Pin

    if viewer is None:
        return {"favourited": set(), "reblogged": set(), "bookmarked": set(), "pinned": set()}
    ids = {s.reblog_id or s.pk for s in statuses}
    return {
        "favourited": set(
            Favourite.objects.filter(account=viewer, status_id__in=ids).values_list(
                "status_id", flat=True
            )
        ),
        "reblogged": set(
            Status.objects.filter(account=viewer, reblog_id__in=ids).values_list(
                "reblog_id", flat=True
            )
        ),
        "bookmarked": set(
            Bookmark.objects.filter(account=viewer, status_id__in=ids).values_list(
                "status_id", flat=True
            )
        ),
        "pinned": set(
            Pin.objects.filter(account=viewer, status_id__in=ids).values_list(
                "status_id", flat=True
            )
        ),
    }


def muted_statuses(viewer: Account | None, statuses: list[Status]) -> set[int]:
    """Which of these statuses (and their boosted originals) are in a thread the viewer muted."""
    if viewer is None:
        return set()
    shown = [status for s in statuses for status in (s, s.reblog or s)]
    threads = {status.thread_root_id or status.pk for status in shown}
    muted = set(
        ConversationMute.objects.filter(account=viewer, thread_root_id__in=threads).values_list(
            "thread_root_id", flat=True
        )
    )
    return {status.pk for status in shown if (status.thread_root_id or status.pk) in muted}


def thread_muted(account: Account, status: Status) -> bool:
    """Whether ``account`` muted the conversation ``status`` belongs to."""
    return ConversationMute.objects.filter(
        account=account, thread_root_id=status.thread_root_id or status.pk
    ).exists()


@dataclass
class FeaturedTagStats:
    featured: FeaturedTag
    statuses_count: int
    last_status_at: datetime | None


def featured_tags(account: Account) -> list[FeaturedTagStats]:
    """The hashtags ``account`` features, with its public posts using each."""
    found = []
    for featured in FeaturedTag.objects.filter(account=account).select_related("tag"):
        posts = Status.objects.filter(
            account=account,
            tags=featured.tag,
            reblog__isnull=True,
            visibility__in=[Visibility.PUBLIC, Visibility.UNLISTED],
        ).aggregate(count=Count("pk"), last=Max("created_at"))
        found.append(FeaturedTagStats(featured, posts["count"], posts["last"]))
    return found


def featured_tag_suggestions(account: Account, limit: int = 10) -> QuerySet[Tag]:
    """Hashtags of the account's recent posts that it does not feature yet."""
    recent = Status.objects.filter(account=account, reblog__isnull=True).order_by("-id")[:200]
    return (
        Tag.objects.filter(statuses__in=recent.values("pk"))
        .exclude(pk__in=FeaturedTag.objects.filter(account=account).values("tag_id"))
        .distinct()[:limit]
    )


def removed_conversations(account: Account, roots: list[int]) -> dict[int, int]:
    """For these threads, the post up to which ``account`` removed each from its list."""
    return dict(
        ConversationState.objects.filter(
            account=account, thread_root_id__in=roots, removed_up_to__gt=0
        ).values_list("thread_root_id", "removed_up_to")
    )


def conversation_read_up_to(account: Account, root: int) -> int:
    found = (
        ConversationState.objects.filter(account=account, thread_root_id=root)
        .values_list("read_up_to", flat=True)
        .first()
    )
    return found or 0


# Quotes and reply policies ------------------------------------------------------------

# Mastodon's ``quote_approval.current_user`` values.
AUTOMATIC, DENIED = "automatic", "denied"


def quote_approval(
    viewer: Account | None,
    status: Status,
    *,
    follows: bool | None = None,
    blocked: bool | None = None,
) -> str:
    """Whether ``viewer`` may quote ``status`` and have it approved at once, as Mastodon 4.5.

    The author may always quote their own post (except a private mention); nobody
    quotes a private mention or a boost; blocked people never; otherwise the post's
    quote policy decides (``followers``: the author's followers). ``follows`` and
    ``blocked`` may be given when the caller knows them already (a page of posts).
    """
    if viewer is None or status.is_reblog or status.visibility == Visibility.DIRECT:
        return DENIED
    if viewer.pk == status.account_id:
        return AUTOMATIC
    if blocked is None:
        blocked = Block.objects.filter(
            Q(account=viewer, target_id=status.account_id)
            | Q(account_id=status.account_id, target=viewer)
        ).exists()
    if blocked:
        return DENIED
    if status.quote_policy == QuotePolicy.PUBLIC:
        return AUTOMATIC
    if status.quote_policy == QuotePolicy.FOLLOWERS:
        if follows is None:
            follows = Follow.objects.filter(account=viewer, target_id=status.account_id).exists()
        return AUTOMATIC if follows else DENIED
    return DENIED


def may_reply(account: Account, status: Status) -> bool:
    """The post's reply policy: the author and the people it mentions may always reply."""
    if account.pk == status.account_id or status.reply_policy == ReplyPolicy.ANYONE:
        return True
    if Mention.objects.filter(status=status, account=account).exists():
        return True
    return (
        status.reply_policy == ReplyPolicy.FOLLOWING
        and Follow.objects.filter(account_id=status.account_id, target=account).exists()
    )


def quotes_of(viewer: Account | None, status: Status) -> QuerySet[Status]:
    """The posts quoting ``status`` with its author's approval that ``viewer`` may see."""
    return with_relations(
        visible_statuses(viewer).filter(
            quote__quoted_status=status, quote__state=QuoteState.ACCEPTED
        )
    ).order_by("-id")


def quotes_for_review(author: Account) -> QuerySet[Quote]:
    """Quotes of ``author``'s posts, pending and approved, newest first (to revoke them)."""
    return (
        Quote.objects.filter(
            quoted_status__account=author, state__in=[QuoteState.PENDING, QuoteState.ACCEPTED]
        )
        .select_related("status__account", "quoted_status")
        .order_by("-status_id")
    )


def shown_quote(viewer: Account | None, quote: Quote) -> tuple[str, Status | None]:
    """How a quote shows to ``viewer``: Mastodon's state and the quoted post when shown.

    Only an approved quote of a post the viewer may see shows it; an approved quote
    of a deleted post is ``deleted``, of a hidden one ``unauthorized``.
    """
    if quote.state != QuoteState.ACCEPTED:
        return quote.state, None
    quoted = quote.quoted_status
    if quoted is None:
        return "deleted", None
    if not can_see(viewer, quoted):
        return "unauthorized", None
    return QuoteState.ACCEPTED, quoted


@dataclass
class QuoteContext:
    """What rendering the quotes and quote policies of a page of posts needs, loaded once."""

    quotes: dict[int, Quote]
    followed: set[int]


def quote_context(viewer: Account | None, statuses: list[Status]) -> QuoteContext:
    quotes: dict[int, Quote] = {}
    missing = []
    for status in statuses:
        if not Status.quote.is_cached(status):  # loaded by ``with_relations``
            missing.append(status.pk)
            continue
        try:
            quotes[status.pk] = status.quote
        except Quote.DoesNotExist:
            continue
    if missing:
        found = Quote.objects.filter(status_id__in=missing).select_related("quoted_status__account")
        quotes.update({q.status_id: q for q in found})
    if viewer is None:
        return QuoteContext(quotes, set())
    # Only the authors of followers-quotable posts matter. A page shows no post across a
    # block (``can_see``), so its callers pass ``blocked=False`` to ``quote_approval``.
    authors = {
        s.account_id
        for s in statuses
        if s.quote_policy == QuotePolicy.FOLLOWERS and s.account_id != viewer.pk
    }
    followed = set()
    if authors:
        followed = set(
            Follow.objects.filter(account=viewer, target_id__in=authors).values_list(
                "target_id", flat=True
            )
        )
    return QuoteContext(quotes, followed)
