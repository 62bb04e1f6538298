"""Real Babillard servers on loopback for the tests that cross processes or instances.

An ``Instance`` is its own ``babillard serve`` process (uvicorn plus a task worker) with its own
home and database; the ``instances`` fixture starts three, one of them on PostgreSQL when a
server is reachable. Tests drive them with management commands (``fedctl``, ``shell -c``) run
by a long-lived command session per instance, and over HTTP. Every database starts as a copy
of one migrated once per run. Every process is killed at the end, whatever happens; every wait
is bounded.
"""

import atexit
import contextlib
import functools
import json
import os
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[3]
# One database per run, so that two runs of the suite at once do not drop each other's.
PG_DATABASE = f"babillard_fed_inst_{os.getpid()}"
# Migrated once per run; every instance's database starts as a copy of it.
PG_TEMPLATE = f"babillard_fed_tpl_{os.getpid()}"
WAIT_SECONDS = 45
ISSUE_TOKEN = """
from babillard.accounts.models import User
from babillard.api import oauth
scopes = oauth.parse_scopes(SCOPES)
app = oauth.register_app("test client", [oauth.OOB], scopes, "")
print(oauth.issue_token(User.objects.get(username=USERNAME), app.application, scopes).raw)
"""
PASSWORD = "correct-horse-battery-staple"


