import os
import socket
import threading
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult, TaskResultStatus

# Upkeep tasks and how often they run (seconds). Each is idempotent, so a late,
# repeated or concurrent run (several workers) does no harm.
UPKEEP = [
    ("babillard.occupancy.tasks.summarise_history", 3600),
    ("babillard.occupancy.tasks.purge_idempotency_keys", 3600),
    ("babillard.institutions.tasks.purge_audit_log", 24 * 3600),
    ("babillard.accounts.tasks.forget_old_addresses", 24 * 3600),
    ("babillard.watch.tasks.poll_due_sources", 300),
    ("babillard.watch.tasks.send_antenna_summaries", 3600),
    ("babillard.outages.tasks.probe_platforms", settings.OUTAGES_PROBE_SECONDS),
    ("babillard.portability.tasks.purge_archives", 24 * 3600),
    ("babillard.triage.tasks.send_due_digests", 3600),
    ("babillard.boards.tasks.send_due_newsletters", 3600),
]
UPKEEP_CHECK_SECONDS = 60


def enqueue_due_upkeep() -> list[str]:
    """Enqueue the upkeep tasks whose period has passed; returns their paths.

    The last run is marked in the cache, shared by the workers when Redis is
    configured, so that one worker of several enqueues each period.
    """
    enqueued = []
    for path, period in UPKEEP:
        if cache.add(f"upkeep:{path}", time.time(), timeout=period):
            import_string(path).enqueue()
            enqueued.append(path)
    return enqueued


def _upkeep_loop(stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            enqueue_due_upkeep()
        finally:
            close_old_connections()
        stop.wait(UPKEEP_CHECK_SECONDS)


# A worker that dies in the middle of a task (killed, out of memory, machine lost) leaves
# the task RUNNING, and the database backend would never run it again. Every worker marks
# itself alive every HEARTBEAT_SECONDS and puts back the running tasks of workers that
# stopped: in the shared cache with Redis (several machines), else by the process id
# (one machine). Tasks are written to be run again safely (fan-out inserts ignore
# duplicates, deliveries are idempotent for the receiver, scheduled posts are taken in
# the transaction that publishes them).
HEARTBEAT_SECONDS = float(os.environ.get("BABILLARD_WORKER_HEARTBEAT", "10"))


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}"


def worker_alive(worker_id: str) -> bool:
    if getattr(settings, "REDIS_URL", ""):
        return cache.get(f"worker-alive:{worker_id}") is not None
    host, _, pid = worker_id.rpartition("-")
    if host != socket.gethostname()[:40] or not pid.isdigit():
        return True  # not ours to judge without a shared cache
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def requeue_orphans() -> int:
    """Make the running tasks of stopped workers ready again; returns how many."""
    settled = timezone.now() - timedelta(seconds=3 * HEARTBEAT_SECONDS)
    requeued = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=settled)
    for task_id, worker_ids in running.values_list("pk", "worker_ids"):
        if worker_ids and worker_alive(worker_ids[-1]):
            continue
        requeued += DBTaskResult.objects.filter(
            pk=task_id, status=TaskResultStatus.RUNNING, worker_ids=worker_ids
        ).update(status=TaskResultStatus.READY, started_at=None)
    return requeued


def _heartbeat_loop(worker_id: str, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            cache.set(f"worker-alive:{worker_id}", 1, timeout=int(3 * HEARTBEAT_SECONDS) + 1)
            requeue_orphans()
        finally:
            close_old_connections()
        stop.wait(HEARTBEAT_SECONDS)


class Command(BaseCommand):
    help = (
        "Run background tasks (fan-out, deliveries, scheduled posts) until stopped, "
        "and enqueue the periodic upkeep tasks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", action="store_true", help="stop when no task is left")
        parser.add_argument(
            "--no-upkeep", action="store_true", help="do not enqueue the periodic upkeep tasks"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        extra = ["--batch"] if options["batch"] else []
        worker_id = new_worker_id()
        stop = threading.Event()
        threading.Thread(target=_heartbeat_loop, args=(worker_id, stop), daemon=True).start()
        if not options["no_upkeep"] and not options["batch"]:
            threading.Thread(target=_upkeep_loop, args=(stop,), daemon=True).start()
        try:
            call_command("db_worker", "--interval", "0.5", "--worker-id", worker_id, *extra)
        finally:
            stop.set()
