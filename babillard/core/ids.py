"""Time-sortable 64-bit identifiers for statuses, notifications and media.

The upper bits hold milliseconds since the Unix epoch and the lower 16 bits a
per-process sequence started at a random value, as Mastodon's ids do, so that
``max_id``/``since_id``/``min_id`` pagination is an index range scan and ids
made by several processes in the same millisecond do not collide in practice.
"""

import secrets
import threading
import time
from datetime import UTC, datetime

SEQUENCE_BITS = 16
_SEQUENCE_MASK = (1 << SEQUENCE_BITS) - 1
_lock = threading.Lock()
_sequence = [secrets.randbelow(1 << SEQUENCE_BITS)]


def new_id(at: datetime | None = None) -> int:
    """Return a new id for now, or for the moment ``at`` (back-dated imports)."""
    ms = int((at.timestamp() if at else time.time()) * 1000)
    with _lock:
        _sequence[0] = (_sequence[0] + 1) & _SEQUENCE_MASK
        sequence = _sequence[0]
    return (ms << SEQUENCE_BITS) | sequence


def id_floor(at: datetime) -> int:
    """The smallest id that can have been made at or after ``at``."""
    return int(at.timestamp() * 1000) << SEQUENCE_BITS


def id_time(value: int) -> datetime:
    """The moment (to the millisecond) an id was made: favourites keep their time only there."""
    return datetime.fromtimestamp((value >> SEQUENCE_BITS) / 1000, tz=UTC)
