"""``python -m bench.occupancy``: live occupancy under load, as libraries would drive it.

For each database (SQLite in a temporary ``BABILLARD_HOME``; PostgreSQL with Redis as in
``bench.harness``), a fresh database gets one institution with 300 sites and 1,000
spaces, one sensor token per site. A real server (``babillard serve --no-worker``) is
started on loopback, then, for ``--seconds``:

- simulated door counters send ``POST /api/babillard/v1/spaces/:id/occupancy`` with
  their site's token, each space once every 10 s (100 updates/s), on a fixed schedule
  (open loop: a slow answer does not slow the senders down);
- 200 simulated readers each poll, every 10 s, the public JSON feed
  ``/api/babillard/v1/sites/:id/occupancy`` or, when the server has it, the widget
  ``/embed/sites/:id`` (half each), of a random site;
- a floor: ``/health`` of the same server, twice a second.

It reports the updates per second sustained, p50/p99 of updates, reads and the floor,
the errors (any answer other than 200, or no answer), the server's CPU (share of one
core) and its peak resident memory, prints a table and writes
``bench/results/<time>-occupancy.json``.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness import (
    RESULTS,
    fresh_environment,
    log,
    manage,
    postgres_reachable,
    process_tree,
    run_json,
    serving,
)

SITES = 300
SPACES = 1000
READERS = 200
CONNECTIONS = 64
PERIOD_SECONDS = 10.0
CAPACITY = 120
API = "/api/babillard/v1"


# -- the data, created in a child process through the services ---------------------------


def setup(sites: int, spaces: int) -> dict[str, Any]:
    """One institution with its sites, spaces and one sensor token per site."""
    import django

    django.setup()
    from babillard.accounts.services import create_local_user
    from babillard.institutions.services import create_site
    from babillard.occupancy.services import create_sensor_token, create_space

    institution = create_local_user(
        "bench_library", "bench_library@example.org", "x" * 24, kind="institution"
    ).account
    made_sites, made_spaces = [], []
    for number in range(sites):
        site = create_site(institution, name=f"Site {number}", city=f"Ville {number % 40}")
        _token, raw = create_sensor_token(institution, site, "door")
        made_sites.append({"id": site.pk, "token": raw})
    for number in range(spaces):
        site = made_sites[number % sites]
        space = create_space(institution, _site(site["id"]), f"Salle {number}", CAPACITY)
        made_spaces.append({"id": space.pk, "token": site["token"]})
    return {"sites": made_sites, "spaces": made_spaces}


def _site(site_id: int) -> Any:
    from babillard.institutions.models import Site

    return Site.objects.get(pk=site_id)


# -- the load ---------------------------------------------------------------------------


@dataclass
class Series:
    """Latencies (ms) of the answers that succeeded, and the failures by kind."""

    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def record(self, began: float, status: int | str) -> None:
        if status == 200:
            self.latencies.append((time.perf_counter() - began) * 1000)
        else:
            self.errors[str(status)] = self.errors.get(str(status), 0) + 1

    def summary(self, seconds: float) -> dict[str, Any]:
        ordered = sorted(self.latencies)

        def percentile(share: float) -> float | None:
            if not ordered:
                return None
            return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

        return {
            "ok": len(ordered),
            "per_second": round(len(ordered) / seconds, 1),
            "p50_ms": round(statistics.median(ordered), 1) if ordered else None,
            "p99_ms": percentile(0.99),
            "errors": sum(self.errors.values()),
            "errors_by_kind": self.errors,
        }


class Connection:
    """One keep-alive HTTP/1.1 connection: a few lines of asyncio instead of an HTTP
    client library, whose pool costs more CPU than the server under hundreds of
    concurrent requests on a small machine."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> int:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        length, chunked = 0, False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _colon, value = line.decode("latin-1").partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            while size := int((await reader.readline()).strip() or b"0", 16):
                await reader.readexactly(size + 2)
            await reader.readline()
        else:
            await reader.readexactly(length)
        return status

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


Job = tuple[float, str, str, bytes, dict[str, str], Series]


async def _worker(connection: Connection, jobs: "asyncio.Queue[Job | None]") -> None:
    """Send queued requests one after the other; latency counts from the scheduled time."""
    while (job := await jobs.get()) is not None:
        began, method, path, body, headers, series = job
        try:
            series.record(began, await connection.request(method, path, body, headers))
        except Exception as error:  # a refused or broken connection is an error of the run
            connection.close()
            series.record(began, type(error).__name__)


