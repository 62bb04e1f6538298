from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from babillard.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database and the instance's files to a new folder, "
        "while the server keeps running (restore it with `babillard restore`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = backup(options["folder"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up {done.tables} tables ({done.rows} rows) and {done.files} files "
            f"to {done.folder}"
        )
