"""Background work of watch, each task idempotent: matching posts on arrival, filling
a new antenna back, polling outside feeds, e-mails. ``poll_due_sources`` and
``send_antenna_summaries`` are enqueued by ``babillard worker`` (its ``UPKEEP``)."""

from django_tasks import task

from babillard.watch import services


@task()
def match_arrivals() -> None:
    """The posts waiting in line for the antennas, a batch at a time."""
    services.match_arrivals()


@task()
def match_status(status_id: int) -> None:
    """One post: the form of the tasks queued before posts waited in line."""
    services.match_statuses([status_id])


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
