from django_tasks import task

from babillard.statuses import services


@task()
def publish_scheduled_status(scheduled_id: int) -> None:
    services.publish_scheduled(scheduled_id)


@task()
def end_poll(status_id: int) -> None:
    services.end_poll(status_id)
