from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account
from babillard.core.ids import new_id
from babillard.statuses.models import Status


class NotificationType(models.TextChoices):
    MENTION = "mention", _("Mention")
    FOLLOW = "follow", _("Follow")
    FOLLOW_REQUEST = "follow_request", _("Follow request")
    FAVOURITE = "favourite", _("Favourite")
    REBLOG = "reblog", _("Boost")
    POLL = "poll", _("Poll ended")
    UPDATE = "update", _("Edited post")
    STATUS = "status", _("New post")
    ADMIN_SIGN_UP = "admin.sign_up", _("New sign-up")
    ADMIN_REPORT = "admin.report", _("New report")
    EVENT_UPDATE = "event.update", _("Event changed")
    EVENT_REMINDER = "event.reminder", _("Event tomorrow")
    EVENT_PROMOTED = "event.promoted", _("Place confirmed at an event")
    QUOTE = "quote", _("Quote")
    QUOTED_UPDATE = "quoted_update", _("Quoted post edited")
    REACTION = "reaction", _("Reaction")


class Notification(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    recipient = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="notifications")
    from_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=20, choices=NotificationType.choices)
    status = models.ForeignKey(
        Status, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    report = models.ForeignKey(
        "moderation.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Held back by the recipient's notification policy, waiting in a notification request.
    filtered = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["recipient", "-id"])]
