"""Background work of institutions: the audit log is kept one year.

``purge_audit_log`` is meant to run daily; it is idempotent.
"""

from django_tasks import task

from babillard.institutions import services


@task()
def purge_audit_log() -> None:
    services.purge_audit_log()
