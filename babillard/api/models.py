"""Tables only the client API needs: what an OAuth application registered, and markers.

django-oauth-toolkit's ``Application`` has no notion of scopes or website, which
Mastodon's ``POST /api/v1/apps`` records; ``ClientApp`` carries them beside it.
"""

from django.db import models
from django.utils import timezone

from babillard.accounts.models import Account


class ClientApp(models.Model):
    # The id of django-oauth-toolkit's application. Not a foreign key: DOT's model is
    # swappable, and a key to it would tie migrations to its swappable setting.
    application_id = models.BigIntegerField(unique=True)
    scopes = models.CharField(max_length=1000, default="read")
    website = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)


class Marker(models.Model):
    """The last read position of one timeline (``home`` or ``notifications``)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    timeline = models.CharField(max_length=16)
    last_read_id = models.BigIntegerField(default=0)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "timeline"], name="marker_unique")
        ]
