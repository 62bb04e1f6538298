"""Groups in one instance: joining in its three ways, posting, moderating."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from babillard.accounts.models import AccountKind
from babillard.core.errors import Forbidden
from babillard.core.testing import make_account
from babillard.federation.activities import actor_to_activity
from babillard.groups import queries, services
from babillard.groups.models import Group, GroupPost, JoinMode, PostState
from babillard.statuses.models import Status
from babillard.statuses.services import post_status


def test_a_group_is_a_group_actor_with_its_founder_as_moderator(group: Group, founder: Any) -> None:
    assert group.account.kind == AccountKind.GROUP and not group.account.bot
    document = actor_to_activity(group.account)
    assert document["type"] == "Group"
    assert document["attributedTo"].endswith("/groups/polars/moderators")
    assert document["postingRestrictedToMods"] is False
    assert list(queries.members(group)) == [founder]
    assert list(queries.moderators(group)) == [founder]
    assert list(queries.directory()) == [group]


def test_open_approval_and_invitation_groups(founder: Any, group: Group) -> None:
    alice, bob, carl = make_account("alice"), make_account("bob"), make_account("carl")
    assert services.join(alice, group) is True
    strict = services.create_group(founder, "huis_clos", join_mode=JoinMode.APPROVAL)
    assert strict.account.locked
    assert services.join(bob, strict) is False
    assert list(queries.join_requests(strict)) == [bob]
    with pytest.raises(Forbidden):
        services.approve_member(alice, strict, bob)
    services.approve_member(founder, strict, bob)
    assert queries.is_member(bob, strict)
    secret = services.create_group(founder, "cercle", join_mode=JoinMode.INVITATION)
    with pytest.raises(Forbidden):
        services.join(carl, secret)
    services.invite(founder, secret, carl)
    assert services.join(carl, secret) is True
    services.leave(carl, secret)
    assert not queries.is_member(carl, secret)


def test_a_members_post_is_shared_by_the_group(founder: Any, group: Group) -> None:
    alice, outsider = make_account("alice"), make_account("zoe")
    services.join(alice, group)
    mine = services.post_to_group(alice, group, "Qui a lu « La Cité des jarres » ?")
    assert mine.mentions.get().account == group.account
    assert Status.objects.filter(account=group.account, reblog=mine).exists()
    assert list(queries.timeline(group, None)) == [mine]
    stranger = post_status(outsider, text="@polars je ne suis pas membre")
    assert not GroupPost.objects.filter(status=stranger).exists()
    assert list(queries.timeline(group, None)) == [mine]
    with pytest.raises(Forbidden):
        services.post_to_group(outsider, group, "Bonjour")
    with pytest.raises(ValidationError):
        services.post_to_group(alice, group, "   ")


def test_held_posts_wait_for_a_moderator_who_may_remove_them(founder: Any, group: Group) -> None:
    alice = make_account("alice")
    services.join(alice, group)
    services.update_group(founder, group, hold_posts=True)
    held = post_status(alice, text="@polars un avis sur Camilla Läckberg ?")
    assert GroupPost.objects.get(status=held).state == PostState.PENDING
    assert list(queries.pending_posts(group)) == [held]
    assert list(queries.timeline(group, None)) == []
    with pytest.raises(Forbidden):
        services.accept_post(alice, group, held)
    services.accept_post(founder, group, held)
    assert list(queries.timeline(group, None)) == [held]
    services.remove_post(founder, group, held)
    assert GroupPost.objects.get(status=held).state == PostState.REMOVED
    assert not Status.objects.filter(account=group.account, reblog=held).exists()
    assert list(queries.timeline(group, None)) == []


def test_moderators_remove_members_and_share_moderation(founder: Any, group: Group) -> None:
    alice, bob = make_account("alice"), make_account("bob")
    services.join(alice, group)
    services.join(bob, group)
    services.add_moderator(founder, group, alice)
    services.remove_member(alice, group, bob)
    assert not queries.is_member(bob, group)
    with pytest.raises(ValidationError):
        services.add_moderator(founder, group, bob)
    services.remove_moderator(founder, group, alice)
    with pytest.raises(ValidationError):
        services.remove_moderator(founder, group, founder)
    with pytest.raises(Forbidden):
        services.remove_member(alice, group, founder)
