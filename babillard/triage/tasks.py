"""Background work of triage. ``send_due_digests`` is enqueued every hour by
``babillard worker`` (its ``UPKEEP`` schedule); it is idempotent: each digest claims its
period before sending."""

from django_tasks import task

from babillard.triage import services


@task()
def send_due_digests() -> None:
    services.send_due_digests()
