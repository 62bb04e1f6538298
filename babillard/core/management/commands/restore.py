from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from babillard.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a folder written by `babillard backup` into this instance's empty database "
        "and folders, and check every table and file against the backup's manifest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = restore(options["folder"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {done.tables} tables ({done.rows} rows) and {done.files} files "
            f"from {done.folder}; every one matches the backup"
        )
