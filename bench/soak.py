"""``python -m bench.soak``: the benchmark's mixed load at a fixed rate for a long time.

For each database (SQLite in a temporary ``BABILLARD_HOME``; PostgreSQL + Redis on a
cluster and a server of its own, as ``bench.chaos`` starts them), a fresh database is
filled with ``babillard benchdata`` and served by ``babillard serve --no-worker`` beside
one ``babillard worker`` (under the same supervisor as the chaos run, so that a crash
would show as a restart). The mixed load of ``bench.harness.mixed`` (wrk, 90 % reads,
10 % writes) runs for ``--minutes`` in one-minute segments; after each, the web server's
resident memory is sampled.

It passes with 0 errors (wrk's timeouts, after 10 s, included), a stable p99 (no minute after the warm-up above twice the median
of those minutes) and a resident memory growth under 10 % from the end of the warm-up
(the first 5 minutes, or the first third of a shorter run) to the end.
"""

import argparse
import json
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench.chaos import (
    OwnPostgres,
    OwnRedis,
    Supervisor,
    load_network,
    mixed_context,
    mixed_segment,
)
from bench.harness import ensure_wrk, free_port, fresh_environment, log

ACCOUNTS = 1000
POSTS = 10000
SEGMENT_SECONDS = 60.0
MAX_GROWTH = 0.10
P99_SPREAD = 2.0


def warm_up_minutes(minutes: int) -> int:
    return min(5, max(1, minutes // 3))


def soak(database: str, options: argparse.Namespace) -> dict[str, Any]:
    home = Path(tempfile.mkdtemp(prefix=f"babillard-soak-{database}-"))
    postgres = OwnPostgres() if database == "postgresql" else None
    redis = OwnRedis() if database == "postgresql" else None
    supervisor = None
    try:
        env = (
            fresh_environment(database, home, postgres.url("babillard_soak"), redis.url())
            if postgres and redis
            else fresh_environment(database, home)
        )
        load_network(env, options.accounts, options.posts)
        supervisor = Supervisor(env, free_port())
        context = mixed_context(env, supervisor.web.base)
        minutes = []
        for number in range(1, options.minutes + 1):
            run = mixed_segment(supervisor.web, context, options.rate, SEGMENT_SECONDS)
            minutes.append(
                {
                    "minute": number,
                    "rps": run["rps"],
                    "p50_ms": run["p50_ms"],
                    "p99_ms": run["p99_ms"],
                    "errors": run["errors"],
                    "timeouts": run["timeouts"],
                    "rss_bytes": supervisor.web.rss(),
                }
            )
            log(f"soak {database} minute {number}: {minutes[-1]}")
        return summarise(database, minutes, supervisor.restarts)
    finally:
        if supervisor is not None:
            supervisor.close()
        for server in (redis, postgres):
            if server is not None:
                server.close()
        shutil.rmtree(home, ignore_errors=True)


def summarise(
    database: str, minutes: list[dict[str, Any]], restarts: dict[str, int]
) -> dict[str, Any]:
    warm = warm_up_minutes(len(minutes))
    settled = minutes[warm:] or minutes[-1:]
    baseline = minutes[warm - 1]["rss_bytes"]
    growth = (minutes[-1]["rss_bytes"] - baseline) / baseline if baseline else 0.0
    median_p99 = round(statistics.median(m["p99_ms"] for m in settled), 2)
    worst_p99 = max(m["p99_ms"] for m in settled)
    errors = sum(m["errors"] + m["timeouts"] for m in minutes)
    return {
        "database": database,
        "minutes": minutes,
        "warm_up_minutes": warm,
        "errors": errors,
        "median_p99_ms": median_p99,
        "worst_p99_ms": worst_p99,
        "rss_growth": round(growth, 4),
        "restarts": restarts,
        "passed": errors == 0
        and worst_p99 <= P99_SPREAD * median_p99
        and growth < MAX_GROWTH
        and not any(restarts.values()),
    }


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| database | minute | req/s | p50 ms | p99 ms | errors | timeouts | web RSS MB |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for result in results:
        for m in result["minutes"]:
            lines.append(
                f"| {result['database']} | {m['minute']} | {m['rps']} | {m['p50_ms']} | "
                f"{m['p99_ms']} | {m['errors']} | {m['timeouts']} | {m['rss_bytes'] / 1e6:.1f} |"
            )
    lines += [
        "",
        "| database | errors and timeouts | p99 after warm-up: median / worst | RSS growth after warm-up "
        "| restarts | passed |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['database']} | {r['errors']} | {r['median_p99_ms']} / {r['worst_p99_ms']} ms "
            f"| {r['rss_growth'] * 100:+.1f} % (from minute {r['warm_up_minutes']}) | "
            f"{sum(r['restarts'].values())} | {'yes' if r['passed'] else 'no'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--minutes", type=int, default=30)
    parser.add_argument("--rate", type=int, default=30, help="requests per second")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--accounts", type=int, default=ACCOUNTS)
    parser.add_argument("--posts", type=int, default=POSTS)
    parser.add_argument("--output", default="", help="JSON file of the results")
    options = parser.parse_args(argv)
    ensure_wrk()
    results = [soak(database, options) for database in options.databases.split(",")]
    if options.output:
        Path(options.output).write_text(json.dumps(results, indent=2))
    print(table(results))
    if not all(result["passed"] for result in results):
        raise SystemExit("soak: a run did not pass (see the tables above)")


if __name__ == "__main__":
    main()
