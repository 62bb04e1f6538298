"""Pages of the quote observatory, for the staff of verified institutions only: my
institution's quotes, entering one, a quote against its comparable quotes, the
comparison of a selection, the audit log of views, and the CSV of the aggregates.
Anyone else gets a 403 page that says who may enter."""

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from babillard.accounts.models import Account
from babillard.core.errors import Forbidden
from babillard.institutions.queries import profile
from babillard.quotes import forms, queries, services
from babillard.quotes.models import Quote, QuoteView
from babillard.web.views.common import add_errors, current_account, member_page

Page = TypeVar("Page", bound=Callable[..., HttpResponseBase])


def observatory_page(view: Page) -> Page:
    """A page for the staff of verified institutions; a clear 403 page for anyone else."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except Forbidden:
            return render(request, "quotes/forbidden.html", status=403)

    return cast(Page, member_page(cast(Callable[..., HttpResponse], wrapper)))


def _institution(request: HttpRequest) -> tuple[Account, Account, dict[str, Any]]:
    """The viewer, the institution the page is about (``?institution=``), and the
    context every observatory page shares."""
    me = current_account(request)
    chosen = request.GET.get("institution") or request.POST.get("institution")
    institution = queries.require_member(me, chosen)
    member_of = queries.member_institutions(me)
    chooser = forms.InstitutionChoice(
        initial={"institution": str(institution.pk)}, institutions=member_of
    )
    context = {
        "institution": institution,
        "member_of": member_of,
        "chooser": chooser if len(member_of) > 1 else None,
        "band_labels": forms.BAND_LABELS,
        "unit_labels": forms.UNIT_LABELS,
    }
    return me, institution, context


@observatory_page
def my_quotes(request: HttpRequest) -> HttpResponse:
    _me, institution, context = _institution(request)
    context["positions"] = [queries.position(q) for q in queries.own_quotes(institution)]
    return render(request, "quotes/list.html", context)


@observatory_page
def new_quote(request: HttpRequest) -> HttpResponse:
    me, institution, context = _institution(request)
    form = forms.QuoteForm(
        request.POST or None,
        request.FILES or None,
        initial={"institution_type": profile(institution).type},
    )
    if request.method == "POST" and form.is_valid():
        try:
            quote = services.submit_quote(
                me, institution, form.cleaned_data, form.cleaned_data.get("document")
            )
        except ValidationError as error:
            add_errors(form, error, {name: name for name in form.fields})
        else:
            messages.success(request, forms.SAVED)
            return redirect("web:quote", quote.pk)
    context["form"] = form
    return render(request, "quotes/new.html", context, status=400 if form.errors else 200)


@observatory_page
def quote_page(request: HttpRequest, quote_id: int) -> HttpResponse:
    """One quote against its comparable quotes; the view is written to the audit log."""
    me, institution, context = _institution(request)
    quote = services.view_quote(me, institution, quote_id, QuoteView.Via.PAGE)
    own = quote.institution_id == institution.pk
    context.update(
        {
            "quote": quote,
            "own": own,
            "shown_institution": queries.shown_institution(quote, institution),
            "place": queries.position(quote),
            "sharing_form": forms.SharingForm(initial={"sharing": quote.sharing}) if own else None,
        }
    )
    return render(request, "quotes/quote.html", context)


def _own_quote(request: HttpRequest, quote_id: int) -> tuple[Account, Quote]:
    me, institution, _context = _institution(request)
    return me, queries.get_own_quote(institution, quote_id)


@require_POST
@observatory_page
def quote_sharing(request: HttpRequest, quote_id: int) -> HttpResponse:
    me, quote = _own_quote(request, quote_id)
    services.set_sharing(me, quote, request.POST.get("sharing", ""))
    messages.success(request, forms.SHARING_SAVED)
    return redirect("web:quote", quote.pk)


@require_POST
@observatory_page
def quote_delete(request: HttpRequest, quote_id: int) -> HttpResponse:
    me, quote = _own_quote(request, quote_id)
    services.delete_quote(me, quote)
    messages.success(request, forms.DELETED)
    return redirect("web:quotes")


@observatory_page
def quote_document(request: HttpRequest, quote_id: int) -> FileResponse:
    """The document, streamed to its own institution's staff only (logged)."""
    me, _institution_shown, _context = _institution(request)
    quote, handle = services.open_document(me, quote_id)
    return FileResponse(handle, as_attachment=True, filename=quote.document_name)


@observatory_page
def compare(request: HttpRequest) -> HttpResponse:
    """The figures of a selection, and in open-exchange mode the quotes others share
    (each shown one is written to their audit log)."""
    me, institution, context = _institution(request)
    form = forms.CompareForm(request.GET if "vendor" in request.GET else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            selection = queries.parse_selection(
                vendor=data["vendor"],
                product=data["product"],
                institution_type=data["institution_type"],
                year=str(data["year"] or ""),
                size_band=data["size_band"],
                currency=data["currency"],
            )
        except ValidationError as error:
            add_errors(form, error, {name: name for name in form.fields})
        else:
            shared = queries.shared_quotes(institution, selection)
            services.record_views(me, institution, shared, QuoteView.Via.LIST)
            context.update(
                {
                    "selection": selection,
                    "stats": queries.stats(selection),
                    "k": queries.min_institutions(),
                    "shared": [(q, queries.shown_institution(q, institution)) for q in shared],
                }
            )
    context["form"] = form
    return render(request, "quotes/compare.html", context, status=400 if form.errors else 200)


@observatory_page
def audit(request: HttpRequest) -> HttpResponse:
    _me, institution, context = _institution(request)
    context["entries"] = queries.audit_log(institution)[:200]
    return render(request, "quotes/audit.html", context)


@observatory_page
def export(request: HttpRequest) -> HttpResponse:
    """The aggregates of every selection, for consortium negotiations."""
    _institution(request)
    try:
        year = queries.parse_year(request.GET.get("year", ""))
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    response = HttpResponse(queries.aggregates_csv(year), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="quotes-aggregates.csv"'
    return response
