"""``python -m bench.chaos``: faults under load, then a check that nothing was lost.

On its own PostgreSQL cluster and its own Redis server (started here on free ports, never
the machine's), with its media folder on a 20 MB tmpfs, the main instance is loaded with
``babillard benchdata``, served by ``babillard serve --no-worker`` beside one
``babillard worker``, both under a supervisor that restarts an exited process after 2 s
(what ``Restart=always`` does in deploy/systemd). A second Babillard instance on loopback
(the sink, SQLite) has an account following the account every local account follows.

While the benchmark's steady mixed load runs (``bench.harness.mixed``, wrk) and a prober
posts, follows and uploads through the client API, recording every answer, the faults
come one after the other: ``kill -9`` of the web server, ``kill -9`` of the worker, a
restart of PostgreSQL, a restart of Redis, a full media disk. After each, the service must
answer again by itself; the steady load that follows must get no error at all.

Then the checker proves, once the queue is drained: every post answered 200 exists, every
follow answered 200 holds, every uploaded image answered 200 has its file, every home feed
holds the posts its owner should see, every post reached the sink exactly once, and still
once after every delivery is sent again. Counts are printed as tables.

``python -m bench.chaos child <command> <json>`` runs the Django side of a check in a child
process (one per database, as ``bench.ops``).
"""

import argparse
import contextlib
import errno
import glob
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import (
    PASSWORD,
    ROOT,
    Server,
    Session,
    ensure_wrk,
    free_port,
    fresh_environment,
    log,
    manage,
    mixed,
    ops,
    run_json,
)

ACCOUNTS = 300
POSTS = 3000
RATE = 20  # requests per second of the steady mixed load
STEADY_SECONDS = 20.0
FAULT_SECONDS = 25.0
FAULT_AT = 3.0  # seconds into the fault segment
GRACE = 2.0  # seconds after recovery still counted in the fault window
RESTART_SECONDS = 2.0  # RestartSec= of deploy/systemd
MEDIA_DISK = "20m"
SINK_USER = "puits"
NATIONAL = "biblio_nationale"


# -- own database servers ----------------------------------------------------------------


