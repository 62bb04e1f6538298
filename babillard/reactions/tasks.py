"""Sending reactions: in a task, since choosing the activity may ask the other server's NodeInfo.

Both tasks are idempotent: ``outbox.send`` queues one delivery per activity and inbox.
"""

from django_tasks import task

from babillard.accounts.models import Account
from babillard.reactions import federation
from babillard.reactions.models import Reaction
from babillard.statuses.models import Status


@task()
def send_reaction(reaction_id: int) -> None:
    loaded = Reaction.objects.select_related("account", "status__account")
    found = loaded.filter(pk=reaction_id).first()
    if found is not None:
        federation.send(found)


@task()
def send_unreaction(
    reaction_id: int, account_id: int, status_id: int, name: str, image_url: str
) -> None:
    account = Account.objects.filter(pk=account_id).first()
    status = Status.objects.select_related("account").filter(pk=status_id).first()
    if account is None or status is None:
        return
    gone = Reaction(pk=reaction_id, account=account, status=status, name=name, image_url=image_url)
    federation.send(gone, undo=True)
