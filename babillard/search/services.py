"""Keeping the search index in step with posts. Database triggers (see the
migration) copy ``body`` into SQLite's FTS5 table or PostgreSQL's vector."""

from babillard.accounts.models import Visibility
from babillard.search.models import StatusDocument
from babillard.statuses.formatting import plain_text
from babillard.statuses.models import Status


def index_status(status: Status) -> None:
    """Index a post's text, content warning and image descriptions; boosts are not indexed."""
    if status.is_reblog or status.visibility == Visibility.DIRECT:
        StatusDocument.objects.filter(status=status).delete()
        return
    parts = [status.spoiler_text, plain_text(status.content)]
    parts += [m.description for m in status.media.all()]
    StatusDocument.objects.update_or_create(
        status=status, defaults={"body": "\n".join(p for p in parts if p)}
    )
