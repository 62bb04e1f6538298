"""The web forms of books: the book fields of the composer, the home library, bibliographies."""

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from babillard.books.models import BookKind
from babillard.books.services import BookPostSpec, BookSpec

RATINGS = [("", _("No rating")), *((str(n), "★" * n) for n in range(1, 6))]


def _names(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", text) if part.strip()]


class BookPostForm(forms.Form):
    """The composer's "Books" fields; empty, the post is an ordinary one."""

    book_isbn = forms.CharField(
        label=_("ISBN"),
        required=False,
        help_text=_("ISBN-10 or ISBN-13, with or without hyphens; several separated by commas."),
    )
    book_title = forms.CharField(label=_("Or the book's title"), required=False, max_length=500)
    book_authors = forms.CharField(
        label=_("and its authors"),
        required=False,
        max_length=500,
        help_text=_("Separated by semicolons."),
    )
    book_kind = forms.ChoiceField(
        label=_("Kind of post"), choices=BookKind.choices, initial=BookKind.RECOMMENDATION
    )
    book_rating = forms.TypedChoiceField(
        label=_("Rating (reviews)"), choices=RATINGS, coerce=int, empty_value=None, required=False
    )
    book_review_title = forms.CharField(
        label=_("Title of the review"), required=False, max_length=255
    )
    book_quote_page = forms.IntegerField(label=_("Page (quotations)"), required=False, min_value=1)

    def names_books(self) -> bool:
        return bool(
            (self.data.get("book_isbn") or "").strip()
            or (self.data.get("book_title") or "").strip()
        )

    def spec(self) -> BookPostSpec:
        data: dict[str, Any] = self.cleaned_data
        books = [BookSpec(isbn=raw.strip()) for raw in data["book_isbn"].split(",") if raw.strip()]
        if data["book_title"].strip():
            books.append(BookSpec(title=data["book_title"], authors=_names(data["book_authors"])))
        return BookPostSpec(
            books=books,
            kind=data["book_kind"],
            rating=data.get("book_rating"),
            review_title=data["book_review_title"],
            quote_page=data.get("book_quote_page"),
        )


class HomeLibraryForm(forms.Form):
    institution = forms.TypedChoiceField(
        label=_("My library"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *args: Any, choices: list[tuple[Any, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["institution"]
        field.choices = [("", _("None: show every library of this instance")), *choices]  # type: ignore[attr-defined]


class BibliographyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.TypedChoiceField(label=_("Published by"), coerce=int)

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]


class BibliographyItemForm(forms.Form):
    isbn = forms.CharField(label=_("ISBN"), required=False)
    title = forms.CharField(label=_("Or the book's title"), required=False, max_length=500)
    authors = forms.CharField(
        label=_("and its authors"), required=False, help_text=_("Separated by semicolons.")
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def spec(self) -> BookSpec:
        data = self.cleaned_data
        return BookSpec(isbn=data["isbn"], title=data["title"], authors=_names(data["authors"]))
