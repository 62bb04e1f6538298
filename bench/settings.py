"""The production settings, with the client API's per-token rate limit lifted.

The benchmark reads the API with one token from many connections; a real instance
serves many clients, each under its own limit. The limiter still runs (and costs
what it costs), it only never refuses.
"""

from babillard.settings import *  # noqa: F403

API_RATE_LIMIT = 10**9
