"""The benchmark's work inside Django, run as ``python -m bench.ops <command>`` in a child
process whose environment points at the benchmark's database (one process per database,
since Django configures itself once per process). Each command prints one JSON object.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "babillard.settings")
    import django

    django.setup()


def _account(username: str) -> Any:
    from babillard.accounts.models import Account

    return Account.objects.select_related("user").get(username=username, domain="")


def _route_exists(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def discover(args: argparse.Namespace) -> dict[str, Any]:
    """The paths the benchmark reads and writes, among those this build serves."""
    from babillard.accounts.models import Account
    from babillard.statuses.models import Status, Tag
    from babillard.timelines.models import HomeFeedEntry

    reader = _account(args.reader)
    national = _account(args.national)
    # A thread: a post of the reader's feed that has replies, else any post with replies.
    feed_ids = list(
        HomeFeedEntry.objects.filter(owner=reader)
        .order_by("-status_id")
        .values_list("status_id", flat=True)[:200]
    )
    thread = (
        Status.objects.filter(pk__in=feed_ids, replies_count__gt=0, visibility="public").first()
        or Status.objects.filter(replies_count__gt=0, visibility="public", reblog__isnull=True)
        .order_by("-replies_count")
        .first()
    )
    tag = Tag.objects.order_by("pk").first()
    person = (
        Account.objects.filter(domain="", kind="person", statuses_count__gt=20)
        .exclude(pk=reader.pk)
        .order_by("-followers_count")
        .first()
    )
    targets = list(
        Account.objects.filter(domain="")
        .exclude(pk__in=reader.following_rel.values("target_id"))
        .exclude(pk=reader.pk)
        .values_list("pk", flat=True)[:200]
    )
    favourable = list(
        Status.objects.filter(visibility="public", reblog__isnull=True)
        .exclude(account=reader)
        .order_by("-id")
        .values_list("pk", flat=True)[:500]
    )
    paths: dict[str, Any] = {
        "health": "/health",
        "home_page": "/home",
        "api_home": "/api/v1/timelines/home",
        "api_statuses": "/api/v1/statuses",
        "profile_page": f"/@{person.username}" if person else f"/@{national.username}",
        "thread_page": f"/@{thread.account.username}/{thread.pk}" if thread else None,
        "tag_page": f"/tags/{quote(tag.name)}" if tag else None,
        "login_page": "/auth/login",
        "compose_page": "/compose",
    }
    available = {k: bool(v) and _route_exists(v) for k, v in paths.items()}
    return {
        "paths": paths,
        "available": available,
        "reader_id": reader.pk,
        "reader_feed": HomeFeedEntry.objects.filter(owner=reader).count(),
        "national_id": national.pk,
        "national_followers": national.follower_rel.count(),
        "follow_targets": targets,
        "favourite_ids": favourable,
    }


def token(args: argparse.Namespace) -> dict[str, Any]:
    """An OAuth 2 access token of the reader, as an API client would hold after sign-in."""
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import get_access_token_model, get_application_model

    user = _account(args.reader).user
    application = get_application_model().objects.create(
        name="benchmark",
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris="urn:ietf:wg:oauth:2.0:oob",
        user=user,
    )
    access = get_access_token_model().objects.create(
        user=user,
        application=application,
        token=f"bench-{os.urandom(16).hex()}",
        scope="read write follow",
        expires=timezone.now() + timedelta(days=1),
    )
    return {"token": access.token}


def sqlfloor(args: argparse.Namespace) -> dict[str, Any]:
    """The home timeline's own SQL run directly, beside the whole query function."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from babillard.timelines import queries

    reader = _account(args.reader)
    queries.home(reader, limit=20)
    with CaptureQueriesContext(connection) as captured:
        page = queries.home(reader, limit=20)
    statements = [q["sql"] for q in captured.captured_queries]

    def run_raw() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    def run_function() -> None:
        queries.home(reader, limit=20)

    result: dict[str, Any] = {
        "items": len(page.items),
        "queries": len(statements),
        "sql": statements,
    }
    for name, call in (("raw_sql", run_raw), ("query_function", run_function)):
        for _ in range(20):
            call()
        samples = []
        deadline = time.perf_counter() + args.seconds
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            call()
            samples.append(time.perf_counter() - began)
        samples.sort()
        result[name] = {
            "runs": len(samples),
            "p50_ms": round(statistics.median(samples) * 1000, 3),
            "p99_ms": round(samples[int(len(samples) * 0.99)] * 1000, 3),
            "per_second_one_connection": round(len(samples) / sum(samples), 1),
        }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            plans = []
            for sql in statements:
                cursor.execute("EXPLAIN ANALYZE " + sql)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
        result["plans"] = plans
    return result


