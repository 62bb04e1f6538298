"""Background work of boards: the newsletters.

``send_due_newsletters`` is enqueued every hour by ``babillard worker`` (its ``UPKEEP``
schedule); ``send_newsletter`` moves the board's mark before mailing, so a repeated run
sends nothing twice.
"""

from django_tasks import task

from babillard.boards import services


@task()
def send_newsletter(board_id: int) -> int:
    return services.send_newsletter(board_id)


@task()
def send_due_newsletters() -> list[int]:
    return services.send_due_newsletters()
