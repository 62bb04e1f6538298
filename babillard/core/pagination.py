"""Id-range pagination, newest first, as the Mastodon API and the web pages use it.

``max_id`` gives older items, ``since_id`` newer ones counted from the top,
``min_id`` the items just above an id (oldest first, then reversed): each is
one index range scan on the key.
"""

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)
DEFAULT_LIMIT = 20
MAX_LIMIT = 40


@dataclass
class Page(Generic[M]):
    items: list[M]
    newest_key: int | None
    oldest_key: int | None


def _to_int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def clamp_limit(limit: Any, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    value = _to_int(limit)
    if value is None or value <= 0:
        return default
    return min(value, maximum)


def paginate(
    queryset: QuerySet[M],
    *,
    key: str = "id",
    max_id: Any = None,
    since_id: Any = None,
    min_id: Any = None,
    limit: Any = None,
) -> Page[M]:
    count = clamp_limit(limit)
    upper, lower, just_above = _to_int(max_id), _to_int(since_id), _to_int(min_id)
    if upper is not None:
        queryset = queryset.filter(**{f"{key}__lt": upper})
    if lower is not None:
        queryset = queryset.filter(**{f"{key}__gt": lower})
    if just_above is not None:
        items = list(queryset.filter(**{f"{key}__gt": just_above}).order_by(key)[:count])
        items.reverse()
    else:
        items = list(queryset.order_by(f"-{key}")[:count])
    keys = [_key_of(item, key) for item in items]
    return Page(
        items=items, newest_key=keys[0] if keys else None, oldest_key=keys[-1] if keys else None
    )


def _key_of(item: Model, key: str) -> int:
    value: Any = item
    for part in key.split("__"):
        value = getattr(value, part if part != "id" or value is item else "pk")
    return int(value)
