"""The scale-out topology on loopback: two web processes and two task workers sharing
PostgreSQL and Redis (cache, streaming pub/sub), as ``deploy/`` runs them.

It checks that a post made through web process A reaches a streaming client connected
to web process B; that fan-out, a federation delivery and a scheduled post run on
whichever worker takes them, each job on exactly one; and that a worker killed with
SIGKILL in the middle of a fan-out loses nothing: the other worker runs the job again
and every follower's feed holds the post once.

It needs PostgreSQL and Redis, so it runs in the PostgreSQL pass of ``make test``
(``tools/require-services`` makes a missing service a failure on CI). Every process is
killed at the end, whatever happens; every wait is bounded.
"""

import contextlib
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from babillard.core.tests.servers import free_port, outside_environment

ROOT = Path(__file__).resolve().parents[2]
SUITE_DB = os.environ.get("BABILLARD_DATABASE_URL", "")
SUITE_REDIS = os.environ.get("BABILLARD_REDIS_URL", "")
DATABASE = f"babillard_scaleout_{os.getpid()}"
WAIT_SECONDS = 30
START_SECONDS = 120  # a process imports the whole site first: slow on a busy machine
FOLLOWERS = 4000  # enough for a fan-out to last long enough to be killed in its middle

pytestmark = pytest.mark.skipif(
    not (SUITE_DB.startswith(("postgres://", "postgresql://")) and SUITE_REDIS),
    reason="the scale-out topology needs PostgreSQL and Redis (the PostgreSQL pass)",
)

SETUP = """
import json
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from babillard.accounts.models import Account, Follow
from babillard.core.testing import make_account

author = make_account("autrice")
reader = make_account("lecteur")
Follow.objects.create(account=reader, target=author)
remote = Account.objects.create(
    username="distant", domain="sink.test", uri="http://127.0.0.1:{sink}/actor",
    inbox_url="http://127.0.0.1:{sink}/inbox",
)
Follow.objects.create(account=remote, target=author)
crowd = Account.objects.bulk_create(
    Account(username=f"abonne{{i}}", uri=f"http://127.0.0.1/users/abonne{{i}}")
    for i in range({followers})
)
big = make_account("bibliotheque")
Follow.objects.bulk_create(Follow(account=a, target=big) for a in [*crowd, reader])
Account.objects.filter(pk=author.pk).update(followers_count=2)
app = Application.objects.create(
    name="scaleout", client_type="confidential",
    authorization_grant_type="authorization-code", redirect_uris="urn:ietf:wg:oauth:2.0:oob",
)
tokens = {{}}
for account in (author, reader, big):
    tokens[account.username] = AccessToken.objects.create(
        user=account.user, application=app, token=f"scaleout-{{account.username}}",
        scope="read write", expires=timezone.now() + timezone.timedelta(days=1),
    ).token
print(json.dumps(tokens))
"""


def _wait(what: str, check: Callable[[], Any], seconds: float = WAIT_SECONDS) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Sink(http.server.BaseHTTPRequestHandler):
    """A remote inbox that keeps what it receives."""

    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Sink.received.append({"signature": self.headers.get("Signature", ""), "body": body})
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


class Topology:
    def __init__(self, home: Path, database_url: str, sink_port: int) -> None:
        self.home, self.database_url, self.sink_port = home, database_url, sink_port
        self.webs: list[tuple[int, subprocess.Popen[bytes]]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        self.log = open(home / "processes.log", "ab")  # noqa: SIM115 (closed in stop)

    def env(self) -> dict[str, str]:
        env = outside_environment()
        env.update(
            DJANGO_SETTINGS_MODULE="babillard.settings",
            BABILLARD_HOME=str(self.home),
            BABILLARD_DOMAIN="127.0.0.1",
            BABILLARD_SECRET_KEY="scale-out-test",
            BABILLARD_DATABASE_URL=self.database_url,
            BABILLARD_REDIS_URL=SUITE_REDIS,
            BABILLARD_CACHE_PREFIX=DATABASE,
            BABILLARD_INSECURE_FEDERATION="1",
            BABILLARD_ALLOW_PRIVATE_ADDRESSES="1",
            BABILLARD_WORKER_HEARTBEAT="1",
            BABILLARD_LOG_LEVEL="WARNING",
        )
        return env

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "babillard.cli", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            timeout=START_SECONDS * 3,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode()[-3000:]
        return done.stdout.decode()

    def start_web(self) -> int:
        port = free_port()
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "babillard.cli", "serve", "--no-worker"),
                *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
            ],
            cwd=ROOT,
            env=self.env(),
            stdout=self.log,
            stderr=self.log,
        )
        self.webs.append((port, process))
        return port

    def start_worker(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-m", "babillard.cli", "worker"],
            cwd=ROOT,
            env=self.env(),
            stdout=self.log,
            stderr=self.log,
        )
        self.workers.append(process)
        return process

    def stop(self) -> None:
        for process in [p for _, p in self.webs] + self.workers:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        self.log.close()


