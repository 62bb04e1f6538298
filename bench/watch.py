"""``python -m bench.watch``: 10,000 antennas against the posts of a loaded instance.

Run by ``make bench`` (through ``EXTRA_BENCHMARKS``) on the database the main benchmark
has just loaded and posted to; alone, ``python -m bench.watch`` loads a small database
of its own (``--quick`` sizes) first. A child process, on that database:

- creates the antennas (bulk, as a fixture): 5% by author, 1% with a regular
  expression only (tried against every post), 0.5% with words of the posts themselves,
  and the rest, 93.5%, with rare words that catch nothing;
- measures the matcher in memory (tokenise one post, find and check the candidate
  antennas) with the 650 antennas that can catch something, then with all of them: the
  9,350 more add index entries, not work per post, if the cost is flat;
- measures the real task worker (``db_worker --batch``, the database backend) matching
  the newest posts as they arrive: each is put in line as a stored post is
  (``watch.services.queue_for_matching``), and ``watch.tasks.match_arrivals`` matches
  them in batches (loading the posts, checking the owners' right to see them, writing
  the hits), beside its floor: the same worker running one no-op task per post.

It prints a table (posts per second) and returns the figures for the results file.
"""

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.harness import EXTRA_BENCHMARKS, fresh_environment, log, manage, run_json

ANTENNAS = 10_000
POSTS = 2_000


def _antennas(count: int, vocabulary: list[str], authors: list[int], owners: list[int]) -> int:
    from babillard.watch.models import Antenna
    from babillard.watch.services import antennas_changed

    chance = random.Random(7)
    rows = []
    for number in range(count):
        owner = owners[number % len(owners)]
        fields: dict[str, Any] = {"owner_id": owner, "title": f"Antenne {number}"}
        if number % 100 == 0:
            fields["regex"] = rf"\b{chance.choice(vocabulary)}\w*\s+\d{{4}}\b"
        elif number % 20 == 1:
            fields["account_ids"] = [chance.choice(authors)]
        elif number % 200 == 2:
            fields["keywords"] = chance.sample(vocabulary, 2 if number % 3 else 1)
        else:
            fields["title"] = f"Rare {number}"
            fields["keywords"] = [f"veille{chance.randrange(10**9)}", f"rare{number}"]
        rows.append(Antenna(**fields))
    Antenna.objects.bulk_create(rows, batch_size=1000)
    antennas_changed()
    return count


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds else 0.0


def _in_memory(statuses: list[Any], *, catching_only: bool) -> dict[str, Any]:
    from babillard.watch import matching, services
    from babillard.watch.models import Antenna

    began = time.perf_counter()
    chosen = Antenna.objects.order_by("id")
    if catching_only:
        chosen = chosen.exclude(title__startswith="Rare ")
    rules = [services.rule_of(a) for a in chosen]
    index = matching.Index(rules)
    built = time.perf_counter() - began
    arrivals = [services.arrival_of(s) for s in statuses]
    began = time.perf_counter()
    found = 0
    for arrival in arrivals:
        found += len(index.match(arrival))
    spent = time.perf_counter() - began
    return {
        "antennas": len(rules),
        "index_build_seconds": round(built, 3),
        "posts_per_second": _rate(len(arrivals), spent),
        "hits": found,
    }


def _drain() -> float:
    from django.core.management import call_command

    began = time.perf_counter()
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)
    return time.perf_counter() - began


