"""Online, consistent backups and their restore (``babillard backup DIR``, ``babillard
restore DIR``).

SQLite is copied through its backup API in one step, which WAL mode lets writers go on
through; PostgreSQL through ``pg_dump`` inside a snapshot exported by a repeatable-read
transaction. In that same snapshot, every table's row count and a hash of its rows go to
``manifest.json`` with a hash of every file of the instance's folders (media, private
files). ``restore`` loads the database and the files into an empty home and checks every
table and every file against the manifest before it says it is done.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason in words."""


Fingerprints = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Summary:
    folder: Path
    tables: int
    rows: int
    files: int


def _tables() -> list[tuple[str, str]]:
    """Every table of the project's models, with its primary key column."""
    found: dict[str, str] = {}
    for model in apps.get_models(include_auto_created=True):
        pk = model._meta.pk
        if model._meta.managed and not model._meta.proxy and pk is not None and pk.column:
            found[model._meta.db_table] = pk.column
    return sorted(found.items())


def _digest_rows(rows: Iterator[tuple[Any, ...]]) -> tuple[int, str]:
    digest = hashlib.sha256()
    count = 0
    for row in rows:
        count += 1
        digest.update(
            repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode()
        )
    return count, digest.hexdigest()


def _fingerprints(cursor: Any) -> Fingerprints:
    """Row count and hash of every table, read through a DB-API ``cursor``."""
    tables: Fingerprints = {}
    for table, pk in _tables():
        # Names of the project's own tables, not input.
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY "{pk}"')  # noqa: S608
        rows, digest = _digest_rows(iter(cursor.fetchone, None))
        tables[table] = {"rows": rows, "sha256": digest}
    return tables


def _folders() -> dict[str, Path]:
    """The folders holding the instance's files, by name; one inside another is left out."""
    named = {name: Path(path).resolve() for name, path in settings.BACKUP_FOLDERS.items()}
    return {
        name: path
        for name, path in named.items()
        if not any(other != path and other in path.parents for other in named.values())
    }


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_files(source_of: dict[str, Path], target_of: dict[str, Path]) -> dict[str, str]:
    """Copy each named folder; the hash of every copied file by ``name/relative path``."""
    hashes: dict[str, str] = {}
    for name, source in source_of.items():
        if not source.is_dir():
            continue
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            relative = path.relative_to(source)
            copy = target_of[name] / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
            hashes[f"{name}/{relative.as_posix()}"] = _file_hash(copy)
    return hashes


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def _postgres_params() -> tuple[str, list[str]]:
    """A psycopg connection string, and the same as ``pg_dump``/``pg_restore`` options."""
    from psycopg.conninfo import make_conninfo

    db = settings.DATABASES["default"]
    params = {
        "dbname": db["NAME"],
        "user": db.get("USER") or "",
        "password": db.get("PASSWORD") or "",
        "host": db.get("HOST") or "",
        "port": str(db.get("PORT") or ""),
    }
    options = [f"--dbname={params['dbname']}"]
    for key, flag in (("user", "--username"), ("host", "--host"), ("port", "--port")):
        if params[key]:
            options.append(f"{flag}={params[key]}")
    return make_conninfo(**{k: v for k, v in params.items() if v}), options


def _run_postgres_tool(arguments: list[str]) -> None:
    environment = dict(os.environ)
    if password := settings.DATABASES["default"].get("PASSWORD"):
        environment["PGPASSWORD"] = password
    try:
        done = subprocess.run(arguments, env=environment, capture_output=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(
            f"{arguments[0]} is not installed: install PostgreSQL's client tools."
        ) from error
    if done.returncode != 0:
        raise BackupError(f"{arguments[0]} failed: {done.stderr.decode(errors='replace')[-2000:]}")


def _backup_sqlite(target: Path) -> Fingerprints:
    with (
        closing(sqlite3.connect(_sqlite_path())) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)
        return _fingerprints(copy.cursor())


def _backup_postgres(target: Path) -> Fingerprints:
    import psycopg

    params, options = _postgres_params()
    with psycopg.connect(params) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]  # type: ignore[index]
            dump = ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}"]
            _run_postgres_tool([*dump, f"--file={target}", *options])
            return _fingerprints(cursor)


def backup(folder: Path) -> Summary:
    """Write a consistent copy of the database and the files of the instance to ``folder``."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: back up into a new folder.")
    folder.mkdir(parents=True, exist_ok=True)
    engine = connection.vendor
    if engine == "sqlite":
        tables = _backup_sqlite(folder / SQLITE_FILE)
    elif engine == "postgresql":
        tables = _backup_postgres(folder / POSTGRES_FILE)
    else:
        raise BackupError(f"Backups of {engine} databases are not supported.")
    folders = _folders()
    files = _copy_files(folders, {name: folder / "files" / name for name in folders})
    secret = settings.HOME / "secret_key"
    if secret.exists():
        shutil.copy2(secret, folder / "secret_key")
    manifest = {
        "format": FORMAT,
        "engine": engine,
        "created_at": datetime.now(UTC).isoformat(),
        "tables": tables,
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return Summary(folder, len(tables), sum(t["rows"] for t in tables.values()), len(files))


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError as error:
        raise BackupError(f"{folder} holds no {MANIFEST}: it is not a Babillard backup.") from error
    except ValueError as error:
        raise BackupError(f"{folder / MANIFEST} is damaged: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"This backup's format ({manifest.get('format')}) is not known here.")
    if manifest.get("engine") != connection.vendor:
        raise BackupError(
            f"This backup is of a {manifest.get('engine')} database; this instance is "
            f"configured for {connection.vendor}."
        )
    return manifest


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _restore_database(folder: Path) -> Fingerprints:
    if connection.vendor == "sqlite":
        connection.close()
        with (
            closing(sqlite3.connect(folder / SQLITE_FILE)) as source,
            closing(sqlite3.connect(_sqlite_path())) as target,
        ):
            source.backup(target)
            return _fingerprints(target.cursor())
    import psycopg

    params, options = _postgres_params()
    _run_postgres_tool(
        ["pg_restore", "--no-owner", "--exit-on-error", *options, str(folder / POSTGRES_FILE)]
    )
    with psycopg.connect(params) as conn, conn.cursor() as cursor:
        return _fingerprints(cursor)


def restore(folder: Path) -> Summary:
    """Load a backup into this instance's empty database and folders, then check that
    every table and every file is as the manifest says."""
    manifest = _read_manifest(folder)
    if not _database_is_empty():
        raise BackupError("The database is not empty: restore into a new, empty one.")
    folders = _folders()
    for name, path in folders.items():
        if path.is_dir() and any(p.is_file() for p in path.rglob("*")):
            raise BackupError(f"{path} ({name}) is not empty: restore into a new home.")
    tables = _restore_database(folder)
    files = _copy_files({name: folder / "files" / name for name in folders}, folders)
    if (folder / "secret_key").exists() and not os.environ.get("BABILLARD_SECRET_KEY"):
        shutil.copy2(folder / "secret_key", settings.HOME / "secret_key")
    wrong = sorted(t for t in manifest["tables"] if manifest["tables"][t] != tables.get(t))
    wrong += sorted(f for f in manifest["files"] if manifest["files"][f] != files.get(f))
    if wrong:
        raise BackupError(f"The restored copy differs from the backup in: {', '.join(wrong)}")
    return Summary(folder, len(tables), sum(t["rows"] for t in tables.values()), len(files))
