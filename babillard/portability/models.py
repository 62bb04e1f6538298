"""Imports and exports in Mastodon's formats, account archives, and hashtag walls."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account
from babillard.statuses.models import Status


def private_storage() -> FileSystemStorage:
    """Uploaded imports and prepared archives hold private data: never under ``/media/``.

    They are served only through views that check who asks.
    """
    return FileSystemStorage(location=settings.HOME / "private")


class ImportKind(models.TextChoices):
    FOLLOWING = "following", _("Follows")
    LISTS = "lists", _("Lists")
    BLOCKS = "blocks", _("Blocked accounts")
    MUTES = "mutes", _("Muted accounts")
    DOMAIN_BLOCKS = "domain_blocks", _("Hidden servers")
    BOOKMARKS = "bookmarks", _("Bookmarks")
    OPML = "opml", _("Outside feeds (OPML)")
    ARCHIVE = "archive", _("Posts of a Mastodon archive")


class ImportMode(models.TextChoices):
    MERGE = "merge", _("Merge with what I have")
    OVERWRITE = "overwrite", _("Replace what I have")


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting for its turn")
    RUNNING = "running", _("In progress")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Import(models.Model):
    """One uploaded file, processed row by row by the task worker.

    CSV rows are parsed when the file is received (a file that is not CSV is refused
    at once) and kept in ``rows``; ``processed`` is the index of the next row, so a
    task that is run again carries on where the last one stopped.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    mode = models.CharField(max_length=10, choices=ImportMode.choices, default=ImportMode.MERGE)
    state = models.CharField(max_length=8, choices=JobState.choices, default=JobState.QUEUED)
    rows = models.JSONField(default=list, blank=True)
    upload = models.FileField(storage=private_storage, upload_to="imports/", blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    waiting = models.JSONField(
        default=list, blank=True, help_text=_("Rows waiting for a follow request to be accepted")
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-created_at"])]

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.processed * 100 // self.total)


class Archive(models.Model):
    """A zip of the whole account, prepared by the worker and kept ``ARCHIVE_DAYS`` days."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=8, choices=JobState.choices, default=JobState.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=private_storage, upload_to="archives/", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-created_at"])]

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.processed * 100 // self.total)


class Wall(models.Model):
    """The settings of a hashtag's live wall; a hashtag without a row has an open wall."""

    tag = models.CharField(max_length=100, unique=True, help_text=_("Hashtag, case-folded"))
    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    moderated = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)


class WallDecision(models.Model):
    """A moderator's answer about one post on a moderated wall."""

    wall = models.ForeignKey(Wall, on_delete=models.CASCADE, related_name="decisions")
    status = models.ForeignKey(Status, on_delete=models.CASCADE, related_name="+")
    approved = models.BooleanField()
    decided_by = models.ForeignKey(Account, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wall", "status"], name="wall_decision_unique")
        ]


def delete_stored_file(instance: Import | Archive, **kwargs: object) -> None:
    """An import or archive deleted (with its account, or expired) takes its file along."""
    stored = instance.upload if isinstance(instance, Import) else instance.file
    if stored:
        stored.delete(save=False)
