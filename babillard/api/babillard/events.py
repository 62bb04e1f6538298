"""``/api/babillard/v1/`` paths of the events domain."""

from ninja import Router

router = Router(tags=["events"])
