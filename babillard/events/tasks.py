"""Background work of events: the day-before reminder and its e-mail (both idempotent
for a given start: a reminder scheduled for a start since changed does nothing)."""

from django_tasks import task

from babillard.events import services


@task()
def send_reminders(event_id: int, starts_at: str) -> None:
    services.send_reminders(event_id, starts_at)


@task()
def send_reminder_email(event_id: int, account_id: int) -> None:
    services.send_reminder_email(event_id, account_id)
