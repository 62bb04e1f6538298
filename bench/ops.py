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
    args = parser.parse_args(argv)
    _setup()
    result = COMMANDS[args.command](args)
    sys.stdout.write("BENCH_JSON " + json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
