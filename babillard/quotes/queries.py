"""Reads of the quote observatory: who may enter, the comparison of comparable quotes,
the institution's own quotes, the quotes others chose to share, the audit log and the
CSV export of the aggregates.

Comparable quotes share vendor, product, type of institution, currency and, when asked,
year and size band. Each institution counts once per selection, with its latest quote.
Prices are compared per unit of size: per FTE (students and staff), or per 1,000
inhabitants served for public libraries. Quartiles are Python's
``statistics.quantiles(method="inclusive")``; figures are shown only when at least
``min_institutions()`` distinct institutions are in the selection, never fewer than
``MIN_INSTITUTIONS_FLOOR``.
"""

import csv
import io
import statistics
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from babillard.accounts.models import Account, AccountKind
from babillard.core.errors import Forbidden, NotFound
from babillard.core.spreadsheets import csv_safe
from babillard.institutions.models import InstitutionType
from babillard.quotes.models import (
    MIN_INSTITUTIONS_FLOOR,
    ObservatorySettings,
    Quote,
    QuoteView,
    Sharing,
)

DEFAULT_CURRENCY = "EUR"
CENT = Decimal("0.01")

# (name, lowest included, highest excluded) of each size band.
FTE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under_5000", 0, 5_000),
    ("5000_15000", 5_000, 15_000),
    ("15000_30000", 15_000, 30_000),
    ("over_30000", 30_000, None),
)
POPULATION_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under_10000", 0, 10_000),
    ("10000_50000", 10_000, 50_000),
    ("50000_200000", 50_000, 200_000),
    ("over_200000", 200_000, None),
)


# --- settings and who may enter ----------------------------------------------------------


def observatory_settings() -> ObservatorySettings:
    found = ObservatorySettings.objects.first()
    return found if found is not None else ObservatorySettings()


def min_institutions() -> int:
    """The threshold k of distinct institutions, never below the floor."""
    return max(MIN_INSTITUTIONS_FLOOR, observatory_settings().min_institutions)


def open_exchange() -> bool:
    return observatory_settings().open_exchange


def member_institutions(account: Account | None) -> list[Account]:
    """The verified local institutions ``account`` is on the staff of (or is), by name."""
    if account is None or not account.is_local or account.is_suspended:
        return []
    belongs = Q(staff__member=account)
    if account.kind == AccountKind.INSTITUTION:
        belongs |= Q(pk=account.pk)
    return list(
        Account.objects.filter(
            belongs,
            kind=AccountKind.INSTITUTION,
            domain="",
            suspended_at__isnull=True,
            institution__isil_verified_at__isnull=False,
        )
        .exclude(institution__isil="")
        .distinct()
        .order_by("username")
    )


def require_member(account: Account | None, institution_id: object = None) -> Account:
    """The verified institution ``account`` acts for in the observatory, or ``Forbidden``.

    ``institution_id`` chooses among several; without it, the first one by name.
    """
    institutions = member_institutions(account)
    if not institutions:
        raise Forbidden("observatory")
    if institution_id in (None, ""):
        return institutions[0]
    for institution in institutions:
        if str(institution.pk) == str(institution_id).strip():
            return institution
    raise Forbidden("observatory")


# --- units and bands -----------------------------------------------------------------------


