"""Reads about accounts and the relations between them, shared by every front door."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from babillard.accounts.models import (
    Account,
    AccountNote,
    Block,
    DismissedSuggestion,
    Endorsement,
    Follow,
    FollowRequest,
    Mute,
)
from babillard.core.errors import NotFound


def get_account(username: str, domain: str = "") -> Account:
    """An account by handle, or ``NotFound``; suspended accounts are not found."""
    try:
        return Account.objects.active().get(username__iexact=username, domain__iexact=domain)
    except Account.DoesNotExist:
        raise NotFound(username) from None


def get_account_by_id(account_id: int) -> Account:
    try:
        return Account.objects.active().get(pk=account_id)
    except (Account.DoesNotExist, ValueError):
        raise NotFound(account_id) from None


def get_local_account(username: str) -> Account:
    return get_account(username, "")


def hidden_account_ids(viewer: Account, *, for_notifications: bool = False) -> set[int]:
    """Accounts hidden from the viewer: blocked either way, muted, or on a server it hides.

    For notifications, a mute hides only when it was made with its notifications.
    """
    ids: set[int] = set()
    for account_id, target_id in Block.objects.filter(
        Q(account=viewer) | Q(target=viewer)
    ).values_list("account_id", "target_id"):
        ids.add(target_id if account_id == viewer.pk else account_id)
    mutes = Mute.objects.filter(account=viewer)
    if for_notifications:
        mutes = mutes.filter(hide_notifications=True)
    ids.update(
        mutes.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())).values_list(
            "target_id", flat=True
        )
    )
    from babillard.moderation.queries import hidden_domain_account_ids

    ids.update(hidden_domain_account_ids(viewer))
    return ids


def is_blocked_either_way(a: Account, b: Account) -> bool:
    return Block.objects.filter(Q(account=a, target=b) | Q(account=b, target=a)).exists()


def is_following(follower: Account | None, target: Account) -> bool:
    if follower is None:
        return False
    return Follow.objects.filter(account=follower, target=target).exists()


def followers(account: Account) -> QuerySet[Account]:
    return (
        Account.objects.active()
        .filter(following_rel__target=account)
        .order_by("-following_rel__created_at")
    )


def following(account: Account) -> QuerySet[Account]:
    return (
        Account.objects.active()
        .filter(follower_rel__account=account)
        .order_by("-follower_rel__created_at")
    )


def pending_follow_requests(account: Account) -> QuerySet[FollowRequest]:
    return (
        FollowRequest.objects.filter(target=account)
        .select_related("account")
        .order_by("-created_at")
    )


def can_see_collections(viewer: Account | None, account: Account) -> bool:
    """Followers and following lists are hidden from others when the owner chose so."""
    return not account.hide_collections or viewer == account


@dataclass
class Relationship:
    following: bool
    showing_reblogs: bool
    notifying: bool
    followed_by: bool
    blocking: bool
    blocked_by: bool
    muting: bool
    muting_notifications: bool
    requested: bool
    requested_by: bool
    # Shown only by the viewer's own apps: read by ``relationship_with_notes``.
    endorsed: bool = False
    note: str = ""
    domain_blocking: bool = False


def relationship(viewer: Account, target: Account) -> Relationship:
    from babillard.moderation.queries import blocks_domain

    follow = Follow.objects.filter(account=viewer, target=target).first()
    mute = (
        Mute.objects.filter(account=viewer, target=target)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()))
        .first()
    )
    return Relationship(
        following=follow is not None,
        showing_reblogs=bool(follow and follow.show_reblogs),
        notifying=bool(follow and follow.notify),
        followed_by=Follow.objects.filter(account=target, target=viewer).exists(),
        blocking=Block.objects.filter(account=viewer, target=target).exists(),
        blocked_by=Block.objects.filter(account=target, target=viewer).exists(),
        muting=mute is not None,
        muting_notifications=bool(mute and mute.hide_notifications),
        requested=FollowRequest.objects.filter(account=viewer, target=target).exists(),
        requested_by=FollowRequest.objects.filter(account=target, target=viewer).exists(),
        domain_blocking=blocks_domain(viewer, target.domain),
    )


def relationship_with_notes(viewer: Account, target: Account) -> Relationship:
    """The relationship, with the viewer's endorsement of ``target`` and private note on it."""
    found = relationship(viewer, target)
    found.endorsed = Endorsement.objects.filter(account=viewer, target=target).exists()
    found.note = (
        AccountNote.objects.filter(account=viewer, target=target)
        .values_list("comment", flat=True)
        .first()
        or ""
    )
    return found


def search_accounts(query: str, limit: int = 20) -> QuerySet[Account]:
    """Accounts by handle or display name, exact handles first."""
    query = query.strip().lstrip("@")
    username, _, domain = query.partition("@")
    matches = Account.objects.active().filter(
        Q(username__icontains=username) | Q(display_name__icontains=query)
    )
    if domain:
        matches = matches.filter(domain__icontains=domain)
    return matches.order_by("-followers_count", "username")[:limit]


def endorsed_accounts(account: Account) -> QuerySet[Account]:
    """The accounts ``account`` features on its profile, paged on the endorsement's id."""
    return Account.objects.active().filter(endorsed_by_rel__account=account)


def familiar_followers(viewer: Account, target: Account) -> QuerySet[Account]:
    """Accounts the viewer follows that follow ``target`` (hidden collections excepted)."""
    return (
        Account.objects.active()
        .filter(follower_rel__account=viewer, following_rel__target=target)
        .exclude(pk__in=[viewer.pk, target.pk])
        .exclude(Q(hide_collections=True))
        .distinct()
    )


@dataclass
class Suggestion:
    account: Account
    # Mastodon's reasons: "friends_of_followings" or "most_followed".
    reason: str


def suggestions(viewer: Account, limit: int = 40) -> list[Suggestion]:
    """Accounts to follow: those the viewer's follows follow most, then the most followed.

    Never the viewer, accounts already followed or requested, blocked or muted
    either way, suspended, undiscoverable, or dismissed ones.
    """
    excluded = set(hidden_account_ids(viewer)) | {viewer.pk}
    excluded |= set(Follow.objects.filter(account=viewer).values_list("target_id", flat=True))
    excluded |= set(
        FollowRequest.objects.filter(account=viewer).values_list("target_id", flat=True)
    )
    excluded |= set(
        DismissedSuggestion.objects.filter(account=viewer).values_list("target_id", flat=True)
    )
    candidates = Account.objects.active().filter(discoverable=True).exclude(pk__in=excluded)
    found: list[Suggestion] = []
    friends = (
        candidates.filter(follower_rel__account__follower_rel__account=viewer)
        .annotate(shared=Count("pk"))
        .order_by("-shared", "-followers_count", "pk")[:limit]
    )
    found += [Suggestion(a, "friends_of_followings") for a in friends]
    if len(found) < limit:
        popular = candidates.exclude(pk__in=[s.account.pk for s in found]).filter(
            followers_count__gt=0
        )
        found += [
            Suggestion(a, "most_followed")
            for a in popular.order_by("-followers_count", "pk")[: limit - len(found)]
        ]
    return found