async def _every(period: float, offset: float, until: float, act: Any) -> None:
    """Call ``act`` every ``period`` seconds from ``offset`` until ``until``."""
    start = time.perf_counter() + offset
    tick = 0
    while (moment := start + tick * period) < until:
        await asyncio.sleep(max(0.0, moment - time.perf_counter()))
        act()
        tick += 1


async def drive(base: str, data: dict[str, Any], seconds: float, widget: bool) -> dict[str, Any]:
    updates, feed, embed, health = Series(), Series(), Series(), Series()
    host, port = base.removeprefix("http://").split(":")
    jobs: asyncio.Queue[Job | None] = asyncio.Queue()
    connections = [Connection(host, int(port)) for _ in range(CONNECTIONS)]
    workers = [asyncio.create_task(_worker(c, jobs)) for c in connections]
    until = time.perf_counter() + seconds
    counts = {space["id"]: 0 for space in data["spaces"]}

    def sensor(space: dict[str, Any]) -> Any:
        def update() -> None:
            counts[space["id"]] = max(0, counts[space["id"]] + random.randint(-6, 8))
            body = json.dumps({"count": counts[space["id"]]}).encode()
            headers = {
                "Authorization": f"Bearer {space['token']}",
                "Content-Type": "application/json",
            }
            path = f"{API}/spaces/{space['id']}/occupancy"
            jobs.put_nowait((time.perf_counter(), "POST", path, body, headers, updates))

        return update

    def reader(number: int) -> Any:
        def read() -> None:
            site = random.choice(data["sites"])["id"]
            if widget and number % 2:
                job = ("GET", f"/embed/sites/{site}", b"", {}, embed)
            else:
                job = ("GET", f"{API}/sites/{site}/occupancy", b"", {}, feed)
            jobs.put_nowait((time.perf_counter(), *job))  # type: ignore[arg-type]

        return read

    def floor() -> None:
        jobs.put_nowait((time.perf_counter(), "GET", "/health", b"", {}, health))

    spread = PERIOD_SECONDS / len(data["spaces"])
    senders = [
        _every(PERIOD_SECONDS, n * spread, until, sensor(space))
        for n, space in enumerate(data["spaces"])
    ]
    readers = [
        _every(PERIOD_SECONDS, n * PERIOD_SECONDS / READERS, until, reader(n))
        for n in range(READERS)
    ]
    started = time.perf_counter()
    await asyncio.gather(*senders, *readers, _every(0.5, 0.0, until, floor))
    for _worker_task in workers:
        jobs.put_nowait(None)
    await asyncio.wait(workers, timeout=120)
    for connection in connections:
        connection.close()
    # Rates count until the last answer: a server that falls behind drains its backlog
    # after the senders stop, and that time is part of what it took.
    elapsed = time.perf_counter() - started
    result = {
        "seconds_until_last_answer": round(elapsed, 1),
        "updates": updates.summary(elapsed),
        "feed": feed.summary(elapsed),
        "floor_health": health.summary(elapsed),
        "left_unsent": jobs.qsize(),
    }
    if widget:
        result["widget"] = embed.summary(elapsed)
    return result


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process tree, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


class ServerMemory:
    """The server's peak resident memory, sampled once a second from its processes'
    ``/proc/<pid>/status`` (the process tree is read once: walking all of ``/proc``
    four times a second, as ``harness.PeakMemory`` does, costs the load generator
    the CPU it needs on a busy machine)."""

    def __init__(self, pid: int) -> None:
        self.pids, self.peak, self._stop = process_tree(pid), 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def rss(self) -> int:
        total = 0
        for pid in self.pids:
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        return total

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            self._stop.wait(1.0)

    def __enter__(self) -> "ServerMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _widget_served(base: str, site_id: int) -> bool:
    import httpx

    try:
        return httpx.get(f"{base}/embed/sites/{site_id}", timeout=30).status_code == 200
    except httpx.HTTPError:
        return False


# -- one database -------------------------------------------------------------------------


