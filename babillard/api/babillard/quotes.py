"""Babillard API: the members-only observatory of vendor quotes.

Every path answers 403 to anyone who is not on the staff of a verified institution
(401 without a token). Reads take ``read:accounts``, writes ``write:accounts``. A
caller on the staff of several verified institutions names one with
``institution_id``; otherwise the first by name acts.
"""

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Router

from babillard.accounts.models import Account
from babillard.api import schemas, serializers
from babillard.api.base import ApiError, as_str, params, require
from babillard.core import links
from babillard.core.errors import Forbidden
from babillard.quotes import queries, services
from babillard.quotes.models import Quote, QuoteView

router = Router(tags=["quotes"])

ERRORS: dict[int, type[schemas.Entity]] = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    422: schemas.Error,
}
READ, WRITE = "read:accounts", "write:accounts"
FIELDS = (
    "vendor",
    "product",
    "year",
    "price_excl_vat",
    "currency",
    "fte",
    "population",
    "institution_type",
    "consortium",
    "access_model",
    "notes",
    "sharing",
)


class QuoteEntity(schemas.Entity):
    id: str
    institution_id: str | None
    vendor: str
    product: str
    year: int
    price_excl_vat: float
    currency: str
    fte: int | None
    population: int | None
    institution_type: str
    consortium: bool
    access_model: str
    notes: str
    sharing: str
    size_band: str
    unit: str
    price_per_unit: float
    percentile: int | None
    above_twice_median: bool
    document_url: str | None
    created_at: str


class StatsEntity(schemas.Entity):
    count: int
    institutions: int
    suppressed: bool
    unit: str
    median_per_fte: float | None = None
    q1_per_fte: float | None = None
    q3_per_fte: float | None = None


class QuoteViewRow(schemas.Entity):
    id: str
    quote_id: str
    viewer_id: str | None
    viewer_institution_id: str | None
    via: str
    created_at: str


def responses(entity: Any) -> dict[int, Any]:
    return {200: entity, **ERRORS}


def member(request: HttpRequest, scope: str) -> tuple[Account, Account]:
    """The caller and the verified institution they act for; 403 for anyone else."""
    me = require(request, scope)
    try:
        return me, queries.require_member(me, params(request).get("institution_id"))
    except Forbidden:
        raise ApiError(
            403, "The quote observatory is open to the staff of verified institutions only"
        ) from None


def quote_entity(quote: Quote, viewer_institution: Account) -> dict[str, Any]:
    """A quote as its own institution sees it; another institution sees the name only
    on a named share, and never the notes nor the document."""
    place = queries.position(quote)
    own = quote.institution_id == viewer_institution.pk
    shown = queries.shown_institution(quote, viewer_institution)
    return {
        "id": str(quote.pk),
        "institution_id": str(shown.pk) if shown is not None else None,
        "vendor": quote.vendor,
        "product": quote.product,
        "year": quote.year,
        "price_excl_vat": float(quote.price_excl_vat),
        "currency": quote.currency,
        "fte": quote.fte,
        "population": quote.population,
        "institution_type": quote.institution_type,
        "consortium": quote.consortium,
        "access_model": quote.access_model,
        "notes": quote.notes if own else "",
        "sharing": quote.sharing,
        "size_band": place.selection.size_band,
        "unit": place.stats.unit,
        "price_per_unit": float(place.per_unit),
        "percentile": place.percentile,
        "above_twice_median": place.above_twice_median,
        "document_url": (
            links.absolute(f"/api/babillard/v1/quotes/{quote.pk}/document")
            if own and quote.document
            else None
        ),
        "created_at": serializers.iso(quote.created_at),
    }


def stats_entity(found: queries.Stats) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "count": found.count,
        "institutions": found.institutions,
        "suppressed": found.suppressed,
        "unit": found.unit,
    }
    if not found.suppressed:
        answer["median_per_fte"] = float(found.median or 0)
        answer["q1_per_fte"] = float(found.q1 or 0)
        answer["q3_per_fte"] = float(found.q3 or 0)
    return answer


def selection(request: HttpRequest) -> queries.Selection:
    """The selection named by the query string; 422 for a missing or unknown part."""
    data = params(request)
    return queries.parse_selection(
        vendor=as_str(data.get("vendor")),
        product=as_str(data.get("product")),
        institution_type=as_str(data.get("institution_type")).strip(),
        year=as_str(data.get("year")),
        size_band=as_str(data.get("size_band")),
        currency=as_str(data.get("currency")),
    )


