"""A real Babillard server for Mastodon.py tests: uvicorn in a subprocess, its own home.

It runs the test settings (tasks run at once) on a fresh SQLite database (a copy of the
run's migrated template, see ``babillard.core.tests.servers``), or on
a database of its own beside the test database when ``BABILLARD_DATABASE_URL``
points at PostgreSQL; Redis is used for streaming when ``BABILLARD_REDIS_URL`` is set.
"""

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from babillard.core.tests.servers import ROOT, copy_migrated_sqlite, free_port


@dataclass
class LiveServer:
    url: str
    env: dict[str, str]

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(done.stdout + done.stderr)
        return done.stdout

    def make_user(self, username: str, password: str) -> str:
        """Create a confirmed user on that server; returns its e-mail address."""
        email = f"{username}@example.org"
        self.manage(
            "shell",
            "-c",
            "from babillard.accounts.services import create_local_user; "
            f"create_local_user({username!r}, {email!r}, {password!r})",
        )
        return email


def _own_database(url: str) -> str:
    """A PostgreSQL database for the live server, named after the test database."""
    import psycopg

    base, _slash, name = url.rpartition("/")
    live_name = f"{name}_live"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [live_name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{live_name}"')
    return f"{base}/{live_name}"


@contextmanager
def live_server() -> Iterator[LiveServer]:
    port = free_port()
    home = tempfile.mkdtemp(prefix="babillard-live-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "babillard.test_settings",
        "BABILLARD_HOME": home,
        "BABILLARD_DOMAIN": f"127.0.0.1:{port}",
        "BABILLARD_CACHE_PREFIX": f"live-{uuid.uuid4().hex[:8]}",
    }
    if env.get("BABILLARD_DATABASE_URL", "").startswith("postgres"):
        env["BABILLARD_DATABASE_URL"] = _own_database(env["BABILLARD_DATABASE_URL"])
    server = LiveServer(f"http://127.0.0.1:{port}", env)
    if env.get("BABILLARD_DATABASE_URL"):
        server.manage("migrate", "--noinput")
    else:
        copy_migrated_sqlite(Path(home) / "babillard.sqlite3")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "babillard.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{server.url}/api/v1/streaming/health", timeout=2).text == "OK":
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the live server did not start")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
