"""Delete the audit rows of actions taken as institutions that are over a year old.

Run it once a day (cron, a systemd timer); it is idempotent.
"""

from typing import Any

from django.core.management.base import BaseCommand

from babillard.institutions import services


class Command(BaseCommand):
    help = "Delete audit rows of actions taken as an institution older than one year."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"audit rows purged: {services.purge_audit_log()}")
