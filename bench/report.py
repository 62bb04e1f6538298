"""The results as a Markdown table: each figure beside its floors and the ratio to them."""

from typing import Any


def _mb(value: int | None) -> str:
    return f"{value / 1e6:.0f} MB" if value else "-"


def _ratio(value: float, floor: float) -> str:
    return f"{value / floor:.2f}" if floor else "-"


def table(results: dict[str, Any]) -> str:
    lines: list[str] = []
    info = results.get("machine", {})
    lines.append(
        f"Machine: {info.get('cpus')} CPUs ({info.get('cpu')}), "
        f"{(info.get('memory_bytes') or 0) / 2**30:.0f} GiB, Python {info.get('python')}, "
        f"commit {info.get('commit')}"
    )
    lines.append("")
    lines.append("### Loading (`babillard benchdata`)")
    lines.append("")
    lines.append("| database | accounts | posts | follows | favourites | feed entries | load s |")
    lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for run in results["runs"]:
        load = run.get("load")
        if not load:
            continue
        lines.append(
            f"| {run['database']} | {load['accounts']} | {load['statuses']} | {load['follows']} "
            f"| {load['favourites']} | {load['home_feed_entries']} | {load['seconds']} |"
        )
    lines.append("")
    lines.append("### Home timeline read, 20 items")
    lines.append("")
    lines.append(
        "Floors measured in the same run: `health` is a trivial view of the same stack; "
        "`raw SQL` is the home query's own SQL executed directly (one connection). "
        "x health = req/s of the endpoint ÷ req/s of `/health` at the same connections; "
        "x SQL = p50 ÷ raw-SQL p50."
    )
    lines.append("")
    lines.append(
        "| database | posts | stack | endpoint | conns | req/s | p50 ms | p99 ms | errors "
        "| x health | x SQL |"
    )
    lines.append("| --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for run in results["runs"]:
        if "error" in run:
            lines.append(f"| {run['database']} | {run['posts']} | failed: {run['error'][:80]} |")
            continue
        sql = run["sql_floor"]["raw_sql"]["p50_ms"]
        for stack_name, stack in run.get("stacks", {}).items():
            health = {r["connections"]: r for r in stack["endpoints"].get("health", [])}
            for endpoint, runs in stack["endpoints"].items():
                for r in runs:
                    base = health.get(r["connections"], {}).get("rps", 0)
                    lines.append(
                        f"| {run['database']} | {run['posts']} | {stack_name} | {endpoint} "
                        f"| {r['connections']} | {r['rps']} | {r['p50_ms']} | {r['p99_ms']} "
                        f"| {r['errors']} | {_ratio(r['rps'], base)} "
                        f"| {_ratio(r['p50_ms'], sql) if endpoint != 'health' else '-'} |"
                    )
        floor = run["sql_floor"]
        lines.append(
            f"| {run['database']} | {run['posts']} | in-process | raw SQL of home "
            f"({floor['queries']} queries) | 1 | {floor['raw_sql']['per_second_one_connection']} "
            f"| {sql} | {floor['raw_sql']['p99_ms']} | 0 | - | 1.00 |"
        )
        lines.append(
            f"| {run['database']} | {run['posts']} | in-process | timelines.queries.home() | 1 "
            f"| {floor['query_function']['per_second_one_connection']} "
            f"| {floor['query_function']['p50_ms']} | {floor['query_function']['p99_ms']} | 0 "
            f"| - | {_ratio(floor['query_function']['p50_ms'], sql)} |"
        )
    flat = _flatness(results)
    if flat:
        lines.append("")
        lines.append("### Flatness (p50 at the largest size ÷ p50 at the smallest, 8 connections)")
        lines.append("")
        lines.append("| database | endpoint | smallest | largest | ratio |")
        lines.append("| --- | --- | --- | --- | ---: |")
        lines.extend(flat)
    posting = [r for r in results["runs"] if r.get("posting")]
    if posting:
        lines.append("")
        lines.append("### Posting from an account followed by every other account")
        lines.append("")
        lines.append(
            "| database | followers | mode | post accepted ms | all feeds hold it ms "
            "| fan-out task ms | trim of every feed ms |"
        )
        lines.append("| --- | ---: | --- | --- | --- | --- | ---: |")
        for run in posting:
            for mode, data in run["posting"].items():
                accepted = ", ".join(str(r["accepted_ms"]) for r in data["runs"])
                feeds = ", ".join(str(r.get("all_feeds_ms", "-")) for r in data["runs"])
                fan = ", ".join(str(r.get("fan_out_ms", "-")) for r in data["runs"])
                lines.append(
                    f"| {run['database']} | {data['followers']} | {mode} | {accepted} | {feeds} "
                    f"| {fan} | {data.get('trim_all_feeds_ms', '-')} |"
                )
    mixed = [
        (r, s) for r in results["runs"] for s in r.get("stacks", {}).values() if s.get("mixed")
    ]
    if mixed:
        lines.append("")
        lines.append("### Mixed steady load (90 % reads, 10 % writes)")
        lines.append("")
        lines.append(
            "| database | posts | target req/s | req/s | p50 ms | p99 ms | errors | writes via |"
        )
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for run, stack in mixed:
            m = stack["mixed"]
            lines.append(
                f"| {run['database']} | {run['posts']} | {m['target_rps']} | {m['rps']} "
                f"| {m['p50_ms']} | {m['p99_ms']} | {m['errors']} | {m['writes_through']} |"
            )
    lines.append("")
    lines.append("### Cost")
    lines.append("")
    lines.append(
        "| database | posts | stack | RSS idle | RSS peak under load | home page | profile "
        "| thread | hashtag |"
    )
    lines.append("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for run in results["runs"]:
        for name, stack in run.get("stacks", {}).items():
            pages = stack.get("page_bytes", {})

            def size(key: str, pages: dict[str, Any] = pages) -> str:
                page = pages.get(key)
                return f"{page['bytes']} B" if page and page["status"] == 200 else "-"

            lines.append(
                f"| {run['database']} | {run['posts']} | {name} | {_mb(stack['rss_idle_bytes'])} "
                f"| {_mb(stack['rss_peak_bytes'])} | {size('home_page')} | {size('profile_page')} "
                f"| {size('thread_page')} | {size('tag_page')} |"
            )
    federation = [r for r in results["runs"] if r.get("federation")]
    if federation:
        lines += ["", "### Federation delivery (one worker, loopback sink inbox)", ""]
        lines.append(
            "| database | remote followers | servers | inboxes | deliveries | seconds "
            "| deliveries/s | followers reached/s |"
        )
        lines.append("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
        for run in federation:
            fed = run["federation"]
            for kind in ("personal_inboxes", "shared_inboxes"):
                d = fed[kind]
                lines.append(
                    f"| {run['database']} | {fed['remote_followers']} | {fed['servers']} "
                    f"| {kind.replace('_', ' ')} | {d['delivered']} | {d['seconds']} "
                    f"| {d['deliveries_per_second']} | {d['followers_reached_per_second']} |"
                )
    return "\n".join(lines)


def _flatness(results: dict[str, Any]) -> list[str]:
    rows = []
    by_db: dict[str, list[dict[str, Any]]] = {}
    for run in results["runs"]:
        if "error" not in run:
            by_db.setdefault(run["database"], []).append(run)
    for database, runs in by_db.items():
        if len(runs) < 2:
            continue
        small, large = runs[0], runs[-1]
        a, b = small["sql_floor"]["raw_sql"]["p50_ms"], large["sql_floor"]["raw_sql"]["p50_ms"]
        rows.append(
            f"| {database} | raw SQL of home (1 connection) | {small['posts']} posts: {a} ms "
            f"| {large['posts']} posts: {b} ms | {b / a:.2f} |"
        )
        for endpoint in ("home_page", "api_home"):

            def p50(run: dict[str, Any], endpoint: str = endpoint) -> float | None:
                for r in run["stacks"]["serve"]["endpoints"].get(endpoint, []):
                    if r["connections"] == 8:
                        return float(r["p50_ms"])
                return None

            a, b = p50(small), p50(large)
            if a and b:
                rows.append(
                    f"| {database} | {endpoint} | {small['posts']} posts: {a} ms "
                    f"| {large['posts']} posts: {b} ms | {b / a:.2f} |"
                )
    return rows
