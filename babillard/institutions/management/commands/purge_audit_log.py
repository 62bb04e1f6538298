"""Delete the audit rows of actions taken as institutions that are over a year old.

``babillard worker`` enqueues the same task daily on its own; this command runs it
at once. It is idempotent.
"""

from typing import Any

from django.core.management.base import BaseCommand

from babillard.institutions import services


class Command(BaseCommand):
    help = "Delete audit rows of actions taken as an institution older than one year."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"audit rows purged: {services.purge_audit_log()}")