def _as_owner(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its commands as ``postgres`` then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class OwnPostgres:
    """A throw-away PostgreSQL cluster in a temporary folder, on a free port."""

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not binaries:
            raise SystemExit("PostgreSQL's server is not installed (/usr/lib/postgresql)")
        self.bin = Path(binaries[-1])
        self.folder = Path(tempfile.mkdtemp(prefix="babillard-chaos-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--no-sync")  # fmt: skip
        self._ctl("start")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        subprocess.run(_as_owner(list(command)), check=True, capture_output=True, timeout=120)

    def _ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.folder / "server.log"), "-o", options, "-w", action, *extra)  # fmt: skip

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def close(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self._ctl("stop", "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


class OwnRedis:
    """A Redis server of its own on a free port, without persistence."""

    def __init__(self) -> None:
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="babillard-chaos-redis-"))
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def url(self, number: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{number}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        import redis

        wait_until(lambda: redis.Redis(port=self.port).ping(), "redis-server", 30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def wait_until(check: Callable[[], Any], what: str, seconds: float) -> float:
    """Poll ``check`` until it is truthy without raising; return the time it took."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        with contextlib.suppress(Exception):
            if check():
                return time.monotonic() - began
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come back within {seconds:g} s")


# -- the network and its load -------------------------------------------------------------


def load_network(env: dict[str, str], accounts: int, posts: int) -> None:
    """Migrate the fresh database of ``env`` and fill it with ``babillard benchdata``."""
    manage(env, "migrate", "--no-input", "-v0")
    log(f"loading {accounts} accounts, {posts} posts")
    run_json([sys.executable, "-m", "babillard.cli", "benchdata", "--json", "--accounts",
              str(accounts), "--posts", str(posts), "--password", PASSWORD], env)  # fmt: skip


def mixed_context(env: dict[str, str], base: str) -> dict[str, Any]:
    """What the benchmark's mixed load needs: paths, a session logged in through the
    form, an API token."""
    browser = Session(base)
    if not browser.log_in("lecteur", PASSWORD):
        raise RuntimeError("could not log in through the form")
    return {
        "found": ops(env, "discover"),
        "browser": browser,
        "cookie": browser.header(),
        "token": ops(env, "token")["token"],
    }


def mixed_segment(
    server: Server, context: dict[str, Any], rate: int, seconds: float
) -> dict[str, Any]:
    """One segment of the benchmark's mixed load (wrk), at ``rate`` requests/s."""
    settings = argparse.Namespace(mixed_rate=rate, mixed_seconds=seconds)
    return mixed(server, context["found"], context["browser"], context["cookie"],
                 context["token"], settings)  # fmt: skip


# -- the supervised main instance --------------------------------------------------------


class Supervisor:
    """The web server and one worker, each started again 2 s after it exits."""

    def __init__(self, env: dict[str, str], port: int):
        self.env, self.port = env, port
        self.web = Server(env, "serve", 1, port=port)
        self.worker = self._start_worker()
        self.restarts = {"web": 0, "worker": 0}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _start_worker(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "babillard.cli", "worker"],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            if self.web.process.poll() is not None:
                self.web.stop()
                time.sleep(RESTART_SECONDS)
                with contextlib.suppress(RuntimeError):  # tried again on the next round
                    self.web = Server(self.env, "serve", 1, port=self.port)
                    self.restarts["web"] += 1
            if self.worker.poll() is not None:
                time.sleep(RESTART_SECONDS)
                self.worker = self._start_worker()
                self.restarts["worker"] += 1

    def kill(self, name: str) -> int:
        process = self.web.process if name == "web" else self.worker
        os.kill(process.pid, signal.SIGKILL)
        return process.pid

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.web.stop()
        self.worker.terminate()
        try:
            self.worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.worker.kill()


# -- the prober: writes through the client API, every answer recorded -------------------


@dataclass
class Answer:
    at: float
    kind: str
    status: int  # 0: no answer (connection refused, reset, timed out)
    key: str = ""  # the id created, or the account followed


@dataclass
class Prober:
    base: str
    author_token: str
    follower_token: str
    targets: list[int]
    answers: list[Answer] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def request(self, path: str, token: str, body: bytes, content_type: str) -> tuple[int, Any]:
        request = urllib.request.Request(  # noqa: S310
            self.base + path,
            data=body,
            headers={
                "Authorization": f"Bearer {token}",
                "Content-Type": content_type,
                "Idempotency-Key": uuid.uuid4().hex,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310
                return answer.status, json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, None
        except (OSError, ValueError):
            return 0, None

    def post(self, number: int) -> None:
        body = urllib.parse.urlencode(
            {"status": f"Sonde {number} #chaos", "visibility": "public"}
        ).encode()
        self._record("post", *self.request("/api/v1/statuses", self.author_token, body,
                                           "application/x-www-form-urlencoded"))  # fmt: skip

    def follow(self) -> None:
        if not self.targets:
            return
        target = self.targets.pop()
        code, _ = self.request(f"/api/v1/accounts/{target}/follow", self.follower_token, b"",
                               "application/x-www-form-urlencoded")  # fmt: skip
        self.answers.append(Answer(time.monotonic(), "follow", code, str(target)))

    def upload(self) -> int:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="sonde.png"\r\nContent-Type: image/png\r\n\r\n'
            ).encode()
            + tiny_png()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        code, entity = self.request("/api/v2/media", self.author_token, body,
                                    f"multipart/form-data; boundary={boundary}")  # fmt: skip
        self._record("media", code, entity)
        return code

    def _record(self, kind: str, code: int, entity: Any) -> None:
        key = str(entity.get("id", "")) if code == 200 and isinstance(entity, dict) else ""
        self.answers.append(Answer(time.monotonic(), kind, code, key))

    def run(self) -> None:
        number = 0
        while not self.stop.wait(0.4):
            number += 1
            if number % 5 == 0:
                self.follow()
            elif number % 7 == 0:
                self.upload()
            else:
                self.post(number)


def tiny_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


# -- the faults --------------------------------------------------------------------------


@dataclass
class Fault:
    name: str
    began: float = 0.0
    recovered: float = 0.0
    note: str = ""
    steady: dict[str, Any] = field(default_factory=dict)
    during: dict[str, Any] = field(default_factory=dict)

    def window(self) -> tuple[float, float]:
        return self.began, self.recovered + GRACE


def fill(folder: Path) -> Path:
    """Write into ``folder`` until its file system is full; return the file written."""
    filler = folder / "chaos-filler"
    chunk = b"\0" * (1 << 20)
    with filler.open("wb") as out:
        try:
            while True:
                out.write(chunk)
                out.flush()
        except OSError as error:
            if error.errno != errno.ENOSPC:
                raise
    return filler


class Chaos:
    def __init__(self, options: argparse.Namespace):
        self.options = options
        self.home = Path(tempfile.mkdtemp(prefix="babillard-chaos-"))
        self.media = self.home / "media"
        self.media.mkdir()
        self.disk = "tmpfs"
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={MEDIA_DISK}", "tmpfs", str(self.media)],
            capture_output=True,
            check=False,
        )
        if mounted.returncode != 0:
            self.disk = ""  # neither root nor a tmpfs: the disk fault is left out, and said
        self.postgres = OwnPostgres()
        self.redis = OwnRedis()
        self.port = free_port()
        self.env = fresh_environment(
            "postgresql", self.home, self.postgres.url("babillard_chaos"), self.redis.url()
        )
        self.env.update(
            BABILLARD_DOMAIN=f"127.0.0.1:{self.port}",
            BABILLARD_INSECURE_FEDERATION="1",
            BABILLARD_ALLOW_PRIVATE_ADDRESSES="1",
            BABILLARD_FEDERATION_RETRY_SECONDS="1",
            BABILLARD_WORKER_HEARTBEAT="2",
        )
        self.sink: Any = None
        self.supervisor: Supervisor | None = None
        self.faults: list[Fault] = []
        self.quiet: list[dict[str, Any]] = []

    def close(self) -> None:
        if self.supervisor is not None:
            self.supervisor.close()
        if self.sink is not None:
            self.sink.stop()
            shutil.rmtree(self.sink.home, ignore_errors=True)
        self.redis.close()
        self.postgres.close()
        if self.disk:
            subprocess.run(["umount", "-l", str(self.media)], check=False)
        shutil.rmtree(self.home, ignore_errors=True)

    # set-up

    def prepare(self) -> dict[str, Any]:
        load_network(self.env, ACCOUNTS, POSTS)
        self.supervisor = Supervisor(self.env, self.port)
        self._start_sink()
        return child(self.env, "prepare", {})

    def _start_sink(self) -> None:
        from babillard.federation.tests.test_multi_instance import Instance

        home = Path(tempfile.mkdtemp(prefix="babillard-chaos-sink-"))
        self.sink = Instance(name="sink", port=free_port(), home=home)
        self.sink.migrate()
        self.sink.run("createuser", SINK_USER, "--email", "puits@example.org",
                      "--password", PASSWORD)  # fmt: skip
        self.sink.start()
        national = f"{NATIONAL}@127.0.0.1:{self.port}"
        self.sink.ctl("follow", SINK_USER, national)
        wait_until(
            lambda: national in self.sink.ctl("relationship", SINK_USER)["following"],
            "the sink's follow",
            60,
        )

    # the run

    def recovered(self, fault: Fault, check: Callable[[], Any]) -> None:
        wait_until(check, fault.name, 120)
        fault.recovered = time.monotonic()

    def answering(self, token: str) -> Callable[[], bool]:
        assert self.supervisor is not None

        def check() -> bool:
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.port}/api/v1/timelines/home?limit=1",
                headers={"Authorization": f"Bearer {token}"},
            )
            with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
                return bool(answer.status == 200)

        return check

    def inject(self, fault: Fault, prober: "Prober") -> None:
        assert self.supervisor is not None
        answering = self.answering(prober.follower_token)
        fault.began = time.monotonic()
        if fault.name in ("web", "worker"):
            killed = self.supervisor.kill(fault.name)
            fault.note = f"kill -9 {killed}"

            def back() -> bool:
                assert self.supervisor is not None
                process = (
                    self.supervisor.web.process if fault.name == "web" else self.supervisor.worker
                )
                return process.pid != killed and process.poll() is None and answering()

            self.recovered(fault, back)
        elif fault.name == "postgresql":
            self.postgres.restart()
            fault.note = "pg_ctl restart -m fast"
            self.recovered(fault, answering)
        elif fault.name == "redis":
            self.redis.restart()
            fault.note = "redis-server stopped and started"
            self.recovered(fault, answering)
        else:
            filler = fill(self.media)
            refused = prober.upload()
            fault.note = (
                f"media tmpfs of {MEDIA_DISK} full for 8 s (an upload then: {refused}), freed"
            )
            time.sleep(8)
            filler.unlink()
            self.recovered(fault, answering)

    def load(self, context: dict[str, Any], seconds: float) -> dict[str, Any]:
        assert self.supervisor is not None
        run = mixed_segment(self.supervisor.web, context, RATE, seconds)
        return {k: run[k] for k in ("requests", "errors", "status_errors", "timeouts", "p99_ms")}

    def run(self) -> dict[str, Any]:
        prepared = self.prepare()
        assert self.supervisor is not None
        base = f"http://127.0.0.1:{self.port}"
        context = mixed_context(self.env, base)
        prober = Prober(base, prepared["author_token"], prepared["follower_token"],
                        list(prepared["targets"]))  # fmt: skip
        probing = threading.Thread(target=prober.run, daemon=True)
        probing.start()
        self.quiet.append({"after": "start", **self.load(context, STEADY_SECONDS)})
        names = ["web", "worker", "postgresql", "redis"] + (["disk"] if self.disk else [])
        for name in names:
            fault = Fault(name)
            log(f"chaos: fault {name}")
            segment: dict[str, Any] = {}
            loading = threading.Thread(
                target=lambda out=segment: out.update(self.load(context, FAULT_SECONDS))
            )
            loading.start()
            time.sleep(FAULT_AT)
            self.inject(fault, prober)
            loading.join()
            fault.during = segment
            log(f"chaos: {name} recovered in {fault.recovered - fault.began:.1f} s")
            fault.steady = self.load(context, STEADY_SECONDS)
            self.faults.append(fault)
        prober.stop.set()
        probing.join()
        return self.check(prober.answers, prepared)

    # the checks

    def check(self, answers: list[Answer], prepared: dict[str, Any]) -> dict[str, Any]:
        windows = [fault.window() for fault in self.faults]

        def in_window(answer: Answer) -> bool:
            return any(began <= answer.at <= end for began, end in windows)

        accepted = {
            kind: [a.key for a in answers if a.kind == kind and a.status == 200]
            for kind in ("post", "follow", "media")
        }
        log("chaos: draining the queue and checking")
        main = child(self.env, "verify", {
            "posts": accepted["post"], "follows": accepted["follow"],
            "media": accepted["media"], "follower": prepared["follower_id"],
            "sink": self.sink.domain,
        })  # fmt: skip
        sink = child(self.sink.env(), "arrived", {"uris": main["uris"], "user": SINK_USER})
        replayed = child(self.env, "replay", {"sink": self.sink.domain})
        time.sleep(2)
        again = child(self.sink.env(), "arrived", {"uris": main["uris"], "user": SINK_USER})
        assert self.supervisor is not None
        return {
            "faults": [
                {
                    "fault": f.name,
                    "how": f.note,
                    "recovered_seconds": round(f.recovered - f.began, 1),
                    "during": f.during,
                    "steady_after": f.steady,
                    "prober": _tally([a for a in answers if f.began <= a.at <= f.window()[1]]),
                }
                for f in self.faults
            ],
            "steady_before": self.quiet,
            "prober_outside_windows": _tally([a for a in answers if not in_window(a)]),
            "prober_total": _tally(answers),
            "supervisor_restarts": self.supervisor.restarts,
            "main": main,
            "sink": sink,
            "replayed": replayed,
            "sink_after_replay": again,
            "disk": self.disk or "none (no tmpfs: the disk fault was left out)",
        }