@router.post("/quotes", response=responses(QuoteEntity))
def submit_quote(request: HttpRequest) -> dict[str, Any]:
    me, institution = member(request, WRITE)
    data = params(request)
    fields = {name: data.get(name) for name in FIELDS if name in data}
    quote = services.submit_quote(me, institution, fields, request.FILES.get("document"))
    return quote_entity(quote, institution)


@router.get("/quotes", response=responses(list[QuoteEntity]))
def own_quotes(request: HttpRequest) -> list[dict[str, Any]]:
    """The caller's institution's own quotes, newest first."""
    _me, institution = member(request, READ)
    return [quote_entity(q, institution) for q in queries.own_quotes(institution)]


@router.get(
    "/quotes/stats",
    response=responses(StatsEntity),
    exclude_none=True,
    openapi_extra={
        "parameters": [
            {"name": name, "in": "query", "required": required, "schema": {"type": "string"}}
            for name, required in (
                ("vendor", True),
                ("product", True),
                ("institution_type", True),
                ("year", False),
                ("size_band", False),
                ("currency", False),
            )
        ]
    },
)
def stats(request: HttpRequest) -> dict[str, Any]:
    """Count, median and quartiles per FTE (per 1,000 inhabitants for public libraries,
    ``unit`` says which) of the latest quote of each institution in the selection;
    below the threshold of institutions, the count alone and ``suppressed``."""
    member(request, READ)
    return stats_entity(queries.stats(selection(request)))


@router.get("/quotes/shared", response=responses(list[QuoteEntity]))
def shared_quotes(request: HttpRequest) -> list[dict[str, Any]]:
    """In open-exchange mode, other institutions' shared quotes of a selection (each
    view is written to their audit log); an empty list otherwise."""
    me, institution = member(request, READ)
    found = queries.shared_quotes(institution, selection(request))
    services.record_views(me, institution, found, QuoteView.Via.API)
    return [quote_entity(q, institution) for q in found]


@router.get(
    "/quotes/aggregates",
    response=ERRORS,
    openapi_extra={
        "parameters": [
            {"name": "year", "in": "query", "required": False, "schema": {"type": "integer"}}
        ],
        **schemas.file_answer("text/csv"),
    },
)
def aggregates(request: HttpRequest) -> HttpResponse:
    """The aggregates of every selection as CSV, for consortium negotiations."""
    member(request, READ)
    year = queries.parse_year(as_str(params(request).get("year")))
    response = HttpResponse(queries.aggregates_csv(year), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="quotes-aggregates.csv"'
    return response


@router.get("/quotes/audit", response=responses(list[QuoteViewRow]))
def audit(request: HttpRequest) -> list[dict[str, Any]]:
    """Who viewed the institution's quotes, newest first (the latest 200)."""
    _me, institution = member(request, READ)
    return [
        {
            "id": str(entry.pk),
            "quote_id": str(entry.quote_id),
            "viewer_id": str(entry.viewer_id) if entry.viewer_id else None,
            "viewer_institution_id": (
                str(entry.viewer_institution_id) if entry.viewer_institution_id else None
            ),
            "via": entry.via,
            "created_at": serializers.iso(entry.created_at),
        }
        for entry in queries.audit_log(institution)[:200]
    ]


@router.get("/quotes/{quote_id}", response=responses(QuoteEntity))
def get_quote(request: HttpRequest, quote_id: str) -> dict[str, Any]:
    me, institution = member(request, READ)
    quote = services.view_quote(me, institution, quote_id, QuoteView.Via.API)
    return quote_entity(quote, institution)


@router.patch("/quotes/{quote_id}", response=responses(QuoteEntity))
def update_sharing(request: HttpRequest, quote_id: str) -> dict[str, Any]:
    """Change ``sharing`` (private, anonymous or named) of one of the institution's quotes."""
    me, institution = member(request, WRITE)
    quote = queries.get_own_quote(institution, quote_id)
    services.set_sharing(me, quote, as_str(params(request).get("sharing")))
    return quote_entity(quote, institution)


@router.delete("/quotes/{quote_id}", response=responses(schemas.Empty))
def delete_quote(request: HttpRequest, quote_id: str) -> dict[str, Any]:
    me, institution = member(request, WRITE)
    services.delete_quote(me, queries.get_own_quote(institution, quote_id))
    return {}


@router.get(
    "/quotes/{quote_id}/document", response=ERRORS, openapi_extra=schemas.file_answer("*/*")
)
def document(request: HttpRequest, quote_id: str) -> FileResponse:
    """The quote's document, for its own institution's staff only."""
    me, _institution = member(request, READ)
    quote, handle = services.open_document(me, quote_id)
    return FileResponse(handle, as_attachment=True, filename=quote.document_name)
