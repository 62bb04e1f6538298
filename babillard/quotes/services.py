"""Every write of the quote observatory.

Front doors map onto these functions (``queries`` for the reads):

- POST /api/babillard/v1/quotes            -> submit_quote
- GET  /api/babillard/v1/quotes            -> quotes.queries.own_quotes
- GET  /api/babillard/v1/quotes/stats      -> quotes.queries.stats
- GET  /api/babillard/v1/quotes/:id        -> quotes.queries.get_quote, then record_view
- GET  /api/babillard/v1/quotes/audit      -> quotes.queries.audit_log
- the web pages under /quotes              -> the same functions

Only staff of verified institutions enter (``queries.require_member``). Nothing here
posts, notifies, federates or indexes: a quote never leaves the observatory.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from babillard.accounts.models import Account
from babillard.core.errors import Forbidden, NotFound
from babillard.institutions.models import InstitutionType
from babillard.quotes import queries
from babillard.quotes.models import Quote, QuoteView, Sharing

CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_PRICE = Decimal("999999999999.99")
DOCUMENT_SUFFIXES = {".pdf", ".odt", ".ods", ".doc", ".docx", ".xls", ".xlsx", ".csv", ".txt"}
FIRST_YEAR = 1990
TRUE = {"1", "true", "on", "yes"}


def _text(value: Any, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = " ".join(str(value or "").split()) if field != "notes" else str(value or "").strip()
    if required and not text:
        raise ValidationError(_("%(label)s is required.") % {"label": label}, code=field)
    if len(text) > max_length:
        raise ValidationError(
            _("%(label)s has at most %(max)d characters.") % {"label": label, "max": max_length},
            code=field,
        )
    return text


def _year(value: Any) -> int:
    last = date.today().year + 5
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        year = 0
    if not FIRST_YEAR <= year <= last:
        raise ValidationError(
            _("The year must be between %(first)d and %(last)d.")
            % {"first": FIRST_YEAR, "last": last},
            code="year",
        )
    return year


def _price(value: Any) -> Decimal:
    try:
        price = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        price = Decimal(0)
    if not price.is_finite() or price <= 0 or price > MAX_PRICE:
        raise ValidationError(
            _("The price excluding VAT must be a positive amount, such as 12500.00."),
            code="price_excl_vat",
        )
    return price.quantize(queries.CENT)


def _size(value: Any, field: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        size = int(str(value).strip().replace(" ", ""))
    except ValueError:
        size = 0
    if size <= 0 or size > 100_000_000:
        message = (
            _("The number of FTE must be a positive whole number.")
            if field == "fte"
            else _("The population served must be a positive whole number.")
        )
        raise ValidationError(message, code=field)
    return size


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in TRUE


def clean_quote(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields of a quote, checked; ``ValidationError`` with a sentence otherwise."""
    institution_type = str(fields.get("institution_type") or "").strip()
    if institution_type not in InstitutionType.values:
        raise ValidationError(
            _("Unknown type: use university, public, national, specialised or network."),
            code="institution_type",
        )
    currency = str(fields.get("currency") or queries.DEFAULT_CURRENCY).strip().upper()
    if not CURRENCY.match(currency):
        raise ValidationError(
            _("The currency is a three-letter ISO 4217 code, such as EUR."), code="currency"
        )
    sharing = str(fields.get("sharing") or Sharing.PRIVATE)
    if sharing not in Sharing.values:
        raise ValidationError(_("Sharing is private, anonymous or named."), code="sharing")
    cleaned = {
        "vendor": _text(fields.get("vendor"), "vendor", _("The vendor"), 200),
        "product": _text(fields.get("product"), "product", _("The product or package"), 200),
        "year": _year(fields.get("year")),
        "price_excl_vat": _price(fields.get("price_excl_vat")),
        "currency": currency,
        "fte": _size(fields.get("fte"), "fte"),
        "population": _size(fields.get("population"), "population"),
        "institution_type": institution_type,
        "consortium": _bool(fields.get("consortium")),
        "access_model": _text(
            fields.get("access_model"), "access_model", _("The access model"), 200, False
        ),
        "notes": _text(fields.get("notes"), "notes", _("The notes"), 5000, False),
        "sharing": sharing,
    }
    if queries.by_population(institution_type) and cleaned["population"] is None:
        raise ValidationError(
            _("Give the population served: public libraries are compared per 1,000 inhabitants."),
            code="population",
        )
    if not queries.by_population(institution_type) and cleaned["fte"] is None:
        raise ValidationError(
            _("Give the number of FTE students and staff: prices are compared per FTE."),
            code="fte",
        )
    return cleaned