def measure(database: str, options: argparse.Namespace) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix=f"babillard-bench-occupancy-{database}-"))
    result: dict[str, Any] = {"database": database, "sites": options.sites}
    try:
        env = fresh_environment(database, home)
        result["redis"] = "BABILLARD_REDIS_URL" in env
        manage(env, "migrate", "--no-input", "-v0")
        log(f"occupancy {database}: {options.sites} sites, {options.spaces} spaces")
        data = run_json(
            [
                sys.executable,
                "-m",
                "bench.occupancy",
                "--setup",
                "--sites",
                str(options.sites),
                "--spaces",
                str(options.spaces),
            ],
            env,
        )
        result["spaces"] = len(data["spaces"])
        with serving(env, "serve", options.workers) as server:
            widget = _widget_served(server.base, data["sites"][0]["id"])
            result["widget"] = widget
            idle = server.rss()
            cpu_before, began = cpu_seconds(server.process.pid), time.perf_counter()
            with ServerMemory(server.process.pid) as peak:
                load = asyncio.run(drive(server.base, data, options.seconds, widget))
            wall = time.perf_counter() - began
            result.update(load)
            result["server_cpu_share_of_one_core"] = round(
                (cpu_seconds(server.process.pid) - cpu_before) / wall, 2
            )
            result["memory_idle_bytes"] = idle
            result["memory_peak_bytes"] = peak.peak
        log(
            f"  updates {result['updates']['per_second']}/s p50 {result['updates']['p50_ms']} ms"
            f" p99 {result['updates']['p99_ms']} ms, errors {result['updates']['errors']}"
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return result


def table(runs: list[dict[str, Any]]) -> str:
    """The Markdown table of docs/benchmarks.md."""
    lines = [
        "| database | updates/s (target 100) | update p50 / p99 | feed reads/s | feed p50 / p99 "
        "| widget p50 / p99 | `/health` floor p50 / p99 | errors | server CPU | memory idle / peak |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in runs:
        if "error" in run:
            lines.append(f"| {run['database']} | failed: {run['error'][:80]} |" + " |" * 8)
            continue
        widget = run.get("widget")

        def pair(series: dict[str, Any] | None) -> str:
            if not series:
                return "n/a"
            return f"{series['p50_ms']} / {series['p99_ms']} ms"

        errors = sum(run[k]["errors"] for k in ("updates", "feed", "widget") if run.get(k))
        name = run["database"] + (" + Redis" if run.get("redis") else "")
        lines.append(
            f"| {name} | {run['updates']['per_second']} | {pair(run['updates'])} "
            f"| {run['feed']['per_second']} | {pair(run['feed'])} "
            f"| {pair(widget if isinstance(widget, dict) else None)} "
            f"| {pair(run['floor_health'])} | {errors} "
            f"| {run['server_cpu_share_of_one_core']} core "
            f"| {run['memory_idle_bytes'] // 2**20} / {run['memory_peak_bytes'] // 2**20} MB |"
        )
    return "\n".join(lines)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.occupancy", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="a 20-second run per database")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sites", type=int, default=SITES)
    parser.add_argument("--spaces", type=int, default=SPACES)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--output", default=None)
    options = parser.parse_args(argv)
    options.seconds = options.seconds or (20.0 if options.quick else 60.0)
    return options


def run(options: argparse.Namespace) -> list[dict[str, Any]]:
    databases = [d.strip() for d in options.databases.split(",") if d.strip()]
    if "postgresql" in databases and not postgres_reachable():
        log("PostgreSQL is not reachable: only SQLite is measured")
        databases.remove("postgresql")
    runs = []
    for database in databases:
        try:
            runs.append(measure(database, options))
        except Exception as error:  # record the failure and go on with the next database
            log(f"occupancy {database}: FAILED: {error}")
            runs.append({"database": database, "error": str(error)[-3000:]})
    return runs


def main(argv: list[str] | None = None) -> None:
    options = parse(argv)
    if options.setup:
        print("BENCH_JSON " + json.dumps(setup(options.sites, options.spaces)))
        return
    runs = run(options)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    output = Path(options.output) if options.output else RESULTS / f"{stamp}-occupancy.json"
    output.write_text(json.dumps({"options": vars(options), "runs": runs}, indent=2))
    print(table(runs))
    log(f"results written to {output}")


if __name__ == "__main__":
    main()
