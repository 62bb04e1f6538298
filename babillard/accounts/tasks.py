"""Background work of accounts: addresses are kept IP_RETENTION_DAYS at most.

``forget_old_addresses`` is enqueued daily by ``babillard worker`` (its ``UPKEEP``
schedule); it is idempotent.
"""

from django_tasks import task

from babillard.accounts import services


@task()
def forget_old_addresses() -> None:
    services.forget_old_addresses()
