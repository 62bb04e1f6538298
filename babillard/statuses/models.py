"""Posts and everything attached to one: mentions, hashtags, media, polls, edits,
favourites, boosts (a status whose ``reblog`` is set), bookmarks and pins."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account, Visibility
from babillard.core.ids import new_id


class Tag(models.Model):
    """A hashtag. ``name`` is the case-folded key; ``display_name`` keeps the first spelling."""

    name = models.CharField(max_length=100, unique=True)
    display_name = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"#{self.display_name}"


class QuotePolicy(models.TextChoices):
    """Who may quote a post and have the quote approved at once (Mastodon's values)."""

    PUBLIC = "public", _("Anyone")
    FOLLOWERS = "followers", _("Followers")
    NOBODY = "nobody", _("Only me")


class ReplyPolicy(models.TextChoices):
    """Who may reply to a post (GoToSocial's ``canReply``); the author and the mentioned always may."""

    ANYONE = "anyone", _("Anyone")
    FOLLOWING = "following", _("People I follow")
    MENTIONED = "mentioned", _("People I mention")


class Status(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="statuses")
    uri = models.URLField(max_length=2000, unique=True, null=True, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    local = models.BooleanField(default=True)
    text = models.TextField(blank=True, help_text=_("The source as typed"))
    content = models.TextField(blank=True, help_text=_("Sanitised HTML"))
    spoiler_text = models.CharField(max_length=500, blank=True)
    sensitive = models.BooleanField(default=False)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default="public")
    local_only = models.BooleanField(default=False)
    # For an ``internal`` post: the institution whose members (and itself) may see it.
    internal_to = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(max_length=8, blank=True)
    in_reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    in_reply_to_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reblog = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="reblogs"
    )
    thread_root_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="statuses")
    replies_count = models.PositiveIntegerField(default=0)
    reblogs_count = models.PositiveIntegerField(default=0)
    favourites_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    quote_policy = models.CharField(
        max_length=10, choices=QuotePolicy.choices, default=QuotePolicy.PUBLIC
    )
    reply_policy = models.CharField(
        max_length=10, choices=ReplyPolicy.choices, default=ReplyPolicy.ANYONE
    )
    quotes_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["account", "-id"]),
            models.Index(fields=["visibility", "local", "-id"], name="status_public_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "reblog"],
                condition=Q(reblog__isnull=False),
                name="status_one_reblog_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account.acct}: {self.text[:40]}"

    @property
    def is_reblog(self) -> bool:
        return self.reblog_id is not None

    @property
    def is_reply(self) -> bool:
        return self.in_reply_to_id is not None or self.in_reply_to_account_id is not None


class Mention(models.Model):
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="mentions")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mentioned_in")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["status", "account"], name="mention_unique")]
        indexes = [models.Index(fields=["account", "status"])]


class MediaAttachment(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="media")
    status = models.ForeignKey(
        Status, null=True, blank=True, on_delete=models.CASCADE, related_name="media"
    )
    position = models.PositiveSmallIntegerField(default=0)
    file = models.ImageField(
        upload_to="media/", blank=True, width_field="width", height_field="height"
    )
    thumbnail = models.ImageField(upload_to="media/thumbnails/", blank=True)
    remote_url = models.URLField(max_length=2000, blank=True)
    media_type = models.CharField(max_length=16, default="image")
    mime_type = models.CharField(max_length=64, blank=True)
    description = models.TextField(blank=True, max_length=1500)
    blurhash = models.CharField(max_length=100, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]

    @property
    def url(self) -> str:
        return str(self.file.url) if self.file else self.remote_url

    @property
    def preview_url(self) -> str:
        return str(self.thumbnail.url) if self.thumbnail else self.url


class Favourite(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="favourites")
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="favourited_by")
    uri = models.URLField(max_length=2000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "status"], name="favourite_unique")
        ]


class Bookmark(models.Model):
    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bookmarks")
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "status"], name="bookmark_unique")
        ]


class Pin(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="pins")
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "status"], name="pin_unique")]


class StatusEdit(models.Model):
    """One earlier or current version of an edited status, for the visible history."""

    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="edits")
    text = models.TextField(blank=True)
    content = models.TextField(blank=True)
    spoiler_text = models.CharField(max_length=500, blank=True)
    sensitive = models.BooleanField(default=False)
    media_descriptions = models.JSONField(default=list)
    poll_options = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class Poll(models.Model):
    status = models.OneToOneField(Status, on_delete=models.CASCADE, related_name="poll")
    options = models.JSONField(help_text=_("List of option titles"))
    multiple = models.BooleanField(default=False)
    hide_totals = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    votes_counts = models.JSONField(default=list)
    voters_count = models.PositiveIntegerField(default=0)
    ended_notified = models.BooleanField(default=False)

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def votes_count(self) -> int:
        return sum(self.votes_counts)


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    choice = models.PositiveSmallIntegerField()
    uri = models.URLField(max_length=2000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "account", "choice"], name="poll_vote_unique")
        ]


class ScheduledStatus(models.Model):
    """A post to publish later; ``params`` holds the arguments of ``post_status``."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="scheduled")
    scheduled_at = models.DateTimeField()
    params = models.JSONField()
    media = models.ManyToManyField(MediaAttachment, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["scheduled_at"]


class FeaturedTag(models.Model):
    """A hashtag an account features on its profile."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="featured_tags")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "tag"], name="featured_tag_unique")
        ]


class ConversationMute(models.Model):
    """A thread (named by its first post) from which an account wants no notifications."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    thread_root_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "thread_root_id"], name="conversation_mute_unique"
            )
        ]


class ConversationState(models.Model):
    """One reader's state of a direct conversation: read up to, and removed up to, a post.

    A conversation removed from the list comes back when a newer post arrives in it.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    thread_root_id = models.BigIntegerField()
    read_up_to = models.BigIntegerField(default=0)
    removed_up_to = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "thread_root_id"], name="conversation_state_unique"
            )
        ]


class QuoteState(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Refused")
    REVOKED = "revoked", _("Revoked")


class Quote(models.Model):
    """A post quoting another, with the quoted author's consent (FEP-044f).

    ``quoted_uri`` keeps the quoted post's address when it is not (yet) stored
    here or after it is deleted (``quoted_status`` is then empty: "deleted").
    ``approval_uri`` is the ``QuoteAuthorization`` stamp the quoted author's
    server hosts; ``request_uri`` the ``QuoteRequest`` that asked for it.
    """

    status = models.OneToOneField(Status, on_delete=models.CASCADE, related_name="quote")
    quoted_status = models.ForeignKey(
        Status, null=True, blank=True, on_delete=models.SET_NULL, related_name="quoted_by"
    )
    quoted_uri = models.URLField(max_length=2000)
    quoted_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(max_length=10, choices=QuoteState.choices, default="pending")
    approval_uri = models.URLField(max_length=2000, blank=True)
    request_uri = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["quoted_status", "state"]),
            models.Index(fields=["approval_uri"]),
        ]