def outside_environment() -> dict[str, str]:
    """This process's environment without the suite's own settings, for a server of its own."""
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BABILLARD_", "DJANGO_")) and k != "PYTEST_CURRENT_TEST"
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def postgres_url() -> str | None:
    """A migrated PostgreSQL database for one instance, if a server is reachable, else
    ``None``."""
    import psycopg

    candidates = [os.environ.get("BABILLARD_TEST_PG_URL", "")]
    suite = os.environ.get("BABILLARD_DATABASE_URL", "")
    if suite.startswith(("postgres://", "postgresql://")):
        candidates.append(suite)
    candidates.append("postgres://postgres@127.0.0.1:5432/postgres")
    for url in filter(None, candidates):
        base = url.rsplit("/", 1)[0]
        try:
            migrated_postgres_template(base)
            with psycopg.connect(f"{base}/postgres", connect_timeout=3, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {PG_DATABASE} TEMPLATE {PG_TEMPLATE}")
        except psycopg.Error:
            continue
        return f"{base}/{PG_DATABASE}"
    return None


def drop_database(url: str, name: str = PG_DATABASE) -> None:
    import psycopg

    base = url.rsplit("/", 1)[0]
    try:
        with psycopg.connect(f"{base}/postgres", connect_timeout=3, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    except psycopg.Error:
        pass


def _migrate_template(database_url: str = "") -> Path:
    """Run ``babillard migrate`` once in a home of its own; return that home."""
    home = Path(tempfile.mkdtemp(prefix="babillard-fed-template-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    template = Instance(name="template", port=0, home=home, database_url=database_url)
    try:
        template.run("migrate", "-v", "0", timeout=240)
    finally:
        template.stop()
    return home


@functools.cache
def migrated_sqlite_template() -> Path:
    return _migrate_template() / "babillard.sqlite3"


def copy_migrated_sqlite(path: Path) -> None:
    """Write a migrated SQLite database at ``path``, a copy of the run's template."""
    with (
        contextlib.closing(sqlite3.connect(migrated_sqlite_template())) as template,
        contextlib.closing(sqlite3.connect(path)) as copy,
    ):
        template.backup(copy)


@functools.cache
def migrated_postgres_template(base: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", connect_timeout=3, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_TEMPLATE}")
    atexit.register(drop_database, f"{base}/{PG_TEMPLATE}", PG_TEMPLATE)
    _migrate_template(f"{base}/{PG_TEMPLATE}")


@dataclass
class Instance:
    name: str
    port: int
    home: Path
    database_url: str = ""
    process: subprocess.Popen[bytes] | None = None
    commands: subprocess.Popen[str] | None = None
    log: Any = None
    users: list[str] = field(default_factory=list)

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    def handle(self, username: str) -> str:
        return f"{username}@{self.domain}"

    def env(self) -> dict[str, str]:
        env = outside_environment()
        env.update(
            DJANGO_SETTINGS_MODULE="babillard.settings",
            BABILLARD_HOME=str(self.home),
            BABILLARD_DOMAIN=self.domain,
            BABILLARD_INSECURE_FEDERATION="1",
            BABILLARD_ALLOW_PRIVATE_ADDRESSES="1",
            BABILLARD_SECRET_KEY=f"multi-instance-{self.name}",
            BABILLARD_FEDERATION_RETRY_SECONDS="1",
            BABILLARD_LOG_LEVEL="WARNING",
        )
        if self.database_url:
            env["BABILLARD_DATABASE_URL"] = self.database_url
        return env

    def run(self, *args: str, timeout: float = 90) -> str:
        """Run one ``babillard`` management command through the instance's command session
        (``command_session``), started on first use; fail with the command's error."""
        if self.commands is None or self.commands.poll() is not None:
            self.commands = subprocess.Popen(
                [sys.executable, "-m", "babillard.core.tests.command_session"],
                cwd=ROOT,
                env=self.env(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
        assert self.commands.stdin is not None and self.commands.stdout is not None
        self.commands.stdin.write(json.dumps(args) + "\n")
        self.commands.stdin.flush()
        ready, _, _ = select.select([self.commands.stdout], [], [], timeout)
        line = self.commands.stdout.readline() if ready else ""
        if not line:
            self._stop_process(self.commands)
            self.commands = None
            raise AssertionError(f"{self.name}: babillard {' '.join(args)} gave no answer")
        answer = json.loads(line)
        if "error" in answer:
            raise AssertionError(
                f"{self.name}: babillard {' '.join(args)} failed:\n{answer['error']}"
            )
        return str(answer["output"])

    def migrate(self) -> None:
        """Give the instance a migrated database, copied from the run's template (on
        PostgreSQL ``postgres_url`` already made it from one)."""
        if not self.database_url:
            copy_migrated_sqlite(self.home / "babillard.sqlite3")

    def ctl(self, *args: str) -> Any:
        return json.loads(self.run("fedctl", *args).strip().splitlines()[-1])

    def shell(self, code: str, **values: Any) -> str:
        """Run Python ``code`` in the instance's Django, each key of ``values`` in it replaced
        by the value's JSON; return the last line it printed."""
        for key, value in values.items():
            code = code.replace(key, json.dumps(value))
        output = self.run("shell", "-c", code).strip().splitlines()
        return output[-1] if output else ""

    def token(self, username: str, scopes: str = "read write") -> str:
        """A fresh OAuth token of a local user's, as an app holding ``scopes`` would get."""
        return self.shell(ISSUE_TOKEN, USERNAME=username, SCOPES=scopes)

    def start(self) -> None:
        self.log = open(self.home / "server.log", "ab")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "babillard.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://{self.domain}/.well-known/nodeinfo", timeout=2).is_success:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        raise AssertionError(f"{self.name} did not start:\n{self.server_log()}")

    def stop(self) -> None:
        for process in (self.process, self.commands):
            if process is not None:
                self._stop_process(process)
        self.process = self.commands = None
        if self.log is not None:
            self.log.close()
            self.log = None

    @staticmethod
    def _stop_process(process: subprocess.Popen[Any]) -> None:
        if process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)

    def server_log(self) -> str:
        path = self.home / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


class ApiClient:
    """One account's client of an instance's APIs, or an anonymous one without ``username``."""

    def __init__(self, server: Instance, username: str = "", scopes: str = "read write") -> None:
        self.server = server
        headers = {"Accept-Language": "en"}
        if username:
            headers["Authorization"] = f"Bearer {server.token(username, scopes)}"
        self.http = httpx.Client(base_url=f"http://{server.domain}", headers=headers, timeout=60)

    def call(self, method: str, path: str, expect: int = 200, **options: Any) -> Any:
        """The JSON answer of one request, which must have the ``expect`` status."""
        response = self.http.request(method, path, **options)
        assert response.status_code == expect, (path, response.status_code, response.text)
        return response.json()


def wait_for(check: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS) -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}; last answer: {last!r}")


@pytest.fixture(scope="module")
def instances() -> Iterator[dict[str, Instance]]:
    base = Path(tempfile.mkdtemp(prefix="babillard-fed-"))
    servers = {
        name: Instance(name=name, port=free_port(), home=base / name) for name in ("a", "b", "c")
    }
    servers["c"].database_url = postgres_url() or ""
    try:
        for server in servers.values():
            server.home.mkdir(parents=True)
            server.migrate()
        for name, users in {"a": ["alice"], "b": ["bob"], "c": ["carol", "dan"]}.items():
            for user in users:
                servers[name].run(
                    "createuser", user, "--email", f"{user}@example.org", "--password", PASSWORD
                )
        for server in servers.values():
            server.start()
        yield servers
    finally:
        for server in servers.values():
            server.stop()
        shutil.rmtree(base, ignore_errors=True)
        if servers["c"].database_url:
            drop_database(servers["c"].database_url)
