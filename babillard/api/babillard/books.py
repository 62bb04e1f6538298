"""``/api/babillard/v1/`` paths of the books domain."""

from ninja import Router

router = Router(tags=["books"])
