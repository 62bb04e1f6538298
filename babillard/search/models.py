"""The search index of posts.

One row per searchable status. On PostgreSQL ``vector`` holds its French,
accent-folded text-search vector (GIN-indexed by the migration); on SQLite the
migration creates an FTS5 table keyed by the status id instead, and ``vector``
stays empty. Only ``search.services`` writes here and only ``search.queries``
reads, so the two backends never leak above this app.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from babillard.statuses.models import Status


class StatusDocument(models.Model):
    status = models.OneToOneField(
        Status, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    body = models.TextField()
    vector = SearchVectorField(null=True)
