import os
import subprocess
import sys
from typing import Any

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


def default_workers() -> int:
    """One web process per CPU the process may use, when events can cross processes.

    Streaming events travel between processes through Redis only: without
    ``BABILLARD_REDIS_URL`` a reader connected to one process would miss a post
    made through another, so the embedded set-up keeps a single process.
    """
    if os.environ.get("BABILLARD_WEB_WORKERS"):
        return max(1, int(os.environ["BABILLARD_WEB_WORKERS"]))
    if not getattr(settings, "REDIS_URL", ""):
        return 1
    return max(1, len(os.sched_getaffinity(0)))


class Command(BaseCommand):
    help = "Serve Babillard over ASGI and run a task worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="ASGI processes (default: BABILLARD_WEB_WORKERS, else one per CPU with "
            "Redis, one without)",
        )
        parser.add_argument("--no-worker", action="store_true", help="do not start a task worker")

    def handle(self, *args: Any, **options: Any) -> None:
        worker = None
        if not options["no_worker"]:
            worker = subprocess.Popen([sys.executable, "-m", "babillard.cli", "worker"])
        try:
            uvicorn.run(
                "babillard.asgi:application",
                host=options["host"],
                port=options["port"],
                workers=options["workers"] or default_workers(),
                log_level="info",
                access_log=False,
                lifespan="off",
            )
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
