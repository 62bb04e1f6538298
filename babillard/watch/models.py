"""Antennas, outside feeds and the deck of columns.

- ``Antenna``: a reader's saved filter on every post the instance receives; its
  matches are ``AntennaHit`` rows (a post, or an item of an outside feed). Posts
  wait in ``PendingMatch`` until the worker matches them, a batch at a time.
- ``Source``: an outside RSS, Atom or JSON feed, polled once for all its readers
  (``Subscription``); its entries are ``SourceItem`` rows.
- ``Column``: one column of a reader's deck, of a kind named in ``watch.columns``.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account
from babillard.core.ids import new_id
from babillard.core.models import SecretFeed
from babillard.statuses.models import Status


class EmailMode(models.TextChoices):
    NONE = "none", _("No e-mail")
    IMMEDIATE = "immediate", _("At once")
    DAILY = "daily", _("In a daily summary")


class Antenna(SecretFeed):
    """A saved filter. Lists of words and ids are JSON lists; ``keywords`` are
    phrases matched as whole words, accents and case folded."""

    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="antennas")
    title = models.CharField(max_length=100)
    keywords = models.JSONField(default=list, blank=True)
    exclude_keywords = models.JSONField(default=list, blank=True)
    regex = models.CharField(max_length=200, blank=True)
    account_ids = models.JSONField(default=list, blank=True)
    exclude_account_ids = models.JSONField(default=list, blank=True)
    list_ids = models.JSONField(default=list, blank=True)
    exclude_list_ids = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    with_media_only = models.BooleanField(default=False)
    with_links_only = models.BooleanField(default=False)
    exclude_replies = models.BooleanField(default=False)
    notify = models.BooleanField(default=False)
    email = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.NONE)
    # Hits up to this key were sent in a daily summary.
    emailed_key = models.BigIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Changes with every write of the antenna: each process keeps its rules compiled
    # while it stays the same.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class IndexVersion(models.Model):
    """One row whose ``version`` changes (to a random number) with every write to an
    antenna, in the same transaction: each process rebuilds its matching index when it
    reads a version other than its own. In the database rather than the cache so that
    web and worker processes agree without Redis."""

    version = models.BigIntegerField(default=0)


class PendingMatch(models.Model):
    """A stored post the antennas have not seen yet. Written in the transaction that
    stores the post, removed once ``watch.tasks.match_arrivals`` has matched it."""

    status = models.OneToOneField(
        Status, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )


class Source(models.Model):
    """An outside feed, fetched once for every reader who follows it."""

    url = models.URLField(max_length=2000, unique=True)
    title = models.CharField(max_length=300, blank=True)
    site_url = models.URLField(max_length=2000, blank=True)
    kind = models.CharField(max_length=10, blank=True)
    etag = models.CharField(max_length=300, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    errors = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.title or self.url


class Subscription(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "source"], name="watch_subscription_unique")
        ]


class SourceItem(models.Model):
    """One entry of an outside feed; its id is time-sortable from its publication date."""

    id = models.BigIntegerField(primary_key=True, default=new_id, editable=False)
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="items")
    guid = models.CharField(max_length=2000)
    url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    author = models.CharField(max_length=200, blank=True)
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "guid"], name="watch_item_unique")]
        indexes = [models.Index(fields=["source", "-id"])]


class AntennaHit(models.Model):
    """A post or an outside item caught by an antenna. ``key`` is the id of the post
    or of the item (both time-sortable), so a column pages through both together."""

    antenna = models.ForeignKey(Antenna, on_delete=models.CASCADE, related_name="hits")
    status = models.ForeignKey(
        Status, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    item = models.ForeignKey(
        SourceItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["antenna", "status"],
                condition=Q(status__isnull=False),
                name="watch_hit_status_unique",
            ),
            models.UniqueConstraint(
                fields=["antenna", "item"],
                condition=Q(item__isnull=False),
                name="watch_hit_item_unique",
            ),
        ]
        indexes = [models.Index(fields=["antenna", "-key"])]


class Width(models.TextChoices):
    NARROW = "narrow", _("Narrow")
    NORMAL = "normal", _("Normal")
    WIDE = "wide", _("Wide")


class Column(models.Model):
    """One column of a reader's deck. ``params`` holds what its kind needs (a list,
    tags, a query, an antenna, a source); ``read_key`` is the newest key read."""

    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    params = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)
    width = models.CharField(max_length=10, choices=Width.choices, default=Width.NORMAL)
    read_key = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["owner", "position"])]
