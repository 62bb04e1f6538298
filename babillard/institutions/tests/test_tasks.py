from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from babillard.institutions.models import AuditEntry
from babillard.institutions.services import post_as_institution


def test_purge_audit_log_command(library):
    institution, people = library
    post_as_institution(people["eddy"], institution, "Ancien")
    post_as_institution(people["eddy"], institution, "Récent")
    oldest = AuditEntry.objects.order_by("id").first()
    AuditEntry.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - timedelta(days=400))
    out = StringIO()
    call_command("purge_audit_log", stdout=out)
    assert "audit rows purged: 1" in out.getvalue()
    assert list(AuditEntry.objects.values_list("pk", flat=True)) != [oldest.pk]
    assert AuditEntry.objects.count() == 1
