"""``python -m bench``: load a realistic network, serve it on loopback, measure it with wrk.

For each database (SQLite in a temporary ``BABILLARD_HOME``; PostgreSQL in the database
``babillard_bench``) and each size, the harness migrates a fresh database, fills it with
``babillard benchdata``, starts ``babillard serve --no-worker`` (uvicorn), logs in once
through the log-in form, and runs wrk as a separate process against:

1. the home timeline (web page ``/home``, and ``/api/v1/timelines/home`` when the client API
   is present), 20 items, with 1, 8 and 32 connections, beside two floors measured in the
   same run on the same data: the raw SQL of ``timelines.queries.home`` executed directly,
   and the trivial ``/health`` endpoint of the same stack;
2. posting from the account every other account follows: until ``post_status`` returns,
   and until every follower's home feed holds the post (task body inline, and through a
   real ``babillard worker``);
3. a steady mixed load at a fixed rate (90 % reads, 10 % writes);
5. the server's resident memory idle and under load, and the bytes of the main pages.

It prints a table and writes ``bench/results/<time>.json``.
"""

import argparse
import contextlib
import http.cookiejar
import importlib.util
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "lua"
RESULTS = Path(__file__).resolve().parent / "results"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/babillard_bench")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")
PASSWORD = "benchmark-password-2026"


def log(message: str) -> None:
    stamp = datetime.now(UTC).strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


# -- processes -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_json(command: list[str], env: dict[str, str], timeout: float = 3600) -> dict[str, Any]:
    """Run a child that prints one ``BENCH_JSON {...}`` line; return that object."""
    done = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return dict(json.loads(line.removeprefix("BENCH_JSON ")))
        if line.startswith("{") and done.returncode == 0:
            return dict(json.loads(line))
    raise RuntimeError(
        f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n"
        f"{done.stderr[-4000:]}"
    )


