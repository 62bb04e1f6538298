"""Board pages: a person's boards, the public page with its suggestion and subscription
forms, the curators' pages (items, sections, curators, the suggestion queue), the RSS
and Atom feeds, and the newsletter's confirmation links."""

from typing import Any

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, strip_tags
from django.views.decorators.http import require_POST

from babillard.accounts.queries import get_local_account
from babillard.boards import queries, services
from babillard.boards.forms import (
    MESSAGES,
    BoardForm,
    BoardSettingsForm,
    CuratorForm,
    ItemForm,
    SectionForm,
    SubscribeForm,
    SuggestionForm,
)
from babillard.boards.models import Board, Item
from babillard.core import links
from babillard.core.errors import Forbidden, NotFound
from babillard.watch.queries import antennas, get_antenna
from babillard.watch.services import add_column
from babillard.web.views.common import (
    add_errors,
    current_account,
    member_page,
    public_page,
    status_context,
    viewer_of,
)

ITEM_ERROR_FIELDS = {"url": "reference", "item": "reference", "duplicate": "reference"}


@member_page
def my_boards(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    form = BoardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            board = services.create_board(
                account, data["title"], data["description"], data["visibility"]
            )
        except ValidationError as error:
            add_errors(form, error, {"title": "title", "visibility": "visibility"})
        else:
            return redirect("web:board", board.pk)
    return render(
        request,
        "boards/my_boards.html",
        {"form": form, "boards": queries.boards_of(account, account)},
        status=400 if form.errors else 200,
    )


@public_page
def account_boards(request: HttpRequest, username: str) -> HttpResponse:
    owner = get_local_account(username)
    return render(
        request,
        "boards/account_boards.html",
        {"owner": owner, "boards": queries.boards_of(owner, viewer_of(request))},
    )


def _item_form(board: Board, data: Any = None) -> ItemForm:
    return ItemForm(data, sections=[(s.pk, s.title) for s in board.sections.all()])


def _add_from_form(request: HttpRequest, board: Board, form: ItemForm) -> Item | None:
    viewer = current_account(request)
    data = form.cleaned_data
    status = queries.status_from_reference(viewer, data["reference"])
    try:
        return services.add_item(
            viewer,
            board,
            status=status,
            url="" if status is not None else data["reference"],
            title=data["title"],
            excerpt=data["excerpt"],
            comment=data["comment"],
            section_id=data["section"],
        )
    except ValidationError as error:
        add_errors(form, error, ITEM_ERROR_FIELDS)
        return None


@public_page
def board_page(request: HttpRequest, board_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    board = queries.get_board(viewer, board_id)
    curator = services.is_curator(viewer, board)
    item_form = _item_form(board, request.POST or None) if curator else None
    if request.method == "POST":
        if item_form is None:
            raise Http404
        if item_form.is_valid() and _add_from_form(request, board, item_form) is not None:
            messages.success(request, MESSAGES["added"])
            return redirect("web:board", board.pk)
    found = queries.items(viewer, board)
    statuses = [i.status for i in found if i.status is not None]
    sections = list(board.sections.all())
    return render(
        request,
        "boards/board.html",
        {
            "board": board,
            "groups": _grouped(found, sections),
            "flags": status_context(viewer, statuses),
            "curator": curator,
            "item_form": item_form,
            "suggestion_form": SuggestionForm() if viewer is not None else None,
            "subscribe_form": SubscribeForm(
                initial={"email": viewer.user.email if viewer and viewer.user else ""}
            ),
            "pending": queries.suggestions(board).count() if curator else 0,
            "actor_handle": f"@{board.account.username}@{links.absolute('/').split('/')[2]}",
        },
        status=400 if item_form is not None and item_form.errors else 200,
    )


def _grouped(items: list[Item], sections: list[Any]) -> list[tuple[Any, list[Item]]]:
    """The items outside any section first, then each section's, in the board's order."""
    groups: list[tuple[Any, list[Item]]] = [(None, [i for i in items if i.section_id is None])]
    for section in sections:
        groups.append((section, [i for i in items if i.section_id == section.pk]))
    return groups


@require_POST
@member_page
def item_action(request: HttpRequest, board_id: int, item_id: int, verb: str) -> HttpResponse:
    viewer = current_account(request)
    board = queries.get_board(viewer, board_id)
    if verb == "remove":
        services.remove_item(viewer, board, item_id)
    elif verb in ("up", "down"):
        services.move_item(viewer, board, item_id, -1 if verb == "up" else 1)
    else:
        raise Http404
    return redirect("web:board", board.pk)


@require_POST
@member_page
def suggest(request: HttpRequest, board_id: int) -> HttpResponse:
    viewer = current_account(request)
    board = queries.get_board(viewer, board_id)
    form = SuggestionForm(request.POST)
    if form.is_valid():
        reference = form.cleaned_data["reference"]
        status = queries.status_from_reference(viewer, reference)
        try:
            services.suggest(
                board,
                by=viewer,
                status=status,
                url="" if status is not None else reference,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, MESSAGES["suggested"])
    else:
        _flash_errors(request, form)
    return redirect("web:board", board.pk)


def _flash_errors(request: HttpRequest, form: Form) -> None:
    """The errors of a form shown on the page it sends back to (the board's)."""
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, str(message))


@require_POST
@member_page
def add_to_deck(request: HttpRequest, board_id: int) -> HttpResponse:
    """Add the board as a column of the reader's deck (the watch app's)."""
    viewer = current_account(request)
    board = queries.get_board(viewer, board_id)
    try:
        add_column(viewer, "board", {"board_id": board.pk})
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("web:board", board.pk)
    return redirect("web:deck")


@member_page
def suggestions(request: HttpRequest, board_id: int) -> HttpResponse:
    viewer = current_account(request)
    board = queries.get_board(viewer, board_id)
    pending = list(services.suggestion_queue(viewer, board))
    if request.method == "POST":
        suggestion_id = int(request.POST.get("suggestion", "0") or 0)
        if request.POST.get("verb") == "accept":
            services.accept_suggestion(
                viewer, board, suggestion_id, comment=request.POST.get("comment", "")
            )
            messages.success(request, MESSAGES["accepted"])
        else:
            services.reject_suggestion(viewer, board, suggestion_id)
            messages.success(request, MESSAGES["rejected"])
        return redirect("web:board_suggestions", board.pk)
    statuses = [s.status for s in pending if s.status is not None]
    return render(
        request,
        "boards/suggestions.html",
        {"board": board, "suggestions": pending, "flags": status_context(viewer, statuses)},
    )


@member_page
def manage(request: HttpRequest, board_id: int) -> HttpResponse:
    """The board's settings, sections, curators and newsletter, for its curators."""
    viewer = current_account(request)
    board = queries.get_board(viewer, board_id)
    if not services.is_curator(viewer, board):
        raise Forbidden
    what = request.POST.get("what", "")
    settings_form = BoardSettingsForm(
        request.POST if what == "settings" else None,
        initial={
            "title": board.title,
            "description": board.description,
            "visibility": board.visibility,
            "newsletter": board.newsletter,
        },
    )
    section_form = SectionForm(request.POST if what == "section" else None)
    curator_form = CuratorForm(request.POST if what == "curator" else None)
    if request.method == "POST":
        done = _manage_action(request, board, what, settings_form, section_form, curator_form)
        if done is not None:
            return done
    linked = services.board_antennas(viewer, board)
    return render(
        request,
        "boards/manage.html",
        {
            "board": board,
            "settings_form": settings_form,
            "section_form": section_form,
            "curator_form": curator_form,
            "curators": queries.curators(board),
            "owner": services.is_owner(viewer, board),
            "subscribers": board.subscribers.filter(confirmed_at__isnull=False).count(),
            "antennas": linked,
            "my_antennas": [a for a in antennas(viewer) if a not in linked],
        },
        status=400 if request.method == "POST" else 200,
    )


def _manage_action(
    request: HttpRequest,
    board: Board,
    what: str,
    settings_form: BoardSettingsForm,
    section_form: SectionForm,
    curator_form: CuratorForm,
) -> HttpResponse | None:
    """Carry out one form of the management page; ``None`` when it must be shown again."""
    viewer = current_account(request)
    back = redirect("web:board_manage", board.pk)
    try:
        if what == "settings" and settings_form.is_valid():
            data = settings_form.cleaned_data
            services.update_board(viewer, board, **data)
            messages.success(request, MESSAGES["saved"])
            return back
        if what == "section" and section_form.is_valid():
            services.add_section(viewer, board, section_form.cleaned_data["title"])
            return back
        if what == "remove_section":
            services.remove_section(viewer, board, int(request.POST.get("section", "0") or 0))
            return back
        if what == "curator" and curator_form.is_valid():
            try:
                account = get_local_account(curator_form.cleaned_data["username"])
            except NotFound:
                curator_form.add_error("username", MESSAGES["unknown_account"])
                return None
            services.add_curator(viewer, board, account)
            return back
        if what == "remove_curator":
            account = get_local_account(request.POST.get("username", ""))
            services.remove_curator(viewer, board, account)
            return back if account.pk != viewer.pk else redirect("web:boards")
        if what == "antenna":
            antenna = get_antenna(viewer, request.POST.get("antenna"))
            services.link_antenna(viewer, board, antenna)
            return back
        if what == "remove_antenna":
            services.unlink_antenna(viewer, board, int(request.POST.get("antenna", "0") or 0))
            return back
        if what == "newsletter":
            services.request_newsletter(viewer, board)
            messages.success(request, MESSAGES["newsletter_sent"])
            return back
        if what == "delete":
            services.delete_board(viewer, board)
            messages.success(request, MESSAGES["deleted"])
            return redirect("web:boards")
    except ValidationError as error:
        form = {"settings": settings_form, "section": section_form, "curator": curator_form}.get(
            what, settings_form
        )
        add_errors(form, error, {"title": "title", "curator": "username", "section": "title"})
    return None


@require_POST
@public_page
def subscribe(request: HttpRequest, board_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    board = queries.get_board(viewer, board_id)
    form = SubscribeForm(request.POST)
    if form.is_valid():
        try:
            subscriber = services.subscribe(board, form.cleaned_data["email"], viewer)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            done = "subscribed" if subscriber.confirmed_at else "confirm_sent"
            messages.success(request, MESSAGES[done])
    else:
        _flash_errors(request, form)
    return redirect("web:board", board.pk)


def confirm_subscription(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = services.confirm_subscription(token)
    except NotFound:
        raise Http404 from None
    messages.success(request, MESSAGES["subscribed"])
    return redirect("web:board", subscriber.board_id)


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """A page with one button: mail scanners follow links, so unsubscribing takes a POST."""
    if request.method == "POST":
        try:
            services.unsubscribe(token)
        except NotFound:
            raise Http404 from None
        messages.success(request, MESSAGES["unsubscribed"])
        return redirect("web:landing")
    return render(request, "boards/unsubscribe.html", {"token": token})


class BoardRss(Feed):  # type: ignore[type-arg]
    """The latest items of a public or unlisted board, for feed readers."""

    def get_object(self, request: HttpRequest, board_id: int) -> Board:
        try:
            return queries.get_board(None, board_id)
        except NotFound:
            raise Http404 from None

    def title(self, obj: Board) -> str:
        return obj.title

    def link(self, obj: Board) -> str:
        return reverse("web:board", args=[obj.pk])

    def description(self, obj: Board) -> str:
        return obj.description or obj.title

    def items(self, obj: Board) -> list[Item]:
        return queries.recent_items(obj)

    def item_title(self, item: Item) -> str:
        if item.status is not None:
            # A remote post keeps only its HTML; a local one its source text too.
            text = item.status.text or strip_tags(item.status.content)
            return item.title or f"{item.status.account.name}: {text[:80]}"
        return item.title

    def item_description(self, item: Item) -> str:
        """The curator's comment, the link's excerpt, and the post itself (sanitised HTML)."""
        parts: list[str] = [
            format_html("<p>{}</p>", text) for text in (item.comment, item.excerpt) if text
        ]
        if item.status is not None:
            parts.append(item.status.content)
        return "\n".join(parts)

    def item_link(self, item: Item) -> str:
        if item.status is not None:
            return item.status.url or item.status.uri or ""
        return item.url

    def item_guid(self, item: Item) -> str:
        return links.absolute(f"/boards/{item.board_id}#item-{item.pk}")

    def item_guid_is_permalink(self, item: Item) -> bool:
        return False

    def item_pubdate(self, item: Item) -> Any:
        return item.added_at


class BoardAtom(BoardRss):
    feed_type = Atom1Feed
    subtitle = BoardRss.description
