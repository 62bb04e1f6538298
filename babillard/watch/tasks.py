"""Background work of watch, each task idempotent: matching a post on arrival, filling
a new antenna back, polling outside feeds, e-mails. ``poll_due_sources`` and
``send_antenna_summaries`` are enqueued by ``babillard worker`` (its ``UPKEEP``)."""

from django_tasks import task

from babillard.watch import services


@task()
def match_status(status_id: int) -> None:
    services.match_status(status_id)


@task()
def backfill_antenna(antenna_id: int) -> None:
    services.backfill_antenna(antenna_id)


@task()
def poll_source(source_id: int) -> None:
    services.poll_source(source_id)


@task()
def poll_due_sources() -> None:
    for source_id in services.due_sources():
        poll_source.enqueue(source_id)


@task()
def send_hit_email(hit_id: int) -> None:
    services.send_hit_email(hit_id)


@task()
def send_antenna_summaries() -> None:
    services.send_daily_summaries()
