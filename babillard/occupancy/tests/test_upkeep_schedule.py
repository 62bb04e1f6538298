"""The worker enqueues the upkeep tasks on its own, once per period."""

from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from babillard.core.management.commands.worker import UPKEEP, enqueue_due_upkeep
from babillard.institutions.models import AuditEntry
from babillard.occupancy.models import HistoryPoint, IdempotencyKey
from babillard.occupancy.services import update_occupancy


def test_the_worker_runs_every_upkeep_task_once_per_period(world):
    ten_days_ago = timezone.now() - timedelta(days=10)
    old = ten_days_ago.replace(minute=ten_days_ago.minute // 15 * 15, second=0, microsecond=0)
    update_occupancy(world.reading, world.staff, count=3, idempotency_key="a", now=old)
    HistoryPoint.objects.create(space=world.reading, at=old + timedelta(seconds=20), count=9)
    IdempotencyKey.objects.update(created_at=old)
    AuditEntry.objects.create(
        institution=world.institution,
        acting_account=world.manager,
        action="post",
        created_at=timezone.now() - timedelta(days=400),
    )

    assert enqueue_due_upkeep() == [path for path, _period in UPKEEP]
    [summary] = HistoryPoint.objects.all()
    assert (summary.span_seconds, summary.count) == (900, 9)
    assert not IdempotencyKey.objects.exists()
    assert not AuditEntry.objects.exists()

    assert enqueue_due_upkeep() == []
    cache.delete(f"upkeep:{UPKEEP[0][0]}")
    assert enqueue_due_upkeep() == [UPKEEP[0][0]]
