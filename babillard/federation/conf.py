"""Federation options, read from the settings or, failing that, the environment.

Only ``BABILLARD_INSECURE_FEDERATION`` lives in ``settings.py``; the others are
federation's own and are documented in the README's configuration table.
"""

import os
from typing import Any

from django.conf import settings


def _env_bool(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _option(name: str, env: str, default: Any, cast: Any) -> Any:
    if hasattr(settings, name):
        return getattr(settings, name)
    raw = os.environ.get(env)
    return default if raw in (None, "") else cast(raw)


def authorized_fetch() -> bool:
    """Serve posts and collections only to signed requests (Mastodon's secure mode)."""
    if hasattr(settings, "AUTHORIZED_FETCH"):
        return bool(getattr(settings, "AUTHORIZED_FETCH", False))
    return _env_bool("BABILLARD_AUTHORIZED_FETCH")


def retry_base_seconds() -> float:
    """First delay before a failed delivery is tried again; each next one is three times longer."""
    return float(
        _option("FEDERATION_RETRY_SECONDS", "BABILLARD_FEDERATION_RETRY_SECONDS", 60, float)
    )


def max_attempts() -> int:
    """Attempts before a delivery is given up (with 60 s and x3, the last is about a day later)."""
    return int(_option("FEDERATION_MAX_ATTEMPTS", "BABILLARD_FEDERATION_MAX_ATTEMPTS", 8, int))


# Incoming activities larger or deeper than this are refused before parsing further.
MAX_INBOX_BYTES = 256 * 1024
MAX_JSON_DEPTH = 16
# Signed requests dated further from now than this are refused (as Mastodon: 12 h back, 1 h ahead).
SIGNATURE_MAX_AGE = 12 * 3600
SIGNATURE_MAX_SKEW = 3600
# Remote actors are fetched again after this many seconds.
ACTOR_REFRESH_SECONDS = 24 * 3600
# Time an unavailable server is left alone before deliveries to it are tried again.
UNAVAILABLE_SECONDS = 6 * 3600
