"""Topic groups: members, moderation and their Group actor.

A group is a local ``Group`` actor (``AccountKind.GROUP``). Joining is following it
(an approval-required group is a locked actor: moderators accept the request); its
members are its followers. Members post by mentioning it; the group boosts each
accepted post to its followers (FEP-1b12 ``Announce``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account
from babillard.statuses.models import Status


class JoinMode(models.TextChoices):
    OPEN = "open", _("Open to anyone")
    APPROVAL = "approval", _("Moderators approve each member")
    INVITATION = "invitation", _("By invitation only")


class Group(models.Model):
    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="group")
    rules = models.TextField(_("rules"), blank=True)
    join_mode = models.CharField(
        _("who may join"), max_length=16, choices=JoinMode.choices, default=JoinMode.OPEN
    )
    hold_posts = models.BooleanField(
        _("moderators accept each post before the group shares it"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.account.username


class Moderator(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="moderators")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "account"], name="groups_one_moderator")
        ]


class Invitation(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="invitations")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "account"], name="groups_one_invitation")
        ]


class PostState(models.TextChoices):
    PENDING = "pending", _("Waiting for a moderator")
    ACCEPTED = "accepted", _("Shared by the group")
    REMOVED = "removed", _("Removed by a moderator")


class GroupPost(models.Model):
    """A member's post addressed to the group, and what the moderators made of it."""

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="posts")
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=16, choices=PostState.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-status_id"]
        constraints = [models.UniqueConstraint(fields=["group", "status"], name="groups_one_post")]
