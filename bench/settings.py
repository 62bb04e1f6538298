"""The production settings, with the client API's per-token rate limit and the
per-account limits lifted.

The benchmark reads and writes the API with one token and one account from many
connections; a real instance serves many clients and people, each under its own
limits. The limiters still run (and cost what they cost), they only never refuse.
"""

from babillard.settings import *  # noqa: F403

API_RATE_LIMIT = 10**9
ACCOUNT_RATE_LIMITS = {
    family: (10**9, period)
    for family, (_limit, period) in ACCOUNT_RATE_LIMITS.items()  # noqa: F405
}
