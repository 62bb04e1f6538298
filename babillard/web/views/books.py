"""Book pages, "find it in my library", the composer's book fields, and bibliographies
(page, feeds, CSV and RIS exports, embeddable version)."""

import csv
import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from babillard.accounts.models import Account
from babillard.accounts.queries import get_local_account
from babillard.books import exports, queries, services
from babillard.books.federation import edition_document, work_document
from babillard.books.forms import (
    BibliographyForm,
    BibliographyItemForm,
    BookPostForm,
    HomeLibraryForm,
)
from babillard.books.models import Bibliography, Book
from babillard.core import links
from babillard.core.errors import NotFound
from babillard.federation.views import activity_response, wants_activity
from babillard.institutions.models import Institution, Role
from babillard.web.views.common import (
    add_errors,
    current_account,
    member_page,
    public_page,
    status_context,
    viewer_of,
)

# The embeddable list may be framed by any site; it carries no script and no form.
EMBED_POLICY = "default-src 'none'; style-src 'self'; img-src * data:; frame-ancestors *"
BOOK_POST_ERROR_FIELDS = {
    "isbn": "book_isbn",
    "book": "book_isbn",
    "book_kind": "book_kind",
    "rating": "book_rating",
    "quote_page": "book_quote_page",
}


def attach_book_fields(publish: Callable[..., Any]) -> Callable[..., Any]:
    """Let the composer's ``_publish(request, form, author)`` attach the "Books" fields."""

    @functools.wraps(publish)
    def publishing(request: HttpRequest, form: Any, author: Account) -> Any:
        book_form = BookPostForm(request.POST)
        if not book_form.names_books():
            return publish(request, form, author)
        if not book_form.is_valid():
            form.add_error(None, _("Check the book fields."))
            return None
        try:
            with services.books_for_the_post(book_form.spec()) as pending:
                created = publish(request, form, author)
                if created is not None:
                    pending.check_attached()
        except ValidationError as error:
            add_errors(book_form, error, BOOK_POST_ERROR_FIELDS)
            for message in error.messages:
                form.add_error(None, message)
            return None
        return created

    return publishing


# --- books -------------------------------------------------------------------------


@public_page
def book_page(request: HttpRequest, key: str) -> HttpResponse:
    book = queries.get_book(key)
    if wants_activity(request):
        return activity_response(edition_document(book))
    viewer = viewer_of(request)
    statuses = list(queries.posts_about(viewer, book))
    return render(
        request,
        "books/book.html",
        {
            "book": book,
            "find_it": queries.find_it(viewer, book),
            "statuses": statuses,
            "flags": status_context(viewer, statuses),
        },
    )


def book_work(request: HttpRequest, key: str) -> HttpResponse:
    try:
        return activity_response(work_document(queries.get_book(key)))
    except NotFound:
        raise Http404 from None


