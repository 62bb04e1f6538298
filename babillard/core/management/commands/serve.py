import subprocess
import sys
from typing import Any

import uvicorn
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Babillard over ASGI and run a task worker beside it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="ASGI processes")
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
                workers=options["workers"],
                log_level="info",
                access_log=False,
                lifespan="off",
            )
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
