"""What every page shares: the viewer, access rules, errors turned into answers, htmx partials."""

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar, cast

import segno
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from babillard.accounts.models import Account, User
from babillard.books import queries as book_queries
from babillard.books.models import Book
from babillard.core.errors import Forbidden, NotFound
from babillard.core.pagination import Page
from babillard.statuses.models import Poll, PollVote, Status
from babillard.statuses.queries import (
    AUTOMATIC,
    interactions,
    quote_approval,
    quote_context,
    shown_quote,
)
from babillard.timelines.queries import apply_filters

View = TypeVar("View", bound=Callable[..., HttpResponse])


def viewer_of(request: HttpRequest) -> Account | None:
    user = request.user
    if not user.is_authenticated:
        return None
    return cast(Account | None, getattr(user, "account_record", None))


def current_account(request: HttpRequest) -> Account:
    """The logged-in viewer's account, for views that require a log-in."""
    account = viewer_of(request)
    if account is None:
        raise PermissionDenied
    return account


def current_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _translate_errors(view: View) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except Forbidden:
            raise PermissionDenied from None

    return cast(View, wrapper)


def public_page(view: View) -> View:
    """A page visitors may read, unless the instance is private."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if settings.PRIVATE_INSTANCE and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return cast(View, _translate_errors(cast(View, wrapper)))


def member_page(view: View) -> View:
    """A page or action for logged-in people only."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if viewer_of(request) is None:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return cast(View, _translate_errors(cast(View, wrapper)))


def moderator_page(view: View) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if viewer_of(request) is None:
            return redirect_to_login(request.get_full_path())
        if not getattr(request.user, "can_moderate", False):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return cast(View, _translate_errors(cast(View, wrapper)))


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """Redirect to the ``next`` field of the form when it is a local address."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = default
    return HttpResponseRedirect(target)


def add_errors(form: Form, error: ValidationError, fields: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError next to the field it is about (by its code)."""
    fields = fields or {}
    for item in error.error_list:
        field = fields.get(str(item.code or ""))
        form.add_error(field if field in form.fields else None, item)


def qr_svg(text: str, title: str, svg_class: str) -> str:
    """A QR code of ``text`` as inline SVG, made on the server (no outside service sees it)."""
    code = segno.make(text, error="m")
    return str(
        code.svg_inline(scale=8, title=title, light="#fff", svgclass=svg_class, omitsize=True)
    )


def status_context(viewer: Account | None, statuses: Iterable[Status]) -> dict[str, Any]:
    """What rendering these statuses needs about the viewer, in a fixed number of queries."""
    items = list(statuses)
    flags = interactions(viewer, items)
    polls = [p for p in (_poll_of(s.reblog or s) for s in items) if p is not None]
    voted: set[int] = set()
    if viewer is not None and polls:
        voted = set(
            PollVote.objects.filter(account=viewer, poll__in=polls).values_list(
                "poll_id", flat=True
            )
        )
    from babillard.reactions.emoji import QUICK_EMOJI
    from babillard.reactions.queries import summaries

    return {
        **flags,
        "voted": voted,
        "books": _books(viewer, items),
        **_quotes(viewer, items),
        "reactions": summaries(viewer, items),
        "reaction_choices": QUICK_EMOJI,
    }


def _quotes(viewer: Account | None, statuses: list[Status]) -> dict[str, Any]:
    """How each quote shows (``quotes``: state and quoted post) and which posts the viewer
    may quote (``quotable``), keyed by the original post's id."""
    originals = [s.reblog or s for s in statuses]
    found = quote_context(viewer, originals)
    shown = {}
    for status_id, quote in found.quotes.items():
        state, quoted = shown_quote(viewer, quote)
        shown[status_id] = {"state": state, "quoted": quoted}
    quotable = {
        s.pk
        for s in originals
        if quote_approval(
            # Shown posts are visible to the viewer, so never across a block.
            viewer,
            s,
            follows=s.account_id in found.followed,
            blocked=False,
        )
        == AUTOMATIC
    }
    return {"quotes": shown, "quotable": quotable}


def _books(
    viewer: Account | None, statuses: list[Status]
) -> dict[int, list[tuple[Book, str | None]]]:
    """Each book post's books with the viewer's "find it" link, keyed by the post's id."""
    posts = book_queries.book_posts([s.reblog or s for s in statuses])
    if not posts:
        return {}
    find_it = book_queries.first_find_it(viewer)
    return {
        status_id: [(book, find_it(book)) for book in book_queries.books_of(post)]
        for status_id, post in posts.items()
    }


def _poll_of(status: Status) -> Poll | None:
    try:
        return status.poll
    except Poll.DoesNotExist:
        return None


def timeline_context(
    viewer: Account | None,
    page: Page[Status],
    also: Iterable[Status] = (),
    filter_context: str | None = None,
) -> dict[str, Any]:
    """A page of statuses and what rendering it needs, ``also`` shown beside it (pins).

    With a ``filter_context`` (home, public, thread, account) the reader's filters apply.
    """
    shown, warned = (
        apply_filters(viewer, page.items, filter_context) if filter_context else (page.items, {})
    )
    flags = status_context(viewer, [*shown, *also])
    flags["filtered"] = warned
    return {"page": page, "statuses": shown, "flags": flags}


def page_args(request: HttpRequest) -> dict[str, Any]:
    return {k: request.GET.get(k) for k in ("max_id", "min_id") if request.GET.get(k)}
