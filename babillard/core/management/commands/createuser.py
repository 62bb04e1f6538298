from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from babillard.accounts.models import AccountKind
from babillard.accounts.services import create_local_user


class Command(BaseCommand):
    help = "Create a confirmed, approved local account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--kind", choices=AccountKind.values, default=AccountKind.PERSON)
        parser.add_argument("--display-name", default="")
        parser.add_argument("--moderator", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = create_local_user(
                options["username"],
                options["email"],
                options["password"],
                kind=options["kind"],
                display_name=options["display_name"],
                moderator=options["moderator"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"created @{user.username} ({options['kind']})")
