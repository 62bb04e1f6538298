from django_tasks import task

from babillard.accounts.models import Account
from babillard.statuses.models import Status
from babillard.timelines import services


@task()
def fan_out_status(status_id: int) -> None:
    status = Status.objects.select_related("account", "reblog").filter(pk=status_id).first()
    if status is not None:
        services.fan_out(status)


@task()
def backfill_home_feed(owner_id: int, followed_id: int) -> None:
    owner = Account.objects.filter(pk=owner_id).first()
    followed = Account.objects.filter(pk=followed_id).first()
    if owner and followed:
        services.backfill(owner, followed)
