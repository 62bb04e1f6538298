from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from babillard.occupancy import tasks
from babillard.occupancy.models import HistoryPoint, IdempotencyKey
from babillard.occupancy.services import update_occupancy


def test_upkeep_command_folds_history_and_purges_keys(world):
    # The start of a quarter of an hour ten days ago, so that both points share it.
    ten_days_ago = timezone.now() - timedelta(days=10)
    old = ten_days_ago.replace(minute=ten_days_ago.minute // 15 * 15, second=0, microsecond=0)
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
