"""Daily upkeep of occupancy: fold old history into quarter hours, drop old idempotency keys.

``babillard worker`` enqueues the same tasks on its own (its ``UPKEEP``
schedule); this command runs them at once, e.g. by hand. It is idempotent.
"""

from typing import Any

from django.core.management.base import BaseCommand

from babillard.occupancy import services


class Command(BaseCommand):
    help = "Summarise occupancy history older than eight days and purge old idempotency keys."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = services.summarise_history()
        keys = services.purge_idempotency_keys()
        self.stdout.write(f"history rows folded: {removed}; idempotency keys purged: {keys}")
