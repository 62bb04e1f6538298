"""The ``babillard`` command: Django's management commands, plus ``serve`` and ``worker``."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "babillard.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["babillard", *sys.argv[1:]])


if __name__ == "__main__":
    main()
