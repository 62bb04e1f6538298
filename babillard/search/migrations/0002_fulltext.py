"""Full-text machinery that differs by database, kept in step by triggers.

SQLite: an FTS5 table keyed by status id, with accents and case folded by the
``unicode61 remove_diacritics 2`` tokenizer. PostgreSQL: a ``babillard_fr``
configuration (French stemming after ``unaccent``) and a GIN index on the
vector a trigger computes from ``body``.
"""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_status_fts USING fts5(body, tokenize = 'unicode61 remove_diacritics 2')",
    """CREATE TRIGGER search_doc_insert AFTER INSERT ON search_statusdocument BEGIN
         INSERT INTO search_status_fts(rowid, body) VALUES (new.status_id, new.body); END""",
    """CREATE TRIGGER search_doc_update AFTER UPDATE ON search_statusdocument BEGIN
         DELETE FROM search_status_fts WHERE rowid = old.status_id;
         INSERT INTO search_status_fts(rowid, body) VALUES (new.status_id, new.body); END""",
    """CREATE TRIGGER search_doc_delete AFTER DELETE ON search_statusdocument BEGIN
         DELETE FROM search_status_fts WHERE rowid = old.status_id; END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER search_doc_delete",
    "DROP TRIGGER search_doc_update",
    "DROP TRIGGER search_doc_insert",
    "DROP TABLE search_status_fts",
]
POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$ BEGIN
         IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'babillard_fr') THEN
           CREATE TEXT SEARCH CONFIGURATION babillard_fr (COPY = french);
           ALTER TEXT SEARCH CONFIGURATION babillard_fr
             ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
         END IF; END $$""",
    """CREATE FUNCTION search_doc_vector() RETURNS trigger AS $$ BEGIN
         NEW.vector := to_tsvector('babillard_fr', NEW.body); RETURN NEW; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER search_doc_vector BEFORE INSERT OR UPDATE OF body ON search_statusdocument
         FOR EACH ROW EXECUTE FUNCTION search_doc_vector()""",
    "CREATE INDEX search_doc_vector_idx ON search_statusdocument USING gin (vector)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX search_doc_vector_idx",
    "DROP TRIGGER search_doc_vector ON search_statusdocument",
    "DROP FUNCTION search_doc_vector()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
