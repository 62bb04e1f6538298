"""Topic groups: create, join (open, approval, invitation), leave, post, moderate.

Membership is a follow of the group's actor, so remote members (Mastodon, Lemmy,
Friendica, other Babillards) join with an ordinary ``Follow`` and receive the
group's boosts. Moderators are local accounts recorded here.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from babillard.accounts import services as accounts
from babillard.accounts.models import Account, AccountKind, Follow, Visibility
from babillard.core.errors import Forbidden, NotFound
from babillard.groups import queries
from babillard.groups.models import Group, GroupPost, Invitation, JoinMode, Moderator, PostState
from babillard.statuses import services as statuses
from babillard.statuses.models import Status

SHAREABLE = (Visibility.PUBLIC, Visibility.UNLISTED)


def create_group(
    creator: Account,
    username: str,
    *,
    display_name: str = "",
    description: str = "",
    rules: str = "",
    join_mode: str = JoinMode.OPEN,
    hold_posts: bool = False,
) -> Group:
    """A new group, its actor, and its creator as first member and moderator."""
    if not creator.is_local:
        raise ValidationError(_("Only local accounts create groups."), code="invalid")
    if join_mode not in JoinMode.values:
        raise ValidationError(_("Unknown way of joining a group."), code="invalid")
    with transaction.atomic():
        actor = accounts.create_local_actor(
            username, display_name=display_name, note=description, kind=AccountKind.GROUP, bot=False
        )
        group = Group.objects.create(
            account=actor, rules=rules.strip(), join_mode=join_mode, hold_posts=hold_posts
        )
        Moderator.objects.create(group=group, account=creator)
        accounts.follow(creator, actor)
        if join_mode != JoinMode.OPEN:
            accounts.update_profile(actor, locked=True)
    return group


def update_group(
    moderator: Account,
    group: Group,
    *,
    display_name: str | None = None,
    description: str | None = None,
    rules: str | None = None,
    join_mode: str | None = None,
    hold_posts: bool | None = None,
) -> Group:
    check_moderator(moderator, group)
    if join_mode is not None and join_mode not in JoinMode.values:
        raise ValidationError(_("Unknown way of joining a group."), code="invalid")
    with transaction.atomic():
        profile: dict[str, object] = {}
        if display_name is not None:
            profile["display_name"] = display_name
        if description is not None:
            profile["note"] = description
        if join_mode is not None:
            group.join_mode = join_mode
            profile["locked"] = join_mode != JoinMode.OPEN
        if rules is not None:
            group.rules = rules.strip()
        if hold_posts is not None:
            group.hold_posts = hold_posts
        group.save()
        if profile:
            accounts.update_profile(group.account, **profile)
    return group


def check_moderator(account: Account, group: Group) -> None:
    if not queries.is_moderator(account, group):
        raise Forbidden(_("Only the group's moderators may do this."))


def join(account: Account, group: Group) -> bool:
    """Join, or ask to; True when ``account`` is a member at once."""
    if group.join_mode == JoinMode.INVITATION and not queries.is_invited(account, group):
        raise Forbidden(_("This group is open by invitation only."))
    with transaction.atomic():
        accounts.follow(account, group.account)
        if queries.is_invited(account, group) and queries.has_requested(account, group):
            accounts.accept_follow_request(group.account, account)
    return queries.is_member(account, group)


def receive_follow(group: Group, follower: Account, follow_uri: str) -> str:
    """A remote ``Follow`` of the group: refused, held for approval, or accepted."""
    from babillard.federation import outbox

    if group.join_mode == JoinMode.INVITATION and not queries.is_invited(follower, group):
        outbox.reject_refused_follow(group.account, follower, follow_uri)
        return "refused: invitation only"
    accounts.follow(follower, group.account, uri=follow_uri)
    if queries.is_invited(follower, group) and queries.has_requested(follower, group):
        accounts.accept_follow_request(group.account, follower)
    return "joined" if queries.is_member(follower, group) else "join requested"


def leave(account: Account, group: Group) -> None:
    with transaction.atomic():
        accounts.unfollow(account, group.account)
        group.moderators.filter(account=account).delete()


def invite(moderator: Account, group: Group, account: Account) -> Invitation:
    check_moderator(moderator, group)
    invitation, _created = Invitation.objects.get_or_create(group=group, account=account)
    return invitation


def approve_member(moderator: Account, group: Group, account: Account) -> None:
    check_moderator(moderator, group)
    accounts.accept_follow_request(group.account, account)


def reject_member(moderator: Account, group: Group, account: Account) -> None:
    check_moderator(moderator, group)
    accounts.reject_follow_request(group.account, account)


def remove_member(moderator: Account, group: Group, account: Account) -> None:
    """Moderators remove a member: the group rejects its follow (Mastodon's removal)."""
    check_moderator(moderator, group)
    if account == moderator:
        raise ValidationError(_("Leave the group instead of removing yourself."), code="self")
    if not Follow.objects.filter(account=account, target=group.account).exists():
        raise NotFound(account.pk)
    with transaction.atomic():
        accounts.remove_follower(group.account, account)
        group.moderators.filter(account=account).delete()
        group.invitations.filter(account=account).delete()


def add_moderator(moderator: Account, group: Group, account: Account) -> None:
    check_moderator(moderator, group)
    if not account.is_local:
        raise ValidationError(_("Moderators are accounts of this instance."), code="invalid")
    if not queries.is_member(account, group):
        raise ValidationError(_("Only a member can become a moderator."), code="invalid")
    Moderator.objects.get_or_create(group=group, account=account)


def remove_moderator(moderator: Account, group: Group, account: Account) -> None:
    check_moderator(moderator, group)
    if group.moderators.count() == 1 and queries.is_moderator(account, group):
        raise ValidationError(_("A group keeps at least one moderator."), code="last")
    group.moderators.filter(account=account).delete()


def post_to_group(author: Account, group: Group, text: str) -> Status:
    """A post written on the group page: a public post that mentions the group."""
    if not queries.is_member(author, group):
        raise Forbidden(_("Join the group to post in it."))
    if not text.strip():
        raise ValidationError(_("Write something to post."), code="blank")
    status = statuses.post_status(author, text=f"@{group.account.username} {text.strip()}")
    assert isinstance(status, Status)  # never scheduled
    return status


def receive_post(status_id: int) -> None:
    """Share a post mentioning local groups, for each group its author belongs to."""
    status = Status.objects.select_related("account").filter(pk=status_id).first()
    if status is None:
        return
    groups = Group.objects.select_related("account").filter(
        account__in=status.mentions.values("account")
    )
    for group in groups:
        submit(group, status)


def submit(group: Group, status: Status) -> GroupPost | None:
    """A post addressed to the group: shared at once, or held for the moderators.

    Only members' public and unlisted posts count; others are ignored (None).
    """
    if status.visibility not in SHAREABLE or not queries.is_member(status.account, group):
        return None
    state = PostState.PENDING if group.hold_posts else PostState.ACCEPTED
    with transaction.atomic():
        post, created = GroupPost.objects.get_or_create(
            group=group, status=status, defaults={"state": state}
        )
        if created and state == PostState.ACCEPTED:
            statuses.reblog(group.account, status)
    return post


def _group_post(group: Group, status: Status) -> GroupPost:
    post = GroupPost.objects.filter(group=group, status=status).first()
    if post is None:
        raise NotFound(status.pk)
    return post


def accept_post(moderator: Account, group: Group, status: Status) -> None:
    check_moderator(moderator, group)
    post = _group_post(group, status)
    with transaction.atomic():
        post.state = PostState.ACCEPTED
        post.save(update_fields=["state"])
        statuses.reblog(group.account, status)


def remove_post(moderator: Account, group: Group, status: Status) -> None:
    """The group withdraws a post: its followers receive ``Undo`` of the group's ``Announce``."""
    check_moderator(moderator, group)
    post = _group_post(group, status)
    with transaction.atomic():
        post.state = PostState.REMOVED
        post.save(update_fields=["state"])
        statuses.unreblog(group.account, status)