def _check_document(document: UploadedFile) -> str:
    name = PurePath(document.name or "").name[:200]
    if PurePath(name).suffix.lower() not in DOCUMENT_SUFFIXES:
        raise ValidationError(
            _("The document must be a PDF, text, spreadsheet or word-processor file."),
            code="document",
        )
    if (document.size or 0) > settings.QUOTES_DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The document is larger than %(size)d MB.")
            % {"size": settings.QUOTES_DOCUMENT_MAX_BYTES // (1024 * 1024)},
            code="document",
        )
    return name


def submit_quote(
    actor: Account,
    institution: Account,
    fields: dict[str, Any],
    document: UploadedFile | None = None,
) -> Quote:
    """Record a quote for ``institution``, entered by a member of its staff (or by the
    institution itself); the document, if any, is stored outside the public media."""
    if institution not in queries.member_institutions(actor):
        raise Forbidden("observatory")
    cleaned = clean_quote(fields)
    quote = Quote(
        institution=institution,
        submitted_by=actor,
        vendor_key=queries.fold(cleaned["vendor"]),
        product_key=queries.fold(cleaned["product"]),
        **cleaned,
    )
    if document is not None:
        quote.document_name = _check_document(document)
        quote.document.save(quote.document_name, document, save=False)
    try:
        with transaction.atomic():
            quote.full_clean(exclude=["document"])
            quote.save()
    except Exception:
        if quote.document:
            quote.document.delete(save=False)
        raise
    return quote


def set_sharing(actor: Account, quote: Quote, sharing: str) -> Quote:
    """The submitting institution chooses whether other members may see this quote
    (it shows only when the instance runs in open-exchange mode)."""
    if quote.institution not in queries.member_institutions(actor):
        raise Forbidden("observatory")
    if sharing not in Sharing.values:
        raise ValidationError(_("Sharing is private, anonymous or named."), code="sharing")
    Quote.objects.filter(pk=quote.pk).update(sharing=sharing)
    quote.sharing = sharing
    return quote


def delete_quote(actor: Account, quote: Quote) -> None:
    if quote.institution not in queries.member_institutions(actor):
        raise Forbidden("observatory")
    document = quote.document
    with transaction.atomic():
        quote.delete()
    if document:
        document.delete(save=False)


def record_views(
    viewer: Account, viewer_institution: Account, quotes: list[Quote], via: str
) -> None:
    """Write each view of an individual quote to its institution's audit log."""
    QuoteView.objects.bulk_create(
        QuoteView(
            quote=quote,
            institution_id=quote.institution_id,
            viewer=viewer,
            viewer_institution=viewer_institution,
            via=via,
        )
        for quote in quotes
    )


def view_quote(viewer: Account, viewer_institution: Account, quote_id: object, via: str) -> Quote:
    """Open one individual quote (its institution's, or one shared in open-exchange
    mode), and write the view to the submitting institution's audit log."""
    quote = queries.get_quote(queries.member_institutions(viewer), quote_id)
    record_views(viewer, viewer_institution, [quote], via)
    return quote


def open_document(viewer: Account, quote_id: object) -> tuple[Quote, File]:
    """The document of a quote, for its own institution's staff only (the download is
    logged); ``NotFound`` for anyone else, and when the quote has no document."""
    member_of = queries.member_institutions(viewer)
    quote = queries.get_quote(member_of, quote_id)
    if quote.institution not in member_of or not quote.document:
        raise NotFound(quote_id)
    try:
        handle = quote.document.open("rb")
    except FileNotFoundError:
        raise NotFound(quote_id) from None
    record_views(viewer, quote.institution, [quote], QuoteView.Via.DOCUMENT)
    return quote, handle
