from typing import Any

from django.apps import AppConfig


class WatchConfig(AppConfig):
    name = "babillard.watch"
    label = "watch"

    def ready(self) -> None:
        from babillard.statuses.services import arrived
        from babillard.watch.kinds import register_builtin_kinds

        register_builtin_kinds()
        arrived.connect(_on_arrival, dispatch_uid="watch.match_status")


def _on_arrival(sender: Any, status: Any, **kwargs: Any) -> None:
    """Every stored post, local or federated, goes through the antennas in the worker."""
    from babillard.watch.services import queue_for_matching

    queue_for_matching(status)
