from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from babillard.occupancy import tasks
from babillard.occupancy.models import HistoryPoint, IdempotencyKey
from babillard.occupancy.services import update_occupancy


def test_upkeep_command_folds_history_and_purges_keys(world):
    old = timezone.now() - timedelta(days=10)
    update_occupancy(world.reading, world.staff, count=3, idempotency_key="a", now=old)
    IdempotencyKey.objects.update(created_at=old)
    HistoryPoint.objects.create(space=world.reading, at=old + timedelta(seconds=20), count=9)
    out = StringIO()
    call_command("occupancy_upkeep", stdout=out)
    assert "idempotency keys purged: 1" in out.getvalue()
    [summary] = HistoryPoint.objects.all()
    assert summary.span_seconds == 900 and summary.count == 9
    tasks.summarise_history.call()
    assert HistoryPoint.objects.count() == 1
