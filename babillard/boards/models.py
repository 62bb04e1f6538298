"""Curated boards: a board, its curators, sections and items, the suggestions readers and
antennas make, the antennas that feed it (``BoardFeed``), and the newsletter's subscribers.

Each board has its own local actor (``Board.account``, an ActivityPub ``Service``): people
follow the board, and the board boosts the posts its curators accept.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account
from babillard.statuses.models import Status
from babillard.watch.models import Antenna


class BoardVisibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    UNLISTED = "unlisted", _("Unlisted")
    PRIVATE = "private", _("Private (curators only)")


class NewsletterFrequency(models.TextChoices):
    NEVER = "never", _("On demand only")
    WEEKLY = "weekly", _("Weekly")


class Board(models.Model):
    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="board")
    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="owned_boards")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    visibility = models.CharField(
        max_length=10, choices=BoardVisibility.choices, default=BoardVisibility.PUBLIC
    )
    newsletter = models.CharField(
        max_length=10, choices=NewsletterFrequency.choices, default=NewsletterFrequency.NEVER
    )
    # Items accepted after this moment go into the next newsletter.
    newsletter_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_private(self) -> bool:
        return self.visibility == BoardVisibility.PRIVATE


class Curator(models.Model):
    """A curator of a board; the owner has a row too, with ``is_owner``."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="curators")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="curated_boards")
    is_owner = models.BooleanField(default=False)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_owner", "added_at"]
        constraints = [
            models.UniqueConstraint(fields=["board", "account"], name="board_curator_unique")
        ]


class Section(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    """A post of the network, or an outside link with its title, excerpt and comment."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    status = models.ForeignKey(
        Status, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=300, blank=True)
    excerpt = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    added_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(default=timezone.now)
    # What the board published for this item: its boost of the post, or its Note.
    announcement = models.ForeignKey(
        Status, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__isnull=False, url="") | Q(status__isnull=True) & ~Q(url=""),
                name="board_item_post_or_link",
            ),
            models.UniqueConstraint(
                fields=["board", "status"],
                condition=Q(status__isnull=False),
                name="board_item_unique_status",
            ),
        ]
        indexes = [models.Index(fields=["board", "-added_at"])]


class SuggestionState(models.TextChoices):
    PENDING = "pending", _("Waiting")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Suggestion(models.Model):
    """A post or a link offered to a board, by a reader or by an antenna."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="suggestions")
    status = models.ForeignKey(
        Status, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=300, blank=True)
    excerpt = models.TextField(blank=True)
    note = models.TextField(blank=True)
    suggested_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The antenna's id when an antenna made the suggestion.
    antenna_id = models.BigIntegerField(null=True, blank=True)
    state = models.CharField(
        max_length=10, choices=SuggestionState.choices, default=SuggestionState.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__isnull=False, url="") | Q(status__isnull=True) & ~Q(url=""),
                name="board_suggestion_post_or_link",
            ),
            # A post is offered once per board: antennas and readers do not flood the queue.
            models.UniqueConstraint(
                fields=["board", "status"],
                condition=Q(status__isnull=False),
                name="board_suggestion_unique_status",
            ),
        ]
        indexes = [models.Index(fields=["board", "state", "-created_at"])]


class BoardFeed(models.Model):
    """An antenna whose catches go into the board's suggestion queue."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="feeds")
    antenna = models.ForeignKey(Antenna, on_delete=models.CASCADE, related_name="board_feeds")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["board", "antenna"], name="board_feed_unique")
        ]


class Subscriber(models.Model):
    """Someone who receives the board's newsletter by e-mail, once the address is confirmed."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="subscribers")
    email = models.EmailField()
    account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["board", "email"], name="board_subscriber_unique")
        ]