def _admin(url: str) -> Any:
    import psycopg

    return psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True)


@pytest.fixture
def topology() -> Iterator[Topology]:
    database_url = SUITE_DB.rsplit("/", 1)[0] + "/" + DATABASE
    with _admin(SUITE_DB) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    sink = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    home = Path(tempfile.mkdtemp(prefix="babillard-scaleout-"))
    running = Topology(home, database_url, sink.server_address[1])
    try:
        yield running
    finally:
        running.stop()
        sink.shutdown()
        shutil.rmtree(home, ignore_errors=True)
        with _admin(SUITE_DB) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def _tasks(database_url: str, path_part: str) -> list[tuple[str, list[str], str]]:
    """(status, worker ids, arguments) of the tasks whose path contains ``path_part``."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT status, worker_ids, args_kwargs::text FROM django_tasks_database_dbtaskresult"
            " WHERE task_path LIKE %s ORDER BY enqueued_at",
            (f"%{path_part}%",),
        ).fetchall()
    return [(status, list(workers), arguments) for status, workers, arguments in rows]


def _feed_count(database_url: str, status_id: int) -> tuple[int, int]:
    """Feed entries holding ``status_id``, and distinct readers among them."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT owner_id) FROM timelines_homefeedentry"
            " WHERE status_id = %s",
            (status_id,),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


class StreamReader(threading.Thread):
    """A client of one web process's server-sent user stream, collecting event payloads."""

    def __init__(self, port: int, token: str) -> None:
        super().__init__(daemon=True)
        self.url = f"http://127.0.0.1:{port}/api/v1/streaming/user"
        self.token, self.events, self.ready = token, [], threading.Event()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with (
            contextlib.suppress(httpx.HTTPError),
            httpx.stream("GET", self.url, headers=headers, timeout=WAIT_SECONDS) as answer,
        ):
            self.ready.set()
            event = ""
            for line in answer.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event == "update":
                    self.events.append(json.loads(line.split(":", 1)[1]))