def ops(env: dict[str, str], *args: str) -> dict[str, Any]:
    return run_json([sys.executable, "-m", "bench.ops", *args], env)


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "babillard.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"babillard {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return done


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = [pid], [pid]
    while frontier:
        current = frontier.pop()
        children = [p for p, parent in parents.items() if parent == current]
        tree += children
        frontier += children
    return tree


def rss_bytes(pid: int) -> int:
    total = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def stack_command(stack: str, port: int, workers: int) -> list[str]:
    """The command line of one server stack on loopback (``STACKS``)."""
    address = ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    if stack == "serve":
        return [sys.executable, "-m", "babillard.cli", "serve", "--no-worker", *address]
    if stack == "uvicorn":
        return [
            sys.executable, "-m", "uvicorn", "babillard.asgi:application", *address,
            "--lifespan", "off", "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
    if stack in ("granian", "granian-wsgi"):
        interface, target = (
            ("asgi", "babillard.asgi:application")
            if stack == "granian"
            else ("wsgi", "babillard.wsgi:application")
        )
        return [
            sys.executable, "-m", "granian", "--interface", interface, *address,
            "--no-ws", "--log-level", "warning", target,
        ]  # fmt: skip
    if stack == "gunicorn":  # WSGI, synchronous workers with 4 threads each
        return [
            sys.executable, "-m", "gunicorn", "babillard.wsgi:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
            "--threads", "4", "--log-level", "warning",
        ]  # fmt: skip
    raise ValueError(f"unknown stack {stack}")


# The servers compared at the largest size (``--stacks``); gunicorn and granian are
# installed by ``make bench`` into the virtualenv only (not dependencies of the site).
STACKS = "serve:2,granian:2,granian-wsgi:2,gunicorn:2"
STACK_MODULES = {
    "serve": "uvicorn",
    "uvicorn": "uvicorn",
    "granian": "granian",
    "granian-wsgi": "granian",
    "gunicorn": "gunicorn",
}


class Server:
    """A real server on loopback, one of the stacks of ``stack_command``."""

    def __init__(self, env: dict[str, str], stack: str, workers: int = 1, port: int | None = None):
        self.env, self.stack, self.workers = env, stack, workers
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # Open for the server's whole life; closed (and removed) by ``stop``.
        self.log_file = tempfile.NamedTemporaryFile(prefix="bench-server-", suffix=".log")  # noqa: SIM115
        self.process = subprocess.Popen(
            stack_command(stack, self.port, workers),
            env=env,
            cwd=ROOT,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_up()

    def _wait_until_up(self) -> None:
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server stopped: {self.output()[-3000:]}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.base + "/health", timeout=2) as answer,  # noqa: S310
            ):
                if answer.status == 200:
                    return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("the server did not answer /health within 60 s")

    def output(self) -> str:
        return Path(self.log_file.name).read_text(errors="replace")

    def rss(self) -> int:
        return rss_bytes(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_file.close()


@contextlib.contextmanager
def serving(env: dict[str, str], stack: str = "serve", workers: int = 1) -> Iterator[Server]:
    server = Server(env, stack, workers)
    try:
        yield server
    finally:
        server.stop()


class PeakMemory:
    """Samples a server's resident memory while a load runs; keeps the peak."""

    def __init__(self, server: Server):
        self.server, self.peak, self._stop = server, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.server.rss())
            self._stop.wait(0.25)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# -- HTTP ------------------------------------------------------------------------------


class Session:
    """A logged-in browser: cookies from the log-in form."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name: str) -> str:
        return next((c.value or "" for c in self.jar if c.name == name), "")

    def header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def log_in(self, username: str, password: str) -> bool:
        try:
            with self.opener.open(self.base + "/auth/login", timeout=10) as answer:
                page = answer.read().decode(errors="replace")
            match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            form = {"username": username, "password": password}
            if match:
                form["csrfmiddlewaretoken"] = match.group(1)
            request = urllib.request.Request(  # noqa: S310
                self.base + "/auth/login",
                data=urllib.parse.urlencode(form).encode(),
                headers={"Referer": self.base + "/auth/login"},
            )
            with self.opener.open(request, timeout=10) as answer:
                answer.read()
        except (urllib.error.URLError, OSError):
            return False
        return bool(self.cookie("sessionid"))


def fetch(base: str, path: str, headers: dict[str, str]) -> tuple[int, int]:
    """Status and body size of one GET, redirects not followed."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(base + path, headers=headers)  # noqa: S310
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, len(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, len(error.read())


# -- wrk -------------------------------------------------------------------------------


def wrk(
    url: str, connections: int, seconds: float, script: str, extra_env: dict[str, str]
) -> dict[str, Any]:
    threads = max(1, min(connections, 2))
    env = {**os.environ, "BENCH_LUA_DIR": str(LUA), **extra_env}
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s",
        "-s", str(LUA / script), url,
    ]  # fmt: skip
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            raw = json.loads(line.removeprefix("BENCH_JSON "))
            seconds_run = raw["duration_us"] / 1e6
            errors = sum(
                raw[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors")
            )
            return {
                "connections": connections,
                "requests": raw["requests"],
                "rps": round(raw["requests"] / seconds_run, 1) if seconds_run else 0.0,
                "p50_ms": round(raw["p50_us"] / 1000, 2),
                "p90_ms": round(raw["p90_us"] / 1000, 2),
                "p99_ms": round(raw["p99_us"] / 1000, 2),
                "max_ms": round(raw["max_us"] / 1000, 2),
                "errors": errors,
                "timeouts": raw["timeouts"],
                "status_errors": raw["status_errors"],
                "bytes_per_request": round(raw["bytes"] / raw["requests"])
                if raw["requests"]
                else 0,
            }
    raise RuntimeError(f"wrk failed: {done.stdout[-2000:]} {done.stderr[-2000:]}")


def ensure_wrk() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit(
            "wrk is missing: `make bench` installs it (apt-get install wrk), or install it yourself."
        )


# -- databases -------------------------------------------------------------------------


def postgres_reachable() -> bool:
    try:
        import psycopg

        admin = PG_URL.rsplit("/", 1)[0] + "/postgres"
        psycopg.connect(admin, connect_timeout=3).close()
    except Exception:
        return False
    return True


def redis_reachable(url: str = REDIS_URL) -> bool:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception:
        return False
    return True


def fresh_environment(
    database: str, home: Path, pg_url: str = PG_URL, redis_url: str = REDIS_URL
) -> dict[str, str]:
    """The environment of every child for one database: a fresh, empty one (to migrate).

    ``pg_url`` and ``redis_url`` name the servers of the PostgreSQL runs (by default the
    benchmark's); Redis is used when it answers.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("BABILLARD_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        BABILLARD_HOME=str(home),
        BABILLARD_SECRET_KEY="benchmark-secret-key-not-for-production",
        BABILLARD_LOG_LEVEL="WARNING",
        BABILLARD_AUTH_RATE_LIMIT="1000",
        DJANGO_SETTINGS_MODULE="bench.settings",
        PYTHONPATH=str(ROOT),
    )
    if database == "postgresql":
        import psycopg

        name = pg_url.rsplit("/", 1)[1]
        admin = pg_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        env["BABILLARD_DATABASE_URL"] = pg_url
        env.setdefault("BABILLARD_DB_POOL_SIZE", "8")
        if redis_reachable(redis_url):
            import redis

            redis.Redis.from_url(redis_url).flushdb()
            env["BABILLARD_REDIS_URL"] = redis_url
    return env


# -- one size on one database ----------------------------------------------------------

# Further benchmarks run at the largest size, after posting, on the same loaded database:
# name -> function(environment of the children, options) returning a JSON-able dict,
# kept in the results under that name.
EXTRA_BENCHMARKS: dict[str, Callable[[dict[str, str], argparse.Namespace], dict[str, Any]]] = {}


def measure(
    database: str, accounts: int, posts: int, options: argparse.Namespace, last: bool
) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix=f"babillard-bench-{database}-"))
    result: dict[str, Any] = {"database": database, "accounts": accounts, "posts": posts}
    try:
        env = fresh_environment(database, home)
        result["redis"] = "BABILLARD_REDIS_URL" in env
        began = time.perf_counter()
        manage(env, "migrate", "--no-input", "-v0")
        result["migrate_seconds"] = round(time.perf_counter() - began, 1)
        log(f"{database} {posts} posts: loading {accounts} accounts")
        began = time.perf_counter()
        load = run_json(
            [
                sys.executable,
                "-m",
                "babillard.cli",
                "benchdata",
                "--json",
                "--accounts",
                str(accounts),
                "--posts",
                str(posts),
                "--password",
                PASSWORD,
            ],
            env,
        )
        result["load"] = load
        result["load_wall_seconds"] = round(time.perf_counter() - began, 1)
        log(f"  loaded in {result['load_wall_seconds']} s")
        found = ops(env, "discover")
        result["discovered"] = {k: found[k] for k in ("paths", "available", "reader_feed")}
        floor = ops(env, "sqlfloor", "--seconds", str(options.floor_seconds))
        result["sql_floor"] = floor
        log(
            f"  home query: raw SQL p50 {floor['raw_sql']['p50_ms']} ms, "
            f"query function p50 {floor['query_function']['p50_ms']} ms"
        )
        token = ""
        if found["available"]["api_home"]:
            token = ops(env, "token")["token"]
        result["stacks"] = {}
        result["stacks"]["serve"] = serve_and_measure(
            env, found, token, options, "serve", 1, last and not options.reads_only
        )
        if (last and not options.quick and not options.reads_only) or options.compare_stacks:
            for spec in options.stacks:
                stack, workers = spec.split(":")
                if importlib.util.find_spec(STACK_MODULES[stack]) is None:
                    log(f"  stack {spec}: not installed (make bench installs it)")
                    continue
                log(f"  stack {spec}")
                result["stacks"][f"{stack}-{workers}w"] = serve_and_measure(
                    env, found, token, options, stack, int(workers), False
                )
        if last and not options.reads_only:
            result["posting"] = posting(env, options)
            result["federation"] = ops(
                {
                    **env,
                    "BABILLARD_INSECURE_FEDERATION": "1",
                    "BABILLARD_ALLOW_PRIVATE_ADDRESSES": "1",
                },
                "deliveries",
            )
            log(f"  federation deliveries: {result['federation']}")
            for name, benchmark in EXTRA_BENCHMARKS.items():
                log(f"  {name}")
                result[name] = benchmark(env, options)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return result


def serve_and_measure(
    env: dict[str, str],
    found: dict[str, Any],
    token: str,
    options: argparse.Namespace,
    stack: str,
    workers: int,
    full: bool,
) -> dict[str, Any]:
    paths, available = found["paths"], found["available"]
    out: dict[str, Any] = {"stack": stack, "workers": workers, "endpoints": {}}
    with serving(env, stack, workers) as server:
        time.sleep(1)
        out["rss_idle_bytes"] = server.rss()
        browser = Session(server.base)
        logged_in = browser.log_in("lecteur", PASSWORD)
        cookie = browser.header()
        if not logged_in:
            cookie = ops(env, "session")["cookie"]
        out["logged_in_through_form"] = logged_in
        headers = {"Cookie": cookie}
        targets: list[tuple[str, str, dict[str, str]]] = [("health", paths["health"], {})]
        if available["home_page"]:
            status, size = fetch(server.base, paths["home_page"], headers)
            if status == 200:
                targets.append(("home_page", paths["home_page"], {"BENCH_COOKIE": cookie}))
            else:
                out["home_page_error"] = status
        if available["api_home"] and token:
            status, size = fetch(
                server.base, paths["api_home"], {"Authorization": f"Bearer {token}"}
            )
            if status == 200:
                targets.append(("api_home", paths["api_home"], {"BENCH_TOKEN": token}))
            else:
                out["api_home_error"] = status
        connections = options.connections if full or stack == "serve" else [8, 32]
        with PeakMemory(server) as memory:
            for name, path, extra in targets:
                wrk(server.base + path, 8, options.warmup, "get.lua", extra)
                runs = []
                for count in connections:
                    run = wrk(server.base + path, count, options.seconds, "get.lua", extra)
                    runs.append(run)
                    log(
                        f"  {stack}x{workers} {name} c={count}: {run['rps']} req/s, "
                        f"p50 {run['p50_ms']} ms, p99 {run['p99_ms']} ms, errors {run['errors']}"
                    )
                out["endpoints"][name] = runs
        out["rss_peak_bytes"] = memory.peak
        if full:
            out["page_bytes"] = {}
            for name in ("home_page", "profile_page", "thread_page", "tag_page"):
                if available.get(name):
                    status, size = fetch(server.base, paths[name], headers)
                    out["page_bytes"][name] = {"status": status, "bytes": size}
            if options.mixed_seconds > 0 and any(
                available.get(k) for k in ("home_page", "tag_page", "thread_page", "profile_page")
            ):
                out["mixed"] = mixed(server, found, browser, cookie, token, options)
    return out


def mixed(
    server: Server,
    found: dict[str, Any],
    browser: Session,
    cookie: str,
    token: str,
    options: argparse.Namespace,
) -> dict[str, Any]:
    paths, available = found["paths"], found["available"]
    reads = [
        paths[k]
        for k in ("home_page", "tag_page", "thread_page", "profile_page")
        if available.get(k)
    ]
    use_api = bool(token) and available["api_statuses"]
    extra = {
        "BENCH_COOKIE": cookie,
        "BENCH_TOKEN": token,
        "BENCH_CSRF": browser.cookie("csrftoken"),
        "BENCH_WRITE_API": "1" if use_api else "0",
        "BENCH_READS": "|".join(reads),
        "BENCH_FAVOURITE_IDS": "|".join(str(i) for i in found["favourite_ids"]),
        "BENCH_FOLLOW_IDS": "|".join(str(i) for i in found["follow_targets"]),
        "BENCH_RATE": str(options.mixed_rate),
        "BENCH_CONNECTIONS": "8",
    }
    log(f"  mixed load: {options.mixed_rate} req/s for {options.mixed_seconds} s")
    with PeakMemory(server) as memory:
        run = wrk(server.base + "/", 8, options.mixed_seconds, "mixed.lua", extra)
    run.update(
        target_rps=options.mixed_rate,
        writes_through="api" if use_api else "web forms",
        reads=reads,
        rss_peak_bytes=memory.peak,
    )
    log(
        f"  mixed: {run['rps']} req/s, p50 {run['p50_ms']} ms, p99 {run['p99_ms']} ms, "
        f"errors {run['errors']}"
    )
    return run


def posting(env: dict[str, str], options: argparse.Namespace) -> dict[str, Any]:
    """Posting from the account all others follow: inline fan-out, then a real worker."""
    log("  posting to every follower")
    out: dict[str, Any] = {"inline": ops(env, "post", "--mode", "inline", "--repeat", "3")}
    worker = subprocess.Popen(
        [sys.executable, "-m", "babillard.cli", "worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(6)  # let the worker start and drain what the inline runs left queued
        out["worker"] = ops(env, "post", "--mode", "worker", "--repeat", "3")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
    for mode in ("inline", "worker"):
        for run in out[mode]["runs"]:
            log(f"  {mode}: {run}")
    return out


# -- entry point -----------------------------------------------------------------------


def machine() -> dict[str, Any]:
    memory = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_bytes": memory,
        "python": platform.python_version(),
        "system": platform.platform(),
        "wrk": (wrk_version.stdout or wrk_version.stderr).splitlines()[0:1],
        "commit": commit.stdout.strip(),
    }


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, short runs (minutes)")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--accounts", type=int, default=None)
    parser.add_argument("--sizes", default=None, help="numbers of posts, comma-separated")
    parser.add_argument("--connections", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=None, help="per wrk run")
    parser.add_argument("--mixed-seconds", type=float, default=None)
    parser.add_argument("--mixed-rate", type=int, default=50, help="requests per second")
    parser.add_argument("--compare-stacks", action="store_true", help="at every size")
    parser.add_argument(
        "--stacks", default=STACKS, help="server:processes compared at the largest size"
    )
    parser.add_argument(
        "--reads-only",
        action="store_true",
        help="only the home timeline reads (no stacks, posting, mixed load)",
    )
    parser.add_argument("--output", default=None, help="JSON file (default bench/results/)")
    options = parser.parse_args(argv)
    quick = options.quick
    options.accounts = options.accounts or (2000 if quick else 10000)
    options.sizes = [
        int(s) for s in (options.sizes or ("10000,50000" if quick else "10000,100000")).split(",")
    ]
    options.connections = [int(c) for c in options.connections.split(",")]
    options.stacks = [spec for spec in options.stacks.split(",") if spec]
    options.seconds = options.seconds or (4.0 if quick else 10.0)
    options.warmup = 1.0 if quick else 2.0
    options.floor_seconds = 1.0 if quick else 3.0
    if options.mixed_seconds is None:
        options.mixed_seconds = 15.0 if quick else 120.0
    return options


def main(argv: list[str] | None = None) -> None:
    options = parse(argv)
    ensure_wrk()
    databases = [d.strip() for d in options.databases.split(",") if d.strip()]
    if "postgresql" in databases and not postgres_reachable():
        log("PostgreSQL is not reachable: only SQLite is measured")
        databases.remove("postgresql")
    results: dict[str, Any] = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "options": {
            k: v for k, v in vars(options).items() if isinstance(v, int | float | str | list)
        },
        "runs": [],
    }
    RESULTS.mkdir(exist_ok=True)
    output = (
        Path(options.output)
        if options.output
        else RESULTS
        / (
            datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            + ("-quick" if options.quick else "")
            + ".json"
        )
    )
    for database in databases:
        for number, posts in enumerate(options.sizes):
            last = number == len(options.sizes) - 1
            try:
                run = measure(database, options.accounts, posts, options, last)
            except Exception as error:  # record the failure and go on with the next run
                log(f"{database} {posts}: FAILED: {error}")
                run = {"database": database, "posts": posts, "error": str(error)[-3000:]}
            results["runs"].append(run)
            output.write_text(json.dumps(results, indent=2))
    if not options.reads_only:  # live occupancy (bench/occupancy.py), on the same databases
        from bench import occupancy

        quick = ["--quick"] if options.quick else []
        settings = occupancy.parse([*quick, "--databases", ",".join(databases)])
        results["occupancy"] = occupancy.run(settings)
        print(occupancy.table(results["occupancy"]))
    results["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    output.write_text(json.dumps(results, indent=2))
    print(report.table(results))
    log(f"results written to {output}")
