"""``/api/babillard/v1/`` paths of the occupancy domain."""

from ninja import Router

router = Router(tags=["occupancy"])
