"""The comparison: one quote per institution (its latest), size bands, the threshold k
of institutions, and median and quartiles checked against values computed here by hand."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from babillard.accounts.models import Account
from babillard.quotes import queries, services
from babillard.quotes.models import ObservatorySettings, Quote
from babillard.quotes.tests.conftest import institution, quote_fields, set_observatory

V1 = "/api/babillard/v1"
SELECTION = {
    "vendor": "Cairn",
    "product": "Bouquet général",
    "year": "2025",
    "institution_type": "university",
    "size_band": "5000_15000",
}


def inclusive_quartiles(values: list[float]) -> tuple[float, float, float]:
    """Quartiles as a spreadsheet's QUARTILE.INC computes them: the value at rank
    p * (n - 1) of the sorted list, interpolated linearly between neighbours."""
    ordered = sorted(values)
    found = []
    for p in (0.25, 0.5, 0.75):
        rank = p * (len(ordered) - 1)
        low = int(rank)
        high = min(low + 1, len(ordered) - 1)
        found.append(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))
    return found[0], found[1], found[2]


def submit(library: Account, **changes: Any) -> Quote:
    return services.submit_quote(library, library, quote_fields(**changes))


def universities(count: int) -> list[Account]:
    return [institution(f"univ_{n}") for n in range(count)]


def test_suppressed_with_four_institutions_shown_with_five(
    observatory: dict[str, Any],
) -> None:
    lea = observatory["clients"]["lea"]
    prices = [9000, 12000, 15000, 18000, 45000]
    libraries = universities(5)
    for library, price in zip(libraries[:4], prices[:4], strict=True):
        submit(library, price_excl_vat=price)
    # A second quote from the same institution still counts once.
    submit(libraries[0], price_excl_vat=10000)
    answer = lea.get(f"{V1}/quotes/stats", SELECTION)
    assert answer.status_code == 200
    assert answer.json() == {"count": 4, "institutions": 4, "suppressed": True, "unit": "fte"}

    submit(libraries[4], price_excl_vat=prices[4])
    answer = lea.get(f"{V1}/quotes/stats", SELECTION).json()
    # Latest quote of each: 10000 (not 9000), 12000, 15000, 18000, 45000 for 10,000 FTE.
    q1, median, q3 = inclusive_quartiles([1.0, 1.2, 1.5, 1.8, 4.5])
    assert (q1, median, q3) == pytest.approx((1.2, 1.5, 1.8))
    assert answer == {
        "count": 5,
        "institutions": 5,
        "suppressed": False,
        "unit": "fte",
        "median_per_fte": pytest.approx(median),
        "q1_per_fte": pytest.approx(q1),
        "q3_per_fte": pytest.approx(q3),
    }


def test_quartiles_interpolate_between_quotes(observatory: dict[str, Any]) -> None:
    set_observatory(min_institutions=3)
    # Per FTE: 2, 3, 5, 11 and 13 with 8,000 FTE, 9 with 12,500 FTE.
    given = [(16000, 8000), (24000, 8000), (40000, 8000), (88000, 8000), (104000, 8000)]
    given.append((112500, 12500))
    for library, (price, fte) in zip(universities(len(given)), given, strict=True):
        submit(library, price_excl_vat=price, fte=fte)
    found = queries.stats(
        queries.Selection("Cairn", "Bouquet général", "university", 2025, "5000_15000")
    )
    # Ranks 1.25, 2.5 and 3.75 of [2, 3, 5, 9, 11, 13].
    assert (found.q1, found.median, found.q3) == (
        Decimal("3.50"),
        Decimal("7.00"),
        Decimal("10.50"),
    )
    expected = inclusive_quartiles([2, 3, 5, 9, 11, 13])
    assert (float(found.q1), float(found.median), float(found.q3)) == pytest.approx(expected)


def test_selection_by_band_year_type_and_spelling(observatory: dict[str, Any]) -> None:
    set_observatory(min_institutions=3)
    libraries = universities(3)
    for library in libraries:
        submit(library, vendor=" cairn ", product="BOUQUET  GENERAL")
    big = institution("univ_big")
    submit(big, fte=40000)  # over 30,000 FTE: another band
    submit(institution("univ_old"), year=2024)
    submit(institution("city_lib", kind="public"), institution_type="public", population=30000)
    found = queries.stats(queries.parse_selection(**SELECTION))
    assert (found.count, found.suppressed) == (3, False)
    every_band = queries.parse_selection(**{**SELECTION, "size_band": ""})
    assert queries.stats(every_band).count == 4
    every_year = queries.parse_selection(**{**SELECTION, "size_band": "", "year": ""})
    assert queries.stats(every_year).count == 5
    in_dollars = queries.parse_selection(**{**SELECTION, "currency": "usd"})
    assert queries.stats(in_dollars).count == 0


@pytest.mark.parametrize(
    ("kind", "size", "band"),
    [
        ("university", 4999, "under_5000"),
        ("university", 5000, "5000_15000"),
        ("university", 14999, "5000_15000"),
        ("university", 15000, "15000_30000"),
        ("university", 30000, "over_30000"),
        ("public", 9999, "under_10000"),
        ("public", 10000, "10000_50000"),
        ("public", 50000, "50000_200000"),
        ("public", 200000, "over_200000"),
    ],
)
def test_size_bands(kind: str, size: int, band: str) -> None:
    assert queries.size_band(kind, size) == band


def test_percentile_and_the_flag_above_twice_the_median(observatory: dict[str, Any]) -> None:
    set_observatory(min_institutions=5)
    prices = [10000, 12000, 15000, 18000, 20000, 45000]
    quotes = [
        submit(library, price_excl_vat=p)
        for library, p in zip(universities(6), prices, strict=True)
    ]
    # Per FTE 1.0, 1.2, 1.5, 1.8, 2.0, 4.5: the median is 1.65, twice it 3.3.
    lowest, _a, middle, _b, fifth, highest = (queries.position(q) for q in quotes)
    assert lowest.percentile == 0 and highest.percentile == 100
    assert middle.percentile == 40 and fifth.percentile == 80
    assert highest.above_twice_median and not fifth.above_twice_median
    assert highest.stats.median == Decimal("1.65")


def test_the_threshold_never_goes_below_three(observatory: dict[str, Any]) -> None:
    # The admin's form refuses it, and so does the database.
    with pytest.raises(ValidationError):
        ObservatorySettings(min_institutions=2).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        ObservatorySettings.objects.create(min_institutions=2)
    set_observatory(min_institutions=3)
    assert queries.min_institutions() == 3
    libraries = universities(3)
    for library in libraries[:2]:
        submit(library)
    assert queries.stats(queries.parse_selection(**SELECTION)).suppressed
    submit(libraries[2])
    assert not queries.stats(queries.parse_selection(**SELECTION)).suppressed


def test_older_quotes_of_an_institution_do_not_count(observatory: dict[str, Any]) -> None:
    set_observatory(min_institutions=3)
    libraries = universities(3)
    for library in libraries:
        submit(library)
    old = submit(libraries[0], price_excl_vat=99000)
    Quote.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    found = queries.stats(queries.parse_selection(**SELECTION))
    assert found.count == 3 and found.median == Decimal("1.20")


def test_the_export_keeps_formulas_out_of_spreadsheets(observatory: dict[str, Any]) -> None:
    submit(observatory["lyon"], vendor="=HYPERLINK(1)")
    rows = queries.aggregates_csv().splitlines()
    assert rows[1].startswith("'=HYPERLINK(1),Bouquet général,2025,university,5000_15000,EUR")
    assert queries.aggregates_csv(2024).splitlines()[1:] == []