def profile(args: argparse.Namespace) -> dict[str, Any]:
    """One API home timeline request in-process: its queries, its time, where it goes.

    The request runs through Django's whole handler (middleware, token, view, JSON) with
    the test client; the statements come from ``CaptureQueriesContext``. With
    pyinstrument installed in the virtualenv (``pip install pyinstrument``; not a
    dependency), ``--profile-out`` receives its text report of the same requests.
    """
    from django.db import connection
    from django.test import Client

    access = token(args)["token"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {access}", HTTP_HOST="127.0.0.1")
    path = "/api/v1/timelines/home?limit=20"

    def one() -> None:
        answer = client.get(path)
        assert answer.status_code == 200, answer.status_code

    for _ in range(10):
        one()
    statements: list[str] = []

    def record(execute: Any, sql: str, *rest: Any) -> Any:
        statements.append(sql)
        return execute(sql, *rest)

    # A wrapper, not CaptureQueriesContext: each request starts by emptying the query log.
    with connection.execute_wrapper(record):
        one()
    samples = []
    cpu_began = time.process_time()
    deadline = time.perf_counter() + args.seconds
    while time.perf_counter() < deadline:
        began = time.perf_counter()
        one()
        samples.append(time.perf_counter() - began)
    cpu = time.process_time() - cpu_began
    samples.sort()
    result: dict[str, Any] = {
        # This process's CPU per request: the server's own cost, whatever the machine's load.
        "cpu_ms": round(cpu / len(samples) * 1000, 3),
        "queries": len(statements),
        "sql": statements,
        "runs": len(samples),
        "p50_ms": round(statistics.median(samples) * 1000, 3),
        "p99_ms": round(samples[int(len(samples) * 0.99)] * 1000, 3),
    }
    if args.profile_out:
        from pyinstrument import Profiler

        with Profiler(interval=0.0005) as profiler:
            for _ in range(50):
                one()
        Path(args.profile_out).write_text(profiler.output_text(show_all=False))
    return result


def post(args: argparse.Namespace) -> dict[str, Any]:
    """Post from the account with the most local followers; time the post and the fan-out.

    ``inline``: the fan-out task's body runs here, right after ``post_status`` returns.
    ``worker``: a ``babillard worker`` started by the harness picks the task up; the
    time runs until every follower's home feed holds the post.
    """
    from django.db import close_old_connections

    from babillard.accounts.models import Follow
    from babillard.statuses.services import post_status
    from babillard.timelines import services as timeline_services
    from babillard.timelines.models import HomeFeedEntry

    author = _account(args.national)
    followers = Follow.objects.filter(target=author, account__domain="").count()
    runs = []
    for number in range(args.repeat):
        text = f"Annonce {number} du benchmark : ouverture exceptionnelle #bibliothèques"
        began = time.perf_counter()
        status = post_status(author, text, visibility="public")
        accepted = time.perf_counter() - began
        run: dict[str, Any] = {"status_id": status.pk, "accepted_ms": round(accepted * 1000, 2)}
        if args.mode == "inline":
            fan_began = time.perf_counter()
            timeline_services.fan_out(status)
            run["fan_out_ms"] = round((time.perf_counter() - fan_began) * 1000, 1)
            run["trimmed"] = status.pk % timeline_services.TRIM_EVERY == 0
        else:
            deadline = began + args.timeout
            holders = 0
            while time.perf_counter() < deadline:
                close_old_connections()
                holders = HomeFeedEntry.objects.filter(status_id=status.pk).count()
                if holders >= followers + 1:
                    break
                time.sleep(0.02)
            run["all_feeds_ms"] = round((time.perf_counter() - began) * 1000, 1)
            run["feeds_holding"] = holders
        runs.append(run)
    result: dict[str, Any] = {"followers": followers, "mode": args.mode, "runs": runs}
    if args.mode == "inline":
        # One post in TRIM_EVERY also trims every recipient's feed, one query each.
        owners = timeline_services._recipients(status)
        began = time.perf_counter()
        for owner_id in owners:
            timeline_services.trim_feed(owner_id)
        result["trim_all_feeds_ms"] = round((time.perf_counter() - began) * 1000, 1)
    return result


def deliveries(args: argparse.Namespace) -> dict[str, Any]:
    """Signed deliveries per second of one worker to a sink inbox on loopback.

    A public post goes to ``--remote`` followers on ``--servers`` servers, first
    each with its own inbox (one delivery per follower), then with a shared inbox per
    server (one per server). The deliveries' task body (sign, POST, record) runs here,
    one after another, as one worker runs them; the sink answers 202 at once. Needs
    ``BABILLARD_INSECURE_FEDERATION`` and ``BABILLARD_ALLOW_PRIVATE_ADDRESSES``.
    """
    import http.server
    import threading

    from babillard.accounts.models import Account
    from babillard.federation import activities, outbox
    from babillard.federation.models import Delivery
    from babillard.federation.tasks import attempt
    from babillard.statuses.models import Status

    class Sink(http.server.BaseHTTPRequestHandler):
        received = 0

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            Sink.received += 1
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    sink = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{sink.server_address[1]}"
    status = (
        Status.objects.filter(local=True, reblog__isnull=True, visibility="public")
        .select_related("account")
        .first()
    )
    assert status is not None, "no public post to deliver"
    sender = status.account
    activity = activities.create_activity(status)
    result: dict[str, Any] = {"remote_followers": args.remote, "servers": args.servers}
    for shared in (False, True):
        label = "shared_inboxes" if shared else "personal_inboxes"
        recipients = [
            Account(
                username=f"lecteur{i}",
                domain=f"{label}-{i % args.servers}.test",
                uri=f"{base}/{label}/{i}",
                inbox_url=f"{base}/{label}/{i}/inbox",
                shared_inbox_url=f"{base}/{label}/{i % args.servers}/inbox" if shared else "",
            )
            for i in range(args.remote)
        ]
        activity_id = f"{activity['id']}#{label}-{time.time_ns()}"
        queued = outbox.send(sender, {**activity, "id": activity_id}, recipients)
        rows = list(Delivery.objects.select_related("sender").filter(activity_id=activity_id))
        before = Sink.received
        began = time.perf_counter()
        delivered = sum(1 for row in rows if attempt(row))
        seconds = time.perf_counter() - began
        result[label] = {
            "deliveries": queued,
            "delivered": delivered,
            "sink_received": Sink.received - before,
            "seconds": round(seconds, 3),
            "deliveries_per_second": round(delivered / seconds, 1) if seconds else 0.0,
            "followers_reached_per_second": round(args.remote / seconds, 1) if seconds else 0.0,
        }
    sink.shutdown()
    return result


def session(args: argparse.Namespace) -> dict[str, Any]:
    """A logged-in session made the way ``django.contrib.auth.login`` makes one.

    Only used when the log-in form cannot be reached; the harness logs in through the
    form first.
    """
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    user = _account(args.reader).user
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return {"cookie": f"{settings.SESSION_COOKIE_NAME}={store.session_key}"}


COMMANDS = {
    "discover": discover,
    "token": token,
    "sqlfloor": sqlfloor,
    "post": post,
    "profile": profile,
    "deliveries": deliveries,
    "session": session,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ops")
    parser.add_argument("command", choices=sorted(COMMANDS))
    parser.add_argument("--reader", default="lecteur")
    parser.add_argument("--national", default="biblio_nationale")
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--mode", choices=["inline", "worker"], default="inline")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--remote", type=int, default=200, help="remote followers (deliveries)")
    parser.add_argument("--servers", type=int, default=10, help="their servers (deliveries)")
    parser.add_argument("--profile-out", default="", help="pyinstrument text report (profile)")
    args = parser.parse_args(argv)
    _setup()
    result = COMMANDS[args.command](args)
    sys.stdout.write("BENCH_JSON " + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
