from typing import Any

from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "babillard.groups"
    label = "groups"

    def ready(self) -> None:
        from babillard.groups import columns
        from babillard.statuses.services import arrived

        arrived.connect(_on_arrival, dispatch_uid="groups.receive_post")
        columns.register()


def _on_arrival(sender: Any, status: Any, **kwargs: Any) -> None:
    """A post mentioning a local group, local or federated, is considered once committed."""
    from babillard.accounts.models import AccountKind
    from babillard.core.tasks import enqueue_on_commit
    from babillard.groups.tasks import receive_post

    if (
        status.reblog_id is None
        and status.mentions.filter(account__kind=AccountKind.GROUP, account__domain="").exists()
    ):
        enqueue_on_commit(receive_post, status.pk)
