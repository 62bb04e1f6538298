"""Streaming placeholder, replaced below."""

from ninja import Router

router = Router(tags=["streaming"])
