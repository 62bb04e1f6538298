"""Home feeds (filled by fan-out on write) and lists."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account
from babillard.statuses.models import Status


class HomeFeedEntry(models.Model):
    """One status (a post or a boost) in one local reader's home feed.

    Reading a home timeline is a range scan on ``(owner, status)``; ``owner`` is
    the reader's account and ``status`` the id shown in the timeline.
    """

    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="+")
    # The author of the original post, so that unfollowing purges boosts of them too.
    origin_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "status"], name="home_feed_unique")]
        indexes = [models.Index(fields=["owner", "-status"], name="home_feed_read_idx")]


class RepliesPolicy(models.TextChoices):
    FOLLOWED = "followed", _("Replies to any followed account")
    LIST = "list", _("Replies to members of the list")
    NONE = "none", _("No replies")


class List(models.Model):
    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="lists")
    title = models.CharField(max_length=100)
    replies_policy = models.CharField(
        max_length=10, choices=RepliesPolicy.choices, default=RepliesPolicy.LIST
    )
    exclusive = models.BooleanField(default=False)
    members = models.ManyToManyField(Account, blank=True, related_name="in_lists")

    def __str__(self) -> str:
        return self.title


class FilterContext(models.TextChoices):
    HOME = "home", _("Home and lists")
    NOTIFICATIONS = "notifications", _("Notifications")
    PUBLIC = "public", _("Public timelines")
    THREAD = "thread", _("Conversations")
    ACCOUNT = "account", _("Profiles")


class FilterAction(models.TextChoices):
    WARN = "warn", _("Hide behind a warning")
    HIDE = "hide", _("Hide completely")


class Filter(models.Model):
    """A reader's filter: keywords or posts hidden or put behind a warning in some contexts."""

    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="filters")
    title = models.CharField(max_length=100)
    contexts = models.JSONField(default=list)
    action = models.CharField(max_length=8, choices=FilterAction.choices, default="warn")
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


class FilterKeyword(models.Model):
    filter = models.ForeignKey(Filter, on_delete=models.CASCADE, related_name="keywords")
    keyword = models.CharField(max_length=100)
    whole_word = models.BooleanField(default=True)


class FilterStatus(models.Model):
    filter = models.ForeignKey(Filter, on_delete=models.CASCADE, related_name="statuses")
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["filter", "status"], name="filter_status_unique")
        ]


class TagFollow(models.Model):
    """A reader follows a hashtag: its public posts come into their home feed."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    tag = models.ForeignKey("statuses.Tag", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "tag"], name="tag_follow_unique")]
