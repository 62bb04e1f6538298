"""Background work of groups: a post mentioning a group is shared once its Create is queued."""

from django_tasks import task

from babillard.groups import services


@task()
def receive_post(status_id: int) -> None:
    services.receive_post(status_id)