def _tally(answers: list[Answer]) -> dict[str, int]:
    return {
        "requests": len(answers),
        "ok": sum(1 for a in answers if a.status == 200),
        "4xx": sum(1 for a in answers if 400 <= a.status < 500),
        "5xx": sum(1 for a in answers if a.status >= 500),
        "no_answer": sum(1 for a in answers if a.status == 0),
    }


def child(env: dict[str, str], command: str, payload: dict[str, Any]) -> dict[str, Any]:
    return run_json(
        [sys.executable, "-m", "bench.chaos", "child", command, json.dumps(payload)], env
    )


# -- the Django side, in a child process -------------------------------------------------


def _prepare(_: dict[str, Any]) -> dict[str, Any]:
    """Tokens of the posting account and of a following one, and accounts it may follow."""
    from babillard.accounts.models import Account
    from bench import ops as bench_ops

    follower = (
        Account.objects.filter(domain="", kind="person")
        .exclude(username__in=["lecteur", NATIONAL])
        .order_by("pk")
        .first()
    )
    assert follower is not None
    targets = list(
        Account.objects.filter(domain="")
        .exclude(pk__in=follower.following_rel.values("target_id"))
        .exclude(pk=follower.pk)
        .values_list("pk", flat=True)[:200]
    )
    return {
        "author_token": bench_ops.token(argparse.Namespace(reader=NATIONAL))["token"],
        "follower_token": bench_ops.token(argparse.Namespace(reader=follower.username))["token"],
        "follower_id": follower.pk,
        "targets": targets,
    }


