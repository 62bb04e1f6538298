"""Reading groups: the directory, members, moderators, the timeline and the queues."""

from typing import Any

from django.db.models import QuerySet

from babillard.accounts.models import Account, AccountKind, Follow, FollowRequest
from babillard.core import links
from babillard.core.errors import NotFound
from babillard.groups.models import Group, GroupPost, PostState
from babillard.statuses.models import Status
from babillard.statuses.queries import visible_to


def directory() -> QuerySet[Group]:
    """Every group of this instance, newest first."""
    return Group.objects.select_related("account").filter(account__suspended_at__isnull=True)


def get_group(username: str) -> Group:
    group = (
        Group.objects.select_related("account")
        .filter(account__username__iexact=username, account__domain="")
        .first()
    )
    if group is None:
        raise NotFound(username)
    return group


def members(group: Group) -> QuerySet[Account]:
    return Account.objects.filter(following_rel__target=group.account).order_by("username")


def join_requests(group: Group) -> QuerySet[Account]:
    return Account.objects.filter(
        pk__in=FollowRequest.objects.filter(target=group.account).values("account")
    ).order_by("username")


def moderators(group: Group) -> QuerySet[Account]:
    return Account.objects.filter(pk__in=group.moderators.values("account")).order_by("username")


def is_member(account: Account | None, group: Group) -> bool:
    return (
        account is not None
        and Follow.objects.filter(account=account, target=group.account).exists()
    )


def has_requested(account: Account | None, group: Group) -> bool:
    return (
        account is not None
        and FollowRequest.objects.filter(account=account, target=group.account).exists()
    )


def is_moderator(account: Account | None, group: Group) -> bool:
    return account is not None and group.moderators.filter(account=account).exists()


def is_invited(account: Account, group: Group) -> bool:
    return group.invitations.filter(account=account).exists()


def timeline(group: Group, viewer: Account | None) -> QuerySet[Status]:
    """The posts the group shared, as ``viewer`` may see them, newest first."""
    shared = GroupPost.objects.filter(group=group, state=PostState.ACCEPTED).values("status")
    return (
        Status.objects.filter(visible_to(viewer), pk__in=shared)
        .select_related("account")
        .order_by("-id")
    )


def pending_posts(group: Group) -> QuerySet[Status]:
    held = GroupPost.objects.filter(group=group, state=PostState.PENDING).values("status")
    return Status.objects.filter(pk__in=held).select_related("account").order_by("-id")


def group_of(account: Account) -> Group | None:
    if account.kind != AccountKind.GROUP or not account.is_local:
        return None
    return Group.objects.filter(account=account).first()


def actor_properties(account: Account) -> dict[str, Any]:
    """What a ``Group`` actor document adds (FEP-1b12, as Lemmy reads it)."""
    group = group_of(account)
    if group is None:
        return {}
    moderators_url = links.absolute(f"/groups/{account.username}/moderators")
    return {
        "attributedTo": moderators_url,
        "moderators": moderators_url,
        "postingRestrictedToMods": False,
    }
