"""``python -m bench.outages``: what a report and a platform page cost once platforms have
eight weeks of history.

A fresh SQLite database (in a temporary ``BABILLARD_HOME``) gets, through the services,
10 platforms and 40 institutions in 20 cities (one librarian each), then eight weeks of
past reports (5 an hour per platform, 67,200 rows, written in bulk). A child process then
times, in process:

- ``report``: ``services.report_problem`` by a random librarian on a random platform (the
  write, the state computed again with its baseline, the incident opened when the crowd
  rule fires, its post and its tasks enqueued);
- ``status``: ``queries.status``, the JSON of ``/api/babillard/v1/platforms/:id/status``;
- ``page``: the data of a platform page (status, 24-hour chart against the baseline, 90
  days of uptime, cities, incidents);
- ``board``: ``queries.board``, every platform with its reports of the last hour.

It prints p50/p99 in milliseconds and writes ``bench/results/<time>-outages.json``.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.harness import RESULTS, ROOT, fresh_environment, log, manage

PLATFORMS = 10
CITIES = 20
INSTITUTIONS = 40
REPORTS_PER_HOUR = 5
WEEKS = 8


def _timed(call: Callable[[], Any], rounds: int) -> dict[str, float]:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return {
        "rounds": rounds,
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2),
    }


def child(rounds: int) -> dict[str, Any]:
    """Runs inside the benchmark's environment: load, then time."""
    import django

    django.setup()
    from django.utils import timezone

    from babillard.accounts.services import create_local_user
    from babillard.institutions.models import Role, Site
    from babillard.institutions.services import add_member
    from babillard.outages import charts, queries, services
    from babillard.outages.models import Report

    began = time.perf_counter()
    platforms = [
        services.create_platform(None, name=f"Plateforme {n}", url=f"https://p{n}.example/")
        for n in range(PLATFORMS)
    ]
    staff = []
    for n in range(INSTITUTIONS):
        institution = create_local_user(
            f"bib{n}", f"bib{n}@example.org", "x" * 20, kind="institution"
        ).account
        Site.objects.create(institution=institution, name="Centre", city=f"Ville {n % CITIES}")
        person = create_local_user(f"bibliothecaire{n}", f"b{n}@example.org", "x" * 20).account
        add_member(institution, institution, person, Role.STAFF)
        staff.append(person)
    now = timezone.now()
    rows = []
    for platform in platforms:
        for hour in range(WEEKS * 7 * 24):
            for k in range(REPORTS_PER_HOUR):
                at = now - timedelta(hours=hour + 1, minutes=k * 11)
                rows.append(
                    Report(
                        platform=platform,
                        institution_key=f"past{k}",
                        city=f"Ville {k}",
                        problem="slow",
                        created_at=at,
                        updated_at=at,
                    )
                )
    Report.objects.bulk_create(rows, batch_size=5000)
    loaded = round(time.perf_counter() - began, 1)

    rng = random.Random(7)

    def report() -> None:
        services.report_problem(rng.choice(staff), rng.choice(platforms), "down")

    def page() -> None:
        platform = rng.choice(platforms)
        queries.status(platform)
        charts.reports_chart(queries.chart(platform))
        charts.uptime_bars(queries.uptime(platform))
        queries.cities(platform, timezone.now() - timedelta(hours=1))
        list(queries.incidents(platform.pk)[:20])

    return {
        "platforms": PLATFORMS,
        "institutions": INSTITUTIONS,
        "past_reports": len(rows),
        "load_seconds": loaded,
        "report": _timed(report, rounds),
        "status": _timed(lambda: queries.status(rng.choice(platforms)), rounds),
        "page": _timed(page, rounds),
        "board": _timed(queries.board, rounds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print("BENCH_JSON " + json.dumps(child(options.rounds)))
        return
    home = Path(tempfile.mkdtemp(prefix="babillard-bench-outages-"))
    try:
        env = fresh_environment("sqlite", home)
        manage(env, "migrate", "--no-input", "-v0")
        log("outages: loading and timing")
        done = subprocess.run(
            [sys.executable, "-m", "bench.outages", "--child", "--rounds", str(options.rounds)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        line = next(x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON "))
        result = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg()[0],
            **json.loads(line.removeprefix("BENCH_JSON ")),
        }
    finally:
        shutil.rmtree(home, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    (RESULTS / f"{stamp}-outages.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
