"""``/api/babillard/v1/`` paths of the institutions domain."""

from ninja import Router

router = Router(tags=["institutions"])
