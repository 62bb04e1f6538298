"""``babillard backup`` while a writer keeps posting, then ``babillard restore`` into a
fresh home: the restored instance serves, and every table and file is the backup's, on
SQLite and on PostgreSQL. Real processes, as an administrator runs them."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from babillard.core.tests.servers import (
    PG_TEMPLATE,
    ROOT,
    Instance,
    drop_database,
    free_port,
    migrated_postgres_template,
)

pytestmark = pytest.mark.own_databases

SEED = """
from babillard.core.testing import image_bytes, make_account
from babillard.statuses.services import post_status, upload_media
alice = make_account("alice")
for number in range(3):
    image = upload_media(alice, image_bytes(color=("red", "teal", "navy")[number]), f"plan {number}")
    post_status(alice, f"Plan de la salle {number}", media_ids=[image.pk])
"""
WRITER = """
import sys
from babillard.accounts.models import Account
from babillard.statuses.services import post_status
alice = Account.objects.get(username="alice", domain="")
for number in range(150):
    post_status(alice, f"Message {number} #sauvegarde")
    if number == 10:
        print("writing", flush=True)
"""
SNAPSHOT = """
import json
from pathlib import Path
from django.conf import settings
from babillard.statuses.models import MediaAttachment, Status
media = Path(settings.MEDIA_ROOT)
print(json.dumps({
    "statuses": dict(Status.objects.values_list("id", "content")),
    "files": {
        str(p.relative_to(media)): p.read_bytes().hex()
        for p in sorted(media.rglob("*")) if p.is_file()
    },
    "media": list(MediaAttachment.objects.values_list("file", flat=True)),
}))
"""


def _postgres_base() -> str | None:
    import psycopg

    base = os.environ.get("BABILLARD_TEST_PG_URL") or "postgres://postgres@127.0.0.1:5432"
    base = base.rsplit("/", 1)[0] if base.count("/") > 2 else base
    try:
        psycopg.connect(f"{base}/postgres", connect_timeout=3).close()
    except psycopg.Error:
        return None
    return base


@pytest.fixture(params=["sqlite", "postgresql"])
def homes(request: pytest.FixtureRequest) -> Iterator[tuple[Instance, Instance]]:
    """A migrated source instance and an empty target one, on the engine of the run."""
    folder = Path(tempfile.mkdtemp(prefix="babillard-backup-"))
    source = Instance(name="source", port=free_port(), home=folder / "source")
    target = Instance(name="target", port=free_port(), home=folder / "target")
    created: list[str] = []
    if request.param == "postgresql":
        import psycopg

        base = _postgres_base()
        if base is None:
            if os.environ.get("CI"):
                pytest.fail("PostgreSQL is not reachable")
            pytest.skip("PostgreSQL is not reachable")
        migrated_postgres_template(base)
        names = {
            "source": f"babillard_backup_src_{os.getpid()}",
            "target": f"babillard_backup_dst_{os.getpid()}",
        }
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            for role, name in names.items():
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                template = f" TEMPLATE {PG_TEMPLATE}" if role == "source" else ""
                conn.execute(f"CREATE DATABASE {name}{template}")
                created.append(f"{base}/{name}")
        source.database_url, target.database_url = created
    for instance in (source, target):
        instance.home.mkdir(parents=True)
    source.migrate()
    try:
        yield source, target
    finally:
        target.stop()
        shutil.rmtree(folder, ignore_errors=True)
        for url in created:
            drop_database(url, url.rsplit("/", 1)[1])


def _snapshot(instance: Instance) -> dict[str, object]:
    return json.loads(instance.run("shell", "-c", SNAPSHOT).strip().splitlines()[-1])


def test_backup_during_writes_restores_whole(homes: tuple[Instance, Instance]) -> None:
    source, target = homes
    source.run("shell", "-c", SEED)
    folder = source.home.parent / "backup"
    writer = subprocess.Popen(
        [sys.executable, "-m", "babillard.cli", "shell", "-c", WRITER],
        cwd=ROOT,
        env=source.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert writer.stdout is not None
        assert b"writing\n" in iter(writer.stdout.readline, b"")
        said = source.run("backup", str(folder))
    finally:
        writer.wait(timeout=300)
    assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
    assert "Backed up" in said
    manifest = json.loads((folder / "manifest.json").read_text())
    backed_up = manifest["tables"]["statuses_status"]["rows"]
    assert 3 + 11 <= backed_up <= 3 + 150

    restored = target.run("restore", str(folder))
    assert "every one matches the backup" in restored
    before, after = _snapshot(source), _snapshot(target)
    # What the backup saw is exactly what the source held then: a prefix of its posts.
    assert len(after["statuses"]) == backed_up  # type: ignore[arg-type]
    assert all(before["statuses"][k] == v for k, v in after["statuses"].items())  # type: ignore[index,union-attr]
    assert after["files"] == before["files"] and len(after["files"]) >= 6  # type: ignore[arg-type]
    assert after["media"] == before["media"]

    # The restored home serves the restored posts.
    target.start()
    plan = next(k for k, v in after["statuses"].items() if "Plan de la salle 2" in v)  # type: ignore[union-attr]
    page = httpx.get(f"http://{target.domain}/@alice/{plan}", timeout=30)
    assert page.status_code == 200 and "Plan de la salle 2" in page.text
    assert 'alt="plan 2"' in page.text

    # Neither command overwrites anything.
    with pytest.raises(AssertionError, match="not empty"):
        target.run("restore", str(folder))
    with pytest.raises(AssertionError, match="not empty"):
        source.run("backup", str(folder))
