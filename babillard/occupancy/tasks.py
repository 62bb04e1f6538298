"""Background work of occupancy: automatic posts and the history's upkeep.

``summarise_history`` and ``purge_idempotency_keys`` are enqueued every hour by
``babillard worker`` (its ``UPKEEP`` schedule); each is idempotent.
"""

from datetime import datetime

from django_tasks import task

from babillard.occupancy import services


@task()
def post_occupancy_change(space_id: int, kind: str, when: str | None = None) -> None:
    services.publish_auto_post(space_id, kind, datetime.fromisoformat(when) if when else None)


@task()
def summarise_history() -> None:
    services.summarise_history()


@task()
def purge_idempotency_keys() -> None:
    services.purge_idempotency_keys()
