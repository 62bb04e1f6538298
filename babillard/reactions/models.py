"""Emoji reactions to posts.

A reaction is one account's emoji on one post: a Unicode emoji, or a custom
emoji of another server (``:name:``) kept with the address of its image. An
account may put several different emoji on one post, as Pleroma and Akkoma
allow, but each only once.
"""

from django.db import models
from django.utils import timezone

from babillard.accounts.models import Account
from babillard.core.ids import new_id
from babillard.statuses.models import Status


class Reaction(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="reactions")
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="reactions")
    name = models.CharField(max_length=100)
    image_url = models.URLField(max_length=2000, blank=True)
    # The id of the remote activity that brought it, to match its Undo.
    uri = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "status", "name"], name="reaction_unique")
        ]
        indexes = [models.Index(fields=["status", "name"]), models.Index(fields=["uri"])]

    def __str__(self) -> str:
        return f"{self.account.acct} {self.name} {self.status_id}"

    @property
    def is_custom(self) -> bool:
        return self.name.startswith(":")