def test_two_web_processes_and_two_workers_share_the_work(topology: Topology) -> None:
    began = time.monotonic()
    topology.run("migrate", "--no-input", "-v0")
    print(f"migrated after {time.monotonic() - began:.1f} s")
    setup = SETUP.format(sink=topology.sink_port, followers=FOLLOWERS)
    tokens = json.loads(topology.run("shell", "-c", setup).strip().splitlines()[-1])
    print(f"set up after {time.monotonic() - began:.1f} s")
    port_a, port_b = topology.start_web(), topology.start_web()
    first, second = topology.start_worker(), topology.start_worker()
    for port in (port_a, port_b):
        _wait(f"web process on {port}", lambda p=port: _answers(p), START_SECONDS)

    print(f"serving after {time.monotonic() - began:.1f} s")
    # A post through process A reaches a streaming client of process B.
    reader = StreamReader(port_b, tokens["lecteur"])
    reader.start()
    assert reader.ready.wait(WAIT_SECONDS)
    time.sleep(0.5)  # the stream subscribes to Redis once its response has started
    author = {"Authorization": f"Bearer {tokens['autrice']}"}
    posted = httpx.post(
        f"http://127.0.0.1:{port_a}/api/v1/statuses",
        headers=author,
        data={"status": "Ouverture tardive ce soir #bibliothèques"},
        timeout=WAIT_SECONDS,
    )
    assert posted.status_code == 200, posted.text
    status_id = posted.json()["id"]
    _wait(
        "the post on process B's stream", lambda: any(e["id"] == status_id for e in reader.events)
    )

    # Fan-out and delivery ran, each on one worker; the sink received one signed Create.
    _wait("the delivery", lambda: Sink.received)
    delivered = [json.loads(r["body"]) for r in Sink.received]
    assert [d["type"] for d in delivered] == ["Create"]
    assert Sink.received[0]["signature"]
    worker_ids = {f"{socket.gethostname()[:40]}-{p.pid}" for p in (first, second)}
    for part in ("fan_out", "deliver"):
        done = _wait(
            f"{part} finished",
            lambda part=part: (
                [t for t in _tasks(topology.database_url, part) if t[0] != "READY"]
                and all(t[0] == "SUCCESSFUL" for t in _tasks(topology.database_url, part))
                and _tasks(topology.database_url, part)
            ),
        )
        assert all(len(t[1]) == 1 and t[1][0] in worker_ids for t in done), done

    # A scheduled post due now is published once, by whichever worker takes it.
    topology.run("shell", "-c", SCHEDULE)
    home_b = f"http://127.0.0.1:{port_b}/api/v1/timelines/home"
    reader_auth = {"Authorization": f"Bearer {tokens['lecteur']}"}
    _wait(
        "the scheduled post in the reader's home",
        lambda: any(
            "programmée" in s["content"]
            for s in httpx.get(home_b, headers=reader_auth, timeout=WAIT_SECONDS).json()
        ),
    )
    scheduled = _tasks(topology.database_url, "publish_scheduled")
    assert [t[0] for t in scheduled] == ["SUCCESSFUL"]
    assert len(scheduled[0][1]) == 1

    # A worker killed with SIGKILL in the middle of a fan-out: the other runs it again.
    big = {"Authorization": f"Bearer {tokens['bibliotheque']}"}
    for attempt in range(3):
        posted = httpx.post(
            f"http://127.0.0.1:{port_a}/api/v1/statuses",
            headers=big,
            data={"status": f"Fermeture exceptionnelle {attempt}"},
            timeout=WAIT_SECONDS,
        )
        big_id = int(posted.json()["id"])
        running = _wait(
            "the big fan-out to start",
            lambda big_id=big_id: [
                t
                for t in _tasks(topology.database_url, "fan_out")
                if str(big_id) in t[2] and t[0] in ("RUNNING", "SUCCESSFUL")
            ],
        )[0]
        if running[0] == "RUNNING":
            victim = next(p for p in topology.workers if running[1][-1].endswith(f"-{p.pid}"))
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(timeout=10)
            break
    else:
        pytest.fail("every big fan-out finished before it could be killed")
    rerun = _wait(
        "the killed fan-out to run again",
        lambda: [
            t
            for t in _tasks(topology.database_url, "fan_out")
            if str(big_id) in t[2] and t[0] == "SUCCESSFUL"
        ],
        seconds=WAIT_SECONDS * 2,
    )[0]
    assert len(rerun[1]) == 2 and rerun[1][0] != rerun[1][1]
    entries, readers = _feed_count(topology.database_url, big_id)
    assert entries == readers == FOLLOWERS + 2  # the crowd, the reader, the author


SCHEDULE = """
from datetime import timedelta
from django.utils import timezone
from babillard.accounts.models import Account
from babillard.statuses.models import ScheduledStatus
from babillard.statuses.tasks import publish_scheduled_status
author = Account.objects.get(username="autrice", domain="")
scheduled = ScheduledStatus.objects.create(
    account=author, scheduled_at=timezone.now() - timedelta(seconds=1),
    params={
        "text": "Lecture programmée à midi", "visibility": "public", "spoiler_text": "",
        "sensitive": False, "language": "fr", "local_only": False,
        "in_reply_to_id": None, "poll": None,
    },
)
publish_scheduled_status.enqueue(scheduled.pk)
"""


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
