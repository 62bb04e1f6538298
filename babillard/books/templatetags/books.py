"""``{% book_fields %}``: the composer's "Books" fields, bound to the request that posted them."""

from typing import Any

from django import template

from babillard.books.forms import BookPostForm

register = template.Library()


@register.inclusion_tag("books/_compose_fields.html", takes_context=True)
def book_fields(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    form = BookPostForm()
    if request is not None and request.method == "POST" and "book_kind" in request.POST:
        form = BookPostForm(request.POST)
        form.is_valid()
    return {"book_form": form}