def child(antennas: int, posts: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from babillard.accounts.models import Account
    from babillard.statuses.models import Status
    from babillard.watch import matching, services
    from babillard.watch.models import Antenna, AntennaHit

    _drain()  # whatever the main benchmark left in the queue
    statuses = list(
        Status.objects.filter(reblog__isnull=True)
        .select_related("account")
        .prefetch_related("media")
        .order_by("-id")[:posts]
    )
    vocabulary = sorted(
        {w for s in statuses[:500] for w in matching.words(s.text) if len(w) >= 6 and w.isalpha()}
    ) or ["bibliotheque"]
    owners = list(
        Account.objects.filter(domain="").order_by("id").values_list("pk", flat=True)[:200]
    )
    authors = list(
        Account.objects.annotate(n=Count("statuses"))
        .order_by("-n")
        .values_list("pk", flat=True)[:50]
    )
    Antenna.objects.all().delete()
    _antennas(antennas, vocabulary, authors, owners)
    log(f"  watch: {antennas} antennas made; matching {len(statuses)} posts in memory")
    result: dict[str, Any] = {
        "posts": len(statuses),
        "matcher_small": _in_memory(statuses, catching_only=True),
        "matcher": _in_memory(statuses, catching_only=False),
    }
    from bench.noop import noop

    log("  watch: the worker's floor (no-op tasks)")
    for _status in statuses:
        noop.enqueue()
    result["floor_tasks_per_second"] = _rate(len(statuses), _drain())
    log("  watch: the worker matching the posts as they arrive")
    for status in statuses:
        services.queue_for_matching(status)
    result["matching_tasks"] = DBTaskResult.objects.filter(
        task_path="babillard.watch.tasks.match_arrivals"
    ).count()
    result["worker_posts_per_second"] = _rate(len(statuses), _drain())
    result["hits_written"] = AntennaHit.objects.count()
    return result


def benchmark(env: dict[str, str], options: argparse.Namespace) -> dict[str, Any]:
    posts = 500 if getattr(options, "quick", False) else POSTS
    command = [sys.executable, "-m", "bench.watch", "--child", "--posts", str(posts)]
    measured = run_json(command, env)
    print(table([{"database": env.get("BABILLARD_DATABASE_URL", "sqlite"), **measured}]))
    return measured


def table(runs: list[dict[str, Any]]) -> str:
    """The Markdown table of docs/benchmarks.md."""
    lines = [
        "| database | antennas | matcher posts/s (the catching ones only) | matcher posts/s (all) "
        "| index build | worker: posts matched/s | worker floor: no-op tasks/s | ratio | hits |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for run in runs:
        name = "PostgreSQL" if "postgres" in run["database"] else "SQLite"
        lines.append(
            f"| {name} | {run['matcher_small']['antennas']} + "
            f"{run['matcher']['antennas'] - run['matcher_small']['antennas']} "
            f"| {run['matcher_small']['posts_per_second']} "
            f"| {run['matcher']['posts_per_second']} "
            f"| {run['matcher']['index_build_seconds']} s "
            f"| {run['worker_posts_per_second']} | {run['floor_tasks_per_second']} "
            f"| {run['worker_posts_per_second'] / (run['floor_tasks_per_second'] or 1):.2f} "
            f"| {run['hits_written']} |"
        )
    return "\n".join(lines)


EXTRA_BENCHMARKS["watch"] = benchmark


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.watch", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--posts", type=int, default=POSTS)
    parser.add_argument("--antennas", type=int, default=ANTENNAS)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--load-posts", type=int, default=20000)
    parser.add_argument("--database", default="sqlite")
    options = parser.parse_args(argv)
    if options.child:
        print("BENCH_JSON " + json.dumps(child(options.antennas, options.posts)))
        return
    home = Path(tempfile.mkdtemp(prefix="babillard-bench-watch-"))
    try:
        env = fresh_environment(options.database, home)
        manage(env, "migrate", "--no-input", "-v0")
        log(f"loading {options.accounts} accounts and {options.load_posts} posts")
        run_json(
            [
                sys.executable,
                "-m",
                "babillard.cli",
                "benchdata",
                "--json",
                "--accounts",
                str(options.accounts),
                "--posts",
                str(options.load_posts),
            ],
            env,
        )
        command = [sys.executable, "-m", "bench.watch", "--child", "--posts", str(options.posts)]
        command += ["--antennas", str(options.antennas)]
        measured = run_json(command, env)
        print(table([{"database": options.database, **measured}]))
        print(json.dumps(measured, indent=2))
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
