"""Small helpers for the templates."""

from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static

register = template.Library()


@register.filter
def poll_rows(poll: Any) -> list[dict[str, Any]]:
    """One row per choice: its index, title, vote count and share of the votes."""
    counts = list(poll.votes_counts) + [0] * (len(poll.options) - len(poll.votes_counts))
    total = sum(counts) or 1
    return [
        {"index": i, "title": title, "count": counts[i], "percent": round(100 * counts[i] / total)}
        for i, title in enumerate(poll.options)
    ]


@register.simple_tag(takes_context=True)
def full_path_with(context: Any, **params: Any) -> str:
    """The current address with some query parameters replaced (for pagination links)."""
    request = context["request"]
    query = request.GET.copy()
    for name in ("max_id", "min_id", "page"):
        query.pop(name, None)
    for name, value in params.items():
        query[name] = value
    return f"{request.path}?{query.urlencode()}"


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """``mapping[key]``, or nothing when the mapping lacks it."""
    return mapping.get(key, ()) if mapping else ()


@register.filter
def in_set(value: Any, container: Any) -> bool:
    return bool(container) and value in container


@register.simple_tag
def unread_notifications(viewer: Any) -> int:
    """How many notifications the viewer has not seen yet (shown in the menu)."""
    from babillard.notifications.queries import unread_count

    if viewer is None or viewer.user is None:
        return 0
    return unread_count(viewer)


@register.filter
def plain(html: str) -> str:
    """The text of sanitised HTML, for short excerpts (remote posts have no typed source)."""
    from babillard.statuses.formatting import plain_text

    return plain_text(html or "")


@register.filter
def own_origin(url: str) -> str:
    """``url`` when this instance serves it, else "".

    A page never makes its reader's browser ask another server for anything (the
    content security policy forbids it as well): another server's image is linked to,
    not shown.
    """
    url = str(url or "")
    if url.startswith("/") and not url.startswith("//"):
        return url
    return url if url.startswith(f"{settings.SCHEME}://{settings.DOMAIN}/") else ""


@register.filter
def avatar_src(account: Any) -> str:
    """The account's avatar if this instance keeps it, else the default one."""
    return own_origin(account.avatar_url) or static("babillard/avatar.svg")
