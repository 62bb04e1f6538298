import os
import secrets
from typing import Any

from django.core.management.base import BaseCommand

from babillard.accounts.models import User
from babillard.accounts.services import create_local_user


class Command(BaseCommand):
    help = (
        "Create the administrator account if none exists (password from BABILLARD_ADMIN_PASSWORD)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if User.objects.filter(is_superuser=True).exists():
            return
        password = os.environ.get("BABILLARD_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        create_local_user(
            "admin_babillard",
            "admin@localhost.localdomain",
            password,
            moderator=True,
            superuser=True,
            display_name="Administration",
        )
        self.stdout.write("Administrator created: log in as admin_babillard")
        if "BABILLARD_ADMIN_PASSWORD" not in os.environ:
            self.stdout.write(f"  password (shown once): {password}")
