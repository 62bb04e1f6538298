from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from babillard.accounts.models import AddressUse
from babillard.accounts.services import note_address
from babillard.accounts.tasks import forget_old_addresses
from babillard.core.management.commands.worker import UPKEEP
from babillard.core.testing import make_account

pytestmark = pytest.mark.django_db


def test_the_worker_forgets_old_addresses_every_day(settings):
    assert ("babillard.accounts.tasks.forget_old_addresses", 24 * 3600) in UPKEEP
    alice = make_account()
    with freeze_time(timezone.now() - timedelta(days=settings.IP_RETENTION_DAYS + 1)):
        note_address(alice.user.pk, "192.0.2.1", AddressUse.Way.SESSION)
    note_address(alice.user.pk, "192.0.2.2", AddressUse.Way.SESSION)
    forget_old_addresses.call()
    assert list(AddressUse.objects.values_list("ip", flat=True)) == ["192.0.2.2"]