def _drain(sink: str) -> dict[str, int]:
    """Wait until no task and no delivery to the sink is left to do (at most 5 minutes)."""
    from django.db import close_old_connections
    from django_tasks_db.models import DBTaskResult, TaskResultStatus

    from babillard.federation.models import Delivery, DeliveryState

    def left() -> int:
        close_old_connections()
        tasks = DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).count()
        deliveries = (
            Delivery.objects.filter(domain=sink)
            .exclude(state__in=[DeliveryState.DELIVERED, DeliveryState.ABANDONED])
            .count()
        )
        return tasks + deliveries

    deadline = time.monotonic() + 300
    while left() and time.monotonic() < deadline:
        time.sleep(1)
    return {
        "left_undone": left(),
        "tasks_failed": DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count(),
    }


def _verify(payload: dict[str, Any]) -> dict[str, Any]:
    from django.core.files.storage import default_storage

    from babillard.accounts.models import Follow
    from babillard.federation.models import Delivery
    from babillard.statuses.models import MediaAttachment, Status
    from babillard.timelines import services as timeline_services
    from babillard.timelines.models import HomeFeedEntry

    drained = _drain(payload["sink"])
    posts = list(Status.objects.filter(pk__in=[int(i) for i in payload["posts"]]))
    expected_entries = missing_entries = 0
    for status in posts:
        owners = timeline_services._recipients(status) | {status.account_id}
        holding = set(
            HomeFeedEntry.objects.filter(status=status).values_list("owner_id", flat=True)
        )
        expected_entries += len(owners)
        missing_entries += len(owners - holding)
    follows = Follow.objects.filter(
        account_id=payload["follower"], target_id__in=[int(t) for t in payload["follows"]]
    ).count()
    with_file = {
        m.pk
        for m in MediaAttachment.objects.all()
        if m.file.name and default_storage.exists(m.file.name)
    }
    uris = [status.uri for status in posts]
    creates = Delivery.objects.filter(domain=payload["sink"], activity_type="Create")
    to_sink = [d for d in creates if (d.payload.get("object") or {}).get("id") in set(uris)]
    return {
        **drained,
        "posts_accepted": len(payload["posts"]),
        "posts_found": len(posts),
        "follows_accepted": len(payload["follows"]),
        "follows_holding": follows,
        "media_accepted": len(payload["media"]),
        "media_with_file": len(with_file & {int(i) for i in payload["media"]}),
        # An upload refused for want of room must leave no row behind.
        "media_rows_without_file": MediaAttachment.objects.exclude(pk__in=with_file).count(),
        "feed_entries_expected": expected_entries,
        "feed_entries_missing": missing_entries,
        "deliveries_to_sink": len(to_sink),
        "deliveries_delivered": sum(1 for d in to_sink if d.state == "delivered"),
        "deliveries_tried_more_than_once": sum(1 for d in to_sink if d.attempts > 1),
        "uris": uris,
    }


