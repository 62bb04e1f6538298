"""Background work of institutions: the audit log is kept one year.

``purge_audit_log`` is enqueued daily by ``babillard worker`` (its ``UPKEEP``
schedule); it is idempotent.
"""

from django_tasks import task

from babillard.institutions import services


@task()
def purge_audit_log() -> None:
    services.purge_audit_log()