def fold(text: str) -> str:
    """Case, accents and runs of spaces folded: the key two spellings are compared by."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


def by_population(institution_type: str) -> bool:
    """Public libraries are sized by the population they serve, the others by FTE."""
    return institution_type == InstitutionType.PUBLIC


def bands_for(institution_type: str) -> tuple[tuple[str, int, int | None], ...]:
    return POPULATION_BANDS if by_population(institution_type) else FTE_BANDS


def size_of(quote: Quote) -> int:
    size = quote.population if by_population(quote.institution_type) else quote.fte
    return size or 0


def size_band(institution_type: str, size: int) -> str:
    for name, low, high in bands_for(institution_type):
        if size >= low and (high is None or size < high):
            return name
    return bands_for(institution_type)[0][0]


def unit_of(institution_type: str) -> str:
    return "1000_inhabitants" if by_population(institution_type) else "fte"


def per_unit(
    institution_type: str, price: Decimal, fte: int | None, population: int | None
) -> Decimal:
    """The price excluding VAT per FTE, or per 1,000 inhabitants for public libraries."""
    if by_population(institution_type):
        return price * 1000 / Decimal(population or 0)
    return price / Decimal(fte or 0)


def price_per_unit(quote: Quote) -> Decimal:
    return per_unit(quote.institution_type, quote.price_excl_vat, quote.fte, quote.population)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# --- comparison ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    vendor: str
    product: str
    institution_type: str
    year: int | None = None
    size_band: str = ""
    currency: str = DEFAULT_CURRENCY

    @classmethod
    def of(cls, quote: Quote) -> "Selection":
        """The quotes comparable to ``quote``: same year, type and size band."""
        return cls(
            vendor=quote.vendor,
            product=quote.product,
            institution_type=quote.institution_type,
            year=quote.year,
            size_band=size_band(quote.institution_type, size_of(quote)),
            currency=quote.currency,
        )


def parse_year(value: str) -> int | None:
    """A year from a query string; empty means every year."""
    if not value.strip():
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise ValidationError(_("The year must be a number, such as 2025."), code="year") from None


def parse_selection(
    *,
    vendor: str,
    product: str,
    institution_type: str,
    year: str = "",
    size_band: str = "",
    currency: str = "",
) -> Selection:
    """The selection a person or a client names; ``ValidationError`` for a missing or
    unknown part (the size bands depend on the type of institution)."""
    vendor, product = " ".join(vendor.split()), " ".join(product.split())
    if not vendor or not product:
        raise ValidationError(_("Name the vendor and the product to compare."), code="vendor")
    if institution_type not in InstitutionType.values:
        raise ValidationError(
            _(
                "Choose a type of institution: quotes are compared between institutions of the same type."
            ),
            code="institution_type",
        )
    names = [name for name, _low, _high in bands_for(institution_type)]
    if size_band and size_band not in names:
        raise ValidationError(
            _("Unknown size band for this type of institution: use %(bands)s.")
            % {"bands": ", ".join(names)},
            code="size_band",
        )
    return Selection(
        vendor=vendor,
        product=product,
        institution_type=institution_type,
        year=parse_year(year),
        size_band=size_band,
        currency=currency.strip().upper() or DEFAULT_CURRENCY,
    )


@dataclass
class Stats:
    count: int
    institutions: int
    suppressed: bool
    unit: str
    median: Decimal | None = None
    q1: Decimal | None = None
    q3: Decimal | None = None
    values: list[Decimal] = field(default_factory=list)


def _matching(selection: Selection) -> QuerySet[Quote]:
    found = Quote.objects.filter(
        vendor_key=fold(selection.vendor),
        product_key=fold(selection.product),
        institution_type=selection.institution_type,
        currency=selection.currency,
        institution__suspended_at__isnull=True,
    )
    if selection.year is not None:
        found = found.filter(year=selection.year)
    if selection.size_band:
        size_field = "population" if by_population(selection.institution_type) else "fte"
        for name, low, high in bands_for(selection.institution_type):
            if name == selection.size_band:
                found = found.filter(**{f"{size_field}__gte": low})
                if high is not None:
                    found = found.filter(**{f"{size_field}__lt": high})
    return found


def _latest(selection: Selection) -> QuerySet[Quote]:
    """Each institution's latest quote among those of the selection, chosen by the
    database (a window numbering each institution's quotes, newest first)."""
    newest_first = Window(
        RowNumber(),
        partition_by=[F("institution_id")],
        order_by=[F("created_at").desc(), F("id").desc()],
    )
    return _matching(selection).annotate(rank=newest_first).filter(rank=1)


def latest_per_institution(selection: Selection) -> list[Quote]:
    return list(_latest(selection).select_related("institution").order_by("institution_id"))


def stats(selection: Selection) -> Stats:
    """Count, median and quartiles per unit; below k institutions, the count alone."""
    rows = list(_latest(selection).values_list("price_excl_vat", "fte", "population"))
    count = len(rows)
    unit = unit_of(selection.institution_type)
    if count < min_institutions():
        return Stats(count=count, institutions=count, suppressed=True, unit=unit)
    values = sorted(
        per_unit(selection.institution_type, price, fte, population)
        for price, fte, population in rows
    )
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Stats(
        count=count,
        institutions=count,
        suppressed=False,
        unit=unit,
        median=cents(median),
        q1=cents(q1),
        q3=cents(q3),
        values=values,
    )


def percentile(value: Decimal, values: list[Decimal]) -> int:
    """Where ``value`` sits among ``values`` (sorted), as the inverse of the inclusive
    quantiles: the lowest is the 0th percentile, the highest the 100th, and a value
    between two neighbours is placed linearly between them (ties share their mean rank)."""
    n = len(values)
    if n < 2 or value <= values[0]:
        return 0
    if value >= values[-1]:
        return 100
    equal = [i for i, v in enumerate(values) if v == value]
    if equal:
        rank = Decimal(sum(equal)) / len(equal)
    else:
        j = max(i for i, v in enumerate(values) if v < value)
        rank = j + (value - values[j]) / (values[j + 1] - values[j])
    return int((rank * 100 / (n - 1)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass
class Position:
    """A quote against its comparable quotes."""

    quote: Quote
    selection: Selection
    stats: Stats
    per_unit: Decimal
    percentile: int | None
    above_twice_median: bool


def position(quote: Quote) -> Position:
    selection = Selection.of(quote)
    found = stats(selection)
    per_unit = price_per_unit(quote)
    if found.suppressed or found.median is None:
        return Position(quote, selection, found, cents(per_unit), None, False)
    return Position(
        quote,
        selection,
        found,
        cents(per_unit),
        percentile(per_unit, found.values),
        per_unit > 2 * found.median,
    )


# --- individual quotes ----------------------------------------------------------------------


def own_quotes(institution: Account) -> QuerySet[Quote]:
    """The institution's own quotes, newest first."""
    return Quote.objects.filter(institution=institution).select_related("submitted_by")


def _shared() -> Q:
    return Q(sharing__in=[Sharing.ANONYMOUS, Sharing.NAMED])


def shared_quotes(viewer_institution: Account, selection: Selection) -> list[Quote]:
    """Other institutions' quotes of the selection they chose to share, in open-exchange
    mode only (each institution's latest)."""
    if not open_exchange():
        return []
    return [
        q
        for q in latest_per_institution(selection)
        if q.institution_id != viewer_institution.pk and q.sharing != Sharing.PRIVATE
    ]


def get_quote(member_of: Iterable[Account], quote_id: object) -> Quote:
    """A quote of one of the viewer's institutions, or one shared in open-exchange mode;
    ``NotFound`` otherwise, whether it exists or not."""
    try:
        pk = int(str(quote_id))
    except (TypeError, ValueError):
        raise NotFound(quote_id) from None
    visible = Q(institution__in=list(member_of))
    if open_exchange():
        visible |= _shared()
    found = (
        Quote.objects.filter(visible, pk=pk, institution__suspended_at__isnull=True)
        .select_related("institution", "submitted_by")
        .first()
    )
    if found is None:
        raise NotFound(quote_id)
    return found


def get_own_quote(institution: Account, quote_id: object) -> Quote:
    """One of the institution's own quotes, to change or delete; ``NotFound`` otherwise."""
    try:
        return own_quotes(institution).get(pk=int(str(quote_id)))
    except (Quote.DoesNotExist, TypeError, ValueError):
        raise NotFound(quote_id) from None


def shown_institution(quote: Quote, viewer_institution: Account) -> Account | None:
    """The institution a viewer may see named on a quote: its own, or a named share."""
    if quote.institution_id == viewer_institution.pk or quote.sharing == Sharing.NAMED:
        return quote.institution
    return None


def audit_log(institution: Account) -> QuerySet[QuoteView]:
    """Views of the institution's quotes, newest first, with who looked."""
    return QuoteView.objects.filter(institution=institution).select_related(
        "quote", "viewer", "viewer_institution"
    )


# --- export ---------------------------------------------------------------------------------

CSV_HEADER = [
    "vendor",
    "product",
    "year",
    "institution_type",
    "size_band",
    "currency",
    "unit",
    "count",
    "institutions",
    "median",
    "q1",
    "q3",
    "suppressed",
]


def selections(year: int | None = None) -> list[Selection]:
    """Every selection that has quotes (by year and size band), in name order."""
    found = Quote.objects.filter(institution__suspended_at__isnull=True)
    if year is not None:
        found = found.filter(year=year)
    seen: dict[tuple[str, str, str, int, str, str], Selection] = {}
    for quote in found.order_by("vendor_key", "product_key", "year", "created_at"):
        selection = Selection.of(quote)
        key = (
            quote.vendor_key,
            quote.product_key,
            selection.institution_type,
            quote.year,
            selection.size_band,
            selection.currency,
        )
        seen.setdefault(key, selection)
    return list(seen.values())


def aggregates_csv(year: int | None = None) -> str:
    """The aggregates of every selection: figures where k institutions allow, else the
    count alone. No institution and no individual price appears."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for selection in selections(year):
        found = stats(selection)
        writer.writerow(
            [
                csv_safe(selection.vendor),
                csv_safe(selection.product),
                selection.year,
                selection.institution_type,
                selection.size_band,
                selection.currency,
                found.unit,
                found.count,
                found.institutions,
                found.median if found.median is not None else "",
                found.q1 if found.q1 is not None else "",
                found.q3 if found.q3 is not None else "",
                "true" if found.suppressed else "false",
            ]
        )
    return buffer.getvalue()