def _arrived(payload: dict[str, Any]) -> dict[str, int]:
    """On the sink: each post stored once, and once in its follower's home feed."""
    from django.db.models import Count

    from babillard.statuses.models import Status
    from babillard.timelines.models import HomeFeedEntry

    stored = dict(
        Status.objects.filter(uri__in=payload["uris"])
        .values_list("uri")
        .annotate(n=Count("pk"))
        .values_list("uri", "n")
    )
    in_feed = dict(
        HomeFeedEntry.objects.filter(
            owner__username=payload["user"], owner__domain="", status__uri__in=payload["uris"]
        )
        .values_list("status__uri")
        .annotate(n=Count("pk"))
        .values_list("status__uri", "n")
    )
    return {
        "posts": len(payload["uris"]),
        "stored_once": sum(1 for uri in payload["uris"] if stored.get(uri) == 1),
        "missing": sum(1 for uri in payload["uris"] if uri not in stored),
        "stored_twice_or_more": sum(1 for n in stored.values() if n > 1),
        "in_feed_once": sum(1 for uri in payload["uris"] if in_feed.get(uri) == 1),
    }


def _replay(payload: dict[str, Any]) -> dict[str, int]:
    """Send every delivered activity to the sink once more, as a retry after a lost answer
    would: the receiver must ignore what it already has."""
    from babillard.federation.models import Delivery
    from babillard.federation.tasks import attempt

    rows = Delivery.objects.select_related("sender").filter(
        domain=payload["sink"], state="delivered"
    )
    return {"sent_again": sum(1 for row in rows if attempt(row))}


