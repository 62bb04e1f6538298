"""Background work of imports and exports (each task idempotent).

``purge_archives`` is enqueued daily by ``babillard worker`` (its ``UPKEEP``
schedule): archives are kept seven days.
"""

from django_tasks import task

from babillard.portability import services


@task()
def run_import(import_id: int) -> None:
    services.run_import(import_id)


@task()
def retry_waiting_rows(import_id: int) -> None:
    services.retry_waiting_rows(import_id)


@task()
def build_archive(archive_id: int) -> None:
    services.build_archive(archive_id)


@task()
def purge_archives() -> None:
    services.purge_archives()