@member_page
def home_library(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    choices = [(i.pk, str(i)) for i in queries.instance_libraries()]
    current = queries.home_library(account)
    form = HomeLibraryForm(
        request.POST or None,
        choices=choices,
        initial={"institution": current.pk if current else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.choose_home_library(account, form.cleaned_data["institution"])
        except ValidationError as error:
            add_errors(form, error, {"institution": "institution"})
        else:
            messages.success(request, _("Your library is saved."))
            return redirect("web:settings_library")
    return render(
        request,
        "books/settings_library.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


# --- bibliographies ----------------------------------------------------------------


def _owners(account: Account) -> list[tuple[int, str]]:
    """The viewer, and the institutions whose lists they may publish (editors and managers)."""
    institutions = Institution.objects.filter(
        account__staff__member=account,
        account__staff__role__in=[Role.EDITOR, Role.MANAGER],
    ).select_related("account")
    return [(account.pk, account.name), *((i.pk, str(i)) for i in institutions)]


@member_page
def bibliographies(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    owners = _owners(account)
    form = BibliographyForm(request.POST or None, owners=owners, initial={"owner": account.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = Account.objects.get(pk=data["owner"])
        try:
            created = services.create_bibliography(
                account, data["title"], data["description"], owner=owner
            )
        except ValidationError as error:
            add_errors(form, error, {"title": "title"})
        else:
            return redirect("web:bibliography", created.pk)
    mine = queries.bibliographies().filter(owner_id__in=[pk for pk, _name in owners])
    return render(
        request,
        "books/bibliographies.html",
        {"form": form, "bibliographies": mine},
        status=400 if form.errors else 200,
    )


@public_page
def account_bibliographies(request: HttpRequest, username: str) -> HttpResponse:
    owner = get_local_account(username)
    return render(
        request,
        "books/account_bibliographies.html",
        {"owner": owner, "bibliographies": queries.bibliographies(owner)},
    )


def _bibliography_context(request: HttpRequest, found: Bibliography) -> dict[str, Any]:
    viewer = viewer_of(request)
    find_it = queries.first_find_it(viewer)
    return {
        "bibliography": found,
        "items": [
            {"id": item_id, "book": book, "comment": comment, "find_it_url": find_it(book)}
            for item_id, book, comment in queries.bibliography_items(found)
        ],
    }


@public_page
def bibliography(request: HttpRequest, bibliography_id: int) -> HttpResponse:
    found = queries.get_bibliography(bibliography_id)
    viewer = viewer_of(request)
    editable = viewer is not None and services.can_edit(viewer, found.owner)
    form = BibliographyItemForm(request.POST or None) if editable else None
    if request.method == "POST":
        if viewer is None or form is None:
            raise Http404
        if form.is_valid():
            try:
                services.add_item(viewer, found, form.spec(), form.cleaned_data["comment"])
            except ValidationError as error:
                add_errors(form, error, {"isbn": "isbn", "book": "isbn"})
            else:
                return redirect("web:bibliography", found.pk)
    context = _bibliography_context(request, found)
    context.update({"form": form, "editable": editable})
    return render(
        request,
        "books/bibliography.html",
        context,
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@member_page
def bibliography_remove(request: HttpRequest, bibliography_id: int, item_id: int) -> HttpResponse:
    found = queries.get_bibliography(bibliography_id)
    services.remove_item(current_account(request), found, item_id)
    return redirect("web:bibliography", found.pk)


@require_POST
@member_page
def bibliography_delete(request: HttpRequest, bibliography_id: int) -> HttpResponse:
    found = queries.get_bibliography(bibliography_id)
    services.delete_bibliography(current_account(request), found)
    messages.success(request, _("The bibliography is deleted."))
    return redirect("web:bibliographies")


@xframe_options_exempt
@public_page
def bibliography_embed(request: HttpRequest, bibliography_id: int) -> HttpResponse:
    found = queries.get_bibliography(bibliography_id)
    response = render(
        request, "books/bibliography_embed.html", _bibliography_context(request, found)
    )
    response["Content-Security-Policy"] = EMBED_POLICY
    return response


@public_page
def bibliography_csv(request: HttpRequest, bibliography_id: int) -> HttpResponse:
    found = queries.get_bibliography(bibliography_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bibliography-{found.pk}.csv"'
    exports.write_csv(csv.writer(response), queries.bibliography_items(found))
    return response


@public_page
def bibliography_ris(request: HttpRequest, bibliography_id: int) -> HttpResponse:
    found = queries.get_bibliography(bibliography_id)
    response = HttpResponse(
        exports.ris(queries.bibliography_items(found), links.absolute),
        content_type="application/x-research-info-systems; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="bibliography-{found.pk}.ris"'
    return response


class BibliographyRss(Feed):  # type: ignore[type-arg]
    """The books of a bibliography, in its order, for feed readers."""

    def get_object(self, request: HttpRequest, bibliography_id: int) -> Bibliography:
        try:
            return queries.get_bibliography(bibliography_id)
        except NotFound:
            raise Http404 from None

    def title(self, obj: Bibliography) -> str:
        return f"{obj.title} ({obj.owner.name})"

    def link(self, obj: Bibliography) -> str:
        return reverse("web:bibliography", args=[obj.pk])

    def description(self, obj: Bibliography) -> str:
        return obj.description or _("A bibliography by %(name)s") % {"name": obj.owner.name}

    def items(self, obj: Bibliography) -> list[tuple[int, Book, str]]:
        return queries.bibliography_items(obj)

    def item_title(self, item: tuple[int, Book, str]) -> str:
        book = item[1]
        return f"{book.display_title} — {book.authors_text}" if book.authors else book.display_title

    def item_description(self, item: tuple[int, Book, str]) -> str:
        return item[2]

    def item_link(self, item: tuple[int, Book, str]) -> str:
        return links.absolute(f"/books/{item[1].key}")

    def item_guid(self, item: tuple[int, Book, str]) -> str:
        return links.absolute(f"/books/{item[1].key}#item-{item[0]}")


class BibliographyAtom(BibliographyRss):
    feed_type = Atom1Feed
    subtitle = BibliographyRss.description
