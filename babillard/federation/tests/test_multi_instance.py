"""Three real Babillard servers on loopback federating with each other.

Each instance is its own ``babillard serve`` process (uvicorn plus a task
worker) with its own home and database; one runs on PostgreSQL when a server
is reachable. The test drives them with ``babillard fedctl``, which calls the
same services as the web pages, and checks what arrives on the other side.
Every process is killed at the end, whatever happens; every wait is bounded.
"""

import atexit
import contextlib
import functools
import json
import os
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
PASSWORD = "correct-horse-battery-staple"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _postgres_url() -> str | None:
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
            _migrated_postgres_template(base)
            with psycopg.connect(f"{base}/postgres", connect_timeout=3, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
                conn.execute(f"CREATE DATABASE {PG_DATABASE} TEMPLATE {PG_TEMPLATE}")
        except psycopg.Error:
            continue
        return f"{base}/{PG_DATABASE}"
    return None


def _drop_database(url: str, name: str = PG_DATABASE) -> None:
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
    Instance(name="template", port=0, home=home, database_url=database_url).run(
        "migrate", "-v", "0", timeout=240
    )
    return home


@functools.cache
def _migrated_sqlite_template() -> Path:
    return _migrate_template() / "babillard.sqlite3"


@functools.cache
def _migrated_postgres_template(base: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", connect_timeout=3, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_TEMPLATE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_TEMPLATE}")
    atexit.register(_drop_database, f"{base}/{PG_TEMPLATE}", PG_TEMPLATE)
    _migrate_template(f"{base}/{PG_TEMPLATE}")


@dataclass
class Instance:
    name: str
    port: int
    home: Path
    database_url: str = ""
    process: subprocess.Popen[bytes] | None = None
    log: Any = None
    users: list[str] = field(default_factory=list)

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    def handle(self, username: str) -> str:
        return f"{username}@{self.domain}"

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("BABILLARD_", "DJANGO_")) and k != "PYTEST_CURRENT_TEST"
        }
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
        done = subprocess.run(
            [sys.executable, "-m", "babillard.cli", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise AssertionError(
                f"{self.name}: babillard {' '.join(args)} failed:\n{done.stderr.decode()[-3000:]}"
            )
        return done.stdout.decode()

    def migrate(self) -> None:
        """Give the instance a migrated database, copied from the run's template (on
        PostgreSQL ``_postgres_url`` already made it from one)."""
        if self.database_url:
            return
        with (
            contextlib.closing(sqlite3.connect(_migrated_sqlite_template())) as template,
            contextlib.closing(sqlite3.connect(self.home / "babillard.sqlite3")) as copy,
        ):
            template.backup(copy)

    def ctl(self, *args: str) -> Any:
        return json.loads(self.run("fedctl", *args).strip().splitlines()[-1])

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
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.process = None
        if self.log is not None:
            self.log.close()
            self.log = None

    def server_log(self) -> str:
        path = self.home / "server.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


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
        name: Instance(name=name, port=_free_port(), home=base / name) for name in ("a", "b", "c")
    }
    servers["c"].database_url = _postgres_url() or ""
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
            _drop_database(servers["c"].database_url)


def _home_uris(server: Instance, username: str) -> list[str]:
    return [s["uri"] for s in server.ctl("home", username)]


@pytest.mark.own_databases
def test_three_instances_federate(instances: dict[str, Instance]) -> None:
    a, b, c = instances["a"], instances["b"], instances["c"]

    # Follow across instances: an open account accepts at once.
    assert a.ctl("follow", "alice", b.handle("bob")) == {"relation": "FollowRequest"}
    wait_for(lambda: b.handle("bob") in a.ctl("relationship", "alice")["following"], "Accept")
    assert b.ctl("relationship", "bob")["followers"] == [a.handle("alice")]

    # A locked account's approval.
    c.ctl("profile", "carol", "--locked", "yes")
    a.ctl("follow", "alice", c.handle("carol"))
    wait_for(lambda: c.ctl("relationship", "carol")["requests"] == [a.handle("alice")], "request")
    assert c.handle("carol") not in a.ctl("relationship", "alice")["following"]
    c.ctl("accept", "carol", a.handle("alice"))
    wait_for(lambda: c.handle("carol") in a.ctl("relationship", "alice")["following"], "approval")
    c.ctl("follow", "dan", b.handle("bob"))
    wait_for(lambda: c.handle("dan") in b.ctl("relationship", "bob")["followers"], "dan follows")

    # A post reaches remote followers' home timelines, with its hashtag.
    post = b.ctl("post", "bob", "Nouvelle salle de lecture #bibliotheque")
    wait_for(lambda: post["uri"] in _home_uris(a, "alice"), "post in alice's home")
    wait_for(lambda: post["uri"] in _home_uris(c, "dan"), "post in dan's home")
    assert a.ctl("status", post["uri"])["tags"] == ["bibliotheque"]

    # A reply threads on the author's instance; boosts and favourites are counted there.
    reply = a.ctl("post", "alice", f"@{b.handle('bob')} bravo !", "--reply-to", post["uri"])
    a.ctl("boost", "alice", post["uri"])
    a.ctl("favourite", "alice", post["uri"])
    wait_for(
        lambda: (b.ctl("status", reply["uri"]) or {}).get("in_reply_to") == post["uri"],
        "reply on bob's instance",
    )
    counts = wait_for(
        lambda: (
            (s := b.ctl("status", post["uri"]))
            and (s["replies_count"], s["reblogs_count"], s["favourites_count"]) == (1, 1, 1)
            and s
        ),
        "counts on bob's instance",
    )
    assert counts["uri"] == post["uri"]

    # An edit and a delete propagate.
    b.ctl("edit", "bob", post["uri"], "Salle de lecture rouverte")
    wait_for(lambda: a.ctl("status", post["uri"])["text"] == "Salle de lecture rouverte", "edit")
    wait_for(lambda: c.ctl("status", post["uri"])["edited"], "edit on c")
    b.ctl("delete", "bob", post["uri"])
    wait_for(lambda: a.ctl("status", post["uri"]) is None, "delete on a")
    wait_for(lambda: c.ctl("status", post["uri"]) is None, "delete on c")

    # A direct message reaches only its recipient, though dan follows bob too.
    direct = b.ctl("post", "bob", f"@{a.handle('alice')} entre nous", "--visibility", "direct")
    wait_for(lambda: direct["uri"] in _home_uris(a, "alice"), "direct message to alice")
    assert a.ctl("status", direct["uri"])["visibility"] == "direct"
    public = b.ctl("post", "bob", "Pour tout le monde")
    wait_for(lambda: public["uri"] in _home_uris(c, "dan"), "sync point on c")
    assert c.ctl("status", direct["uri"]) is None
    assert direct["uri"] not in _home_uris(c, "dan")

    # A delivery to an instance that is down arrives after it comes back.
    b.stop()
    late = a.ctl("post", "alice", f"@{b.handle('bob')} tu es là ?")
    wait_for(
        lambda: any(
            d["domain"] == b.domain and d["state"] == "retrying" for d in a.ctl("deliveries")
        ),
        "a failed delivery to the stopped instance",
    )
    b.start()
    wait_for(lambda: b.ctl("status", late["uri"]), "delivery after the restart", timeout=90)

    # A block stops everything: follows are cut both ways and nothing more arrives.
    b.ctl("block", "bob", a.handle("alice"))
    wait_for(lambda: b.handle("bob") not in a.ctl("relationship", "alice")["following"], "block")
    after_block = b.ctl("post", "bob", "Après le blocage")
    wait_for(lambda: after_block["uri"] in _home_uris(c, "dan"), "sync point after block")
    assert a.ctl("status", after_block["uri"]) is None

    # A domain block: c refuses everything from a.
    c.ctl("domain-block", a.domain)
    blocked = a.ctl("post", "alice", f"@{c.handle('carol')} tu me reçois ?")
    wait_for(
        lambda: any(
            d["domain"] == c.domain and d["state"] == "abandoned" for d in a.ctl("deliveries")
        ),
        "c refusing a's delivery",
    )
    assert c.ctl("status", blocked["uri"]) is None

    # A report forwarded to the reported account's server arrives there as a Flag.
    flagged = b.ctl("post", "bob", "Un message à signaler")
    wait_for(lambda: flagged["uri"] in _home_uris(c, "dan"), "post to report on c")
    c.ctl("report", "dan", b.handle("bob"), "Hors sujet", "--status", flagged["uri"])
    reports = wait_for(lambda: b.ctl("reports"), "Flag on bob's instance")
    assert reports[0]["target"] == "bob" and reports[0]["comment"] == "Hors sujet"
    assert reports[0]["statuses"] == [flagged["uri"]]
    assert reports[0]["reporter"].endswith(f"@{c.domain}") and "dan" not in reports[0]["reporter"]

    # A person hiding a server: its accounts stop following them there too.
    b.ctl("hide-domain", "bob", c.domain)
    wait_for(
        lambda: b.handle("bob") not in c.ctl("relationship", "dan")["following"],
        "dan's follow ended on c",
    )
    assert c.handle("dan") not in b.ctl("relationship", "bob")["followers"]
