"""The quote observatory in real Chromium, in French and in English: a librarian of a
verified university enters a quote from a phone-sized window, reads where it sits among
comparable quotes, compares the selection, and an outsider finds the door closed."""

from typing import Any

import pytest

from babillard.core.testing import make_account
from babillard.quotes import services
from babillard.quotes.models import Quote
from babillard.quotes.tests.conftest import institution, quote_fields
from tests.browser.test_accessibility import CHECKS
from tests.browser.test_journey import log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "fr": {
        "saved": "Le devis est enregistré.",
        "percentile": "Ce devis se situe au 100e centile.",
        "flag": "Plus du double de la médiane",
        "median": "1,80 EUR",
        "closed": "L'observatoire des devis est réservé au personnel des établissements vérifiés.",
        "enter": "Saisir un devis",
        "compare": "Comparer",
    },
    "en": {
        "saved": "The quote is recorded.",
        "percentile": "This quote sits at the 100th percentile.",
        "flag": "Above twice the median",
        "median": "1.80 EUR",
        "closed": "The quote observatory is open to the staff of verified institutions only.",
        "enter": "Enter a quote",
        "compare": "Compare",
    },
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_enter_a_quote_and_read_the_comparison(
    browser: Any, live_server: Any, language: str
) -> None:
    texts = TEXTS[language]
    base = live_server.url
    lyon = institution("bu_lyon", staff=("lea",))
    # Four other universities of the same size have entered theirs: 1.2, 1.5, 1.8 and
    # 2.0 per FTE.
    for number, price in enumerate((12000, 15000, 18000, 20000)):
        other = institution(f"univ_{number}")
        services.submit_quote(other, other, quote_fields(price_excl_vat=price))
    make_account("olga")

    page = new_page(browser, language)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, base, "lea")
    page.goto(f"{base}/institutions/{lyon.pk}/timeline")
    page.click(f"a[href='/quotes?institution={lyon.pk}']")
    page.click(f"nav a:text-is('{texts['enter']}')")
    page.fill("#id_vendor", "Cairn")
    page.fill("#id_product", "Bouquet général")
    page.fill("#id_year", "2025")
    page.fill("#id_price_excl_vat", "45000")
    assert page.input_value("#id_currency") == "EUR"
    assert page.input_value("#id_institution_type") == "university"
    page.fill("#id_fte", "10000")
    page.check("#id_consortium")
    page.fill("#id_access_model", "Illimité sur le campus")
    assert page.evaluate(CHECKS) == []
    page.click("main form button[type=submit].primary")
    page.locator("p.position").wait_for()
    assert page.evaluate(CHECKS) == []
    quote = Quote.objects.get(institution=lyon)
    assert page.url == f"{base}/quotes/{quote.pk}"
    body = page.inner_text("main")
    assert texts["saved"] in page.inner_text("body")
    assert texts["percentile"] in body
    assert texts["flag"] in body
    # Per FTE 1.2, 1.5, 1.8, 2.0 and 4.5: the median is 1.8.
    assert page.inner_text("td.median") == texts["median"]
    assert page.inner_text("td.count") == "5"

    page.click(f"nav a:text-is('{texts['compare']}')")
    page.fill("#id_vendor", "cairn")
    page.fill("#id_product", "Bouquet général")
    page.select_option("#id_institution_type", "university")
    page.fill("#id_year", "2025")
    page.select_option("#id_size_band", "5000_15000")
    page.click("main form button[type=submit].primary")
    page.locator("td.median").wait_for()
    assert page.evaluate(CHECKS) == []
    assert page.inner_text("td.median") == texts["median"]
    assert "45000" not in page.inner_text("main")
    for path in ("/quotes", "/quotes/audit"):
        page.goto(f"{base}{path}")
        assert page.evaluate(CHECKS) == [], path
    assert not page.errors

    outsider = new_page(browser, language)
    log_in(outsider, base, "olga")
    response = outsider.goto(f"{base}/quotes/compare")
    assert response.status == 403
    assert texts["closed"] in outsider.inner_text("main")
    assert outsider.evaluate(CHECKS) == []
    assert outsider.goto(f"{base}/quotes/{quote.pk}").status == 403
