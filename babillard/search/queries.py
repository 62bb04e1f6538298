"""Full-text search over the posts a viewer may see, and over accounts and hashtags.

SQLite: FTS5 with the ``unicode61 remove_diacritics 2`` tokenizer, ranked by
bm25. PostgreSQL: a French configuration with ``unaccent`` (stemming included),
ranked by ``ts_rank``. Either way accents and case are folded, so
"bibliotheque" finds "bibliothèque"; ties go to the most recent post.
"""

import re

from django.db import connection
from django.db.models import QuerySet

from babillard.accounts.models import Account
from babillard.accounts.queries import hidden_account_ids, search_accounts
from babillard.statuses.models import Status, Tag
from babillard.statuses.queries import visible_statuses, with_relations

WORD_RE = re.compile(r"\w+", re.UNICODE)
CANDIDATES = 1000


def _matching_ids(query: str) -> list[int]:
    """Ids of indexed posts matching every word of ``query``, best first."""
    words = WORD_RE.findall(query)
    if not words:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT status_id FROM search_statusdocument, plainto_tsquery('babillard_fr', %s) q "
                "WHERE vector @@ q ORDER BY ts_rank(vector, q) DESC, status_id DESC LIMIT %s",
                [" ".join(words), CANDIDATES],
            )
        else:
            match = " ".join('"' + w.replace('"', "") + '"' for w in words)
            cursor.execute(
                "SELECT rowid FROM search_status_fts WHERE search_status_fts MATCH %s "
                "ORDER BY round(bm25(search_status_fts), 1), rowid DESC LIMIT %s",
                [match, CANDIDATES],
            )
        return [row[0] for row in cursor.fetchall()]


def search_statuses(
    viewer: Account | None, query: str, limit: int = 20, offset: int = 0
) -> list[Status]:
    ids = _matching_ids(query)
    if not ids:
        return []
    found = visible_statuses(viewer).filter(pk__in=ids)
    if viewer is not None:
        found = found.exclude(account_id__in=hidden_account_ids(viewer))
    by_id = {s.pk: s for s in with_relations(found)}
    ranked = [by_id[i] for i in ids if i in by_id]
    return ranked[offset : offset + limit]


def search_tags(query: str, limit: int = 20) -> QuerySet[Tag]:
    name = query.strip().lstrip("#").casefold()
    if not name:
        return Tag.objects.none()
    return Tag.objects.filter(name__startswith=name).order_by("name")[:limit]


__all__ = ["search_accounts", "search_statuses", "search_tags"]