CHILD_COMMANDS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "prepare": _prepare,
    "verify": _verify,
    "arrived": _arrived,
    "replay": _replay,
}


# -- tables ------------------------------------------------------------------------------


def table(result: dict[str, Any]) -> str:
    lines = [
        "| fault | how | back in | wrk during: requests / errors / timeouts | wrk after: "
        "requests / errors / timeouts | prober in window: ok / 4xx / 5xx / no answer |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for f in result["faults"]:
        p = f["prober"]
        lines.append(
            f"| {f['fault']} | {f['how']} | {f['recovered_seconds']} s | "
            f"{_segment(f['during'])} | {_segment(f['steady_after'])} | "
            f"{p['ok']} / {p['4xx']} / {p['5xx']} / {p['no_answer']} |"
        )
    main, sink, again = result["main"], result["sink"], result["sink_after_replay"]
    outside = result["prober_outside_windows"]
    checks = [
        ("posts answered 200 that exist", main["posts_found"], main["posts_accepted"]),
        ("follows answered 200 that hold", main["follows_holding"], main["follows_accepted"]),
        ("images answered 200 with their file", main["media_with_file"], main["media_accepted"]),
        ("image rows without their file", main["media_rows_without_file"], 0),
        (
            "home feed entries present",
            main["feed_entries_expected"] - main["feed_entries_missing"],
            main["feed_entries_expected"],
        ),
        ("posts stored once on the sink", sink["stored_once"], sink["posts"]),
        ("posts once in the sink follower's feed", sink["in_feed_once"], sink["posts"]),
        ("same, after every delivery sent again", again["stored_once"], again["posts"]),
        (
            "prober requests outside fault windows answered",
            outside["ok"] + outside["4xx"],
            outside["requests"],
        ),
        ("of which 5xx", outside["5xx"], 0),
        ("tasks and deliveries left undone", main["left_undone"], 0),
    ]
    lines += ["", "| check | found | expected |", "| --- | --- | --- |"]
    lines += [f"| {name} | {found} | {expected} |" for name, found, expected in checks]
    lines += [
        "",
        f"deliveries to the sink: {main['deliveries_to_sink']}, delivered "
        f"{main['deliveries_delivered']}, tried more than once "
        f"{main['deliveries_tried_more_than_once']}; sent again {result['replayed']['sent_again']};"
        f" failed tasks {main['tasks_failed']}; supervisor restarts: "
        + ", ".join(f"{name} {count}" for name, count in result["supervisor_restarts"].items()),
    ]
    return "\n".join(lines)


def _segment(run: dict[str, Any]) -> str:
    return f"{run.get('requests', 0)} / {run.get('errors', 0)} / {run.get('timeouts', 0)}"


def passed(result: dict[str, Any]) -> bool:
    main, sink, again = result["main"], result["sink"], result["sink_after_replay"]
    outside = result["prober_outside_windows"]
    return (
        main["posts_found"] == main["posts_accepted"]
        and main["follows_holding"] == main["follows_accepted"]
        and main["media_with_file"] == main["media_accepted"]
        and main["media_rows_without_file"] == 0
        and main["feed_entries_missing"] == 0
        and sink["stored_once"] == sink["posts"] == again["stored_once"]
        and sink["in_feed_once"] == sink["posts"]
        and outside["5xx"] == 0
        and outside["no_answer"] == 0
        and main["left_undone"] == 0
        and all(f["steady_after"]["errors"] == 0 for f in result["faults"])
    )


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["child"]:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "babillard.settings")
        import django

        django.setup()
        result = CHILD_COMMANDS[argv[1]](json.loads(argv[2]))
        sys.stdout.write("BENCH_JSON " + json.dumps(result) + "\n")
        return
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    parser.add_argument("--output", default="", help="JSON file of the results")
    options = parser.parse_args(argv)
    ensure_wrk()
    chaos = Chaos(options)
    try:
        result = chaos.run()
    finally:
        chaos.close()
    result["main"].pop("uris")
    if options.output:
        Path(options.output).write_text(json.dumps(result, indent=2))
    print(table(result))
    if not passed(result):
        raise SystemExit("chaos: some check failed (see the tables above)")


if __name__ == "__main__":
    main()
