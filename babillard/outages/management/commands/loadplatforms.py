"""``babillard loadplatforms [FILE]``: add the starter list of e-resource platforms (or
those of a JSON file of the same shape); platforms already there are left alone."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from babillard.outages import services

STARTER = Path(__file__).resolve().parents[2] / "fixtures" / "platforms.json"


class Command(BaseCommand):
    help = "Add the starter list of e-resource platforms French libraries use most."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", default=str(STARTER))

    def handle(self, *args: Any, **options: Any) -> None:
        rows = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
        added = services.load_platforms(rows)
        self.stdout.write(f"{len(added)} platforms added, {len(rows) - len(added)} already there")
