"""The observatory's pages: members enter and compare quotes, documents stay with their
institution, every view of a quote is logged, and anyone else gets the 403 page."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from babillard.core.testing import PASSWORD
from babillard.quotes import services
from babillard.quotes.models import Quote, QuoteView
from babillard.quotes.tests.conftest import institution, quote_fields, set_observatory


def logged_in(username: str) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def pages(observatory: dict[str, Any]) -> dict[str, Any]:
    return {name: logged_in(name) for name in ("lea", "luc", "nina", "olga")}


def _form(**changes: Any) -> dict[str, Any]:
    fields = {**quote_fields(), "sharing": "private"}
    fields.pop("consortium")
    fields.update(changes)
    return {k: v for k, v in fields.items() if v is not None}


def test_a_member_enters_a_quote_and_reads_its_position(
    observatory: dict[str, Any], pages: dict[str, Client]
) -> None:
    response = pages["lea"].get("/quotes/new")
    assert response.status_code == 200
    assert b'name="price_excl_vat"' in response.content
    document = SimpleUploadedFile("devis-cairn.pdf", b"%PDF-1.4 devis", "application/pdf")
    response = pages["lea"].post("/quotes/new", {**_form(consortium="on"), "document": document})
    assert response.status_code == 302, response.content
    quote = Quote.objects.get()
    assert response["Location"] == f"/quotes/{quote.pk}"
    assert quote.consortium and quote.document_name == "devis-cairn.pdf"
    # The file lies outside the public media directory.
    stored = Path(quote.document.path)
    assert stored.is_file() and Path(settings.QUOTES_DOCUMENT_ROOT) in stored.parents
    assert Path(settings.MEDIA_ROOT) not in stored.parents

    page = pages["lea"].get(f"/quotes/{quote.pk}").content.decode()
    assert "1.20 EUR per FTE" in page
    assert "Only 1 institution in this selection" in page
    listed = pages["lea"].get("/quotes").content.decode()
    assert "Cairn" in listed and "1 institution" in listed


def test_the_form_shows_bad_input_next_to_the_field(
    observatory: dict[str, Any], pages: dict[str, Client]
) -> None:
    response = pages["lea"].post("/quotes/new", _form(institution_type="public", fte=None))
    assert response.status_code == 400
    assert "Give the population served" in response.content.decode()
    wrong = SimpleUploadedFile("devis.exe", b"MZ", "application/octet-stream")
    response = pages["lea"].post("/quotes/new", {**_form(), "document": wrong})
    assert response.status_code == 400
    assert not Quote.objects.exists()


def test_the_comparison_page_and_its_percentile(
    observatory: dict[str, Any], pages: dict[str, Client]
) -> None:
    lyon = observatory["lyon"]
    mine = services.submit_quote(
        observatory["people"]["lea"], lyon, quote_fields(price_excl_vat=20000)
    )
    others = [institution(f"univ_{n}") for n in range(4)]
    for library, price in zip(others, (10000, 12000, 15000, 18000), strict=True):
        services.submit_quote(library, library, quote_fields(price_excl_vat=price))
    query = {
        "vendor": "cairn",
        "product": "Bouquet général",
        "institution_type": "university",
        "year": "2025",
        "size_band": "5000_15000",
        "currency": "EUR",
    }
    page = pages["luc"].get("/quotes/compare", query).content.decode()
    # Per FTE: 1.0, 1.2, 1.5, 1.8, 2.0.
    assert '<td class="median">1.50 EUR</td>' in page
    assert '<td class="q1">1.20 EUR</td>' in page and '<td class="q3">1.80 EUR</td>' in page
    assert "Lyon" not in page.split("<main", 1)[1]
    own = pages["lea"].get(f"/quotes/{mine.pk}").content.decode()
    assert "This quote sits at the 100th percentile." in own
    assert "Above twice the median" not in own
    # Without a vendor the page only shows the form.
    assert pages["lea"].get("/quotes/compare").status_code == 200


def test_a_non_member_gets_403_everywhere(
    observatory: dict[str, Any], pages: dict[str, Client]
) -> None:
    quote = services.submit_quote(observatory["people"]["lea"], observatory["lyon"], quote_fields())
    reads = [
        "/quotes",
        "/quotes/new",
        "/quotes/compare?vendor=Cairn&product=x&institution_type=university",
        "/quotes/audit",
        "/quotes/aggregates.csv",
        f"/quotes/{quote.pk}",
        f"/quotes/{quote.pk}/document",
    ]
    writes = [
        "/quotes/new",
        f"/quotes/{quote.pk}/sharing",
        f"/quotes/{quote.pk}/delete",
    ]
    for name in ("olga", "nina"):
        for path in reads:
            response = pages[name].get(path)
            assert response.status_code == 403, (name, path)
            assert "open to the staff of verified institutions only" in response.content.decode()
        for path in writes:
            assert pages[name].post(path, {**_form(), "sharing": "named"}).status_code == 403
    assert Quote.objects.get().sharing == "private"
    assert Quote.objects.count() == 1
    # Visitors are sent to the log-in page.
    assert Client().get("/quotes").status_code == 302


def test_documents_are_served_to_their_institution_only(
    observatory: dict[str, Any], pages: dict[str, Client]
) -> None:
    set_observatory(open_exchange=True)
    document = SimpleUploadedFile("devis.pdf", b"%PDF-1.4 confidentiel", "application/pdf")
    quote = services.submit_quote(
        observatory["people"]["lea"],
        observatory["lyon"],
        quote_fields(sharing="named"),
        document,
    )
    response = pages["lea"].get(f"/quotes/{quote.pk}/document")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 confidentiel"
    assert 'filename="devis.pdf"' in response["Content-Disposition"]
    # Lille may read the shared quote, but not its document.
    assert pages["luc"].get(f"/quotes/{quote.pk}").status_code == 200
    assert pages["luc"].get(f"/quotes/{quote.pk}/document").status_code == 404
    assert pages["olga"].get(f"/quotes/{quote.pk}/document").status_code == 403
    # Nothing serves it from the public media address.
    name = quote.document.name
    assert Client().get(f"{settings.MEDIA_URL}{name}").status_code == 404
    with pytest.raises(ValueError):
        quote.document.url  # noqa: B018
    vias = sorted(QuoteView.objects.filter(quote=quote).values_list("via", flat=True))
    assert vias == ["document", "page"]


def test_every_view_is_in_the_audit_log(
    observatory: dict[str, Any], pages: dict[str, Client]
) -> None:
    set_observatory(open_exchange=True)
    quote = services.submit_quote(
        observatory["people"]["luc"], observatory["lille"], quote_fields(sharing="anonymous")
    )
    query = {"vendor": "Cairn", "product": "Bouquet général", "institution_type": "university"}
    compare = pages["lea"].get("/quotes/compare", query).content.decode()
    assert f"/quotes/{quote.pk}" in compare and "Not named" in compare
    page = pages["lea"].get(f"/quotes/{quote.pk}").content.decode()
    assert "Négocié via Couperin" not in page  # notes stay with their institution
    log = pages["luc"].get("/quotes/audit").content.decode()
    assert log.count('<span class="handle">@lea</span>') == 2
    assert "List of shared quotes" in log and "Quote page" in log
    assert QuoteView.objects.filter(institution=observatory["lille"]).count() == 2
    # Lyon's log is about Lyon's quotes only.
    assert (
        "Nobody has viewed your quotes yet." in pages["lea"].get("/quotes/audit").content.decode()
    )


def test_sharing_and_deleting_from_the_quote_page(
    observatory: dict[str, Any], pages: dict[str, Client]
) -> None:
    document = SimpleUploadedFile("devis.pdf", b"%PDF", "application/pdf")
    quote = services.submit_quote(
        observatory["people"]["lea"], observatory["lyon"], quote_fields(), document
    )
    stored = Path(quote.document.path)
    assert pages["lea"].post(f"/quotes/{quote.pk}/sharing", {"sharing": "named"}).status_code == 302
    assert Quote.objects.get().sharing == "named"
    assert pages["luc"].post(f"/quotes/{quote.pk}/delete").status_code == 404
    assert pages["lea"].post(f"/quotes/{quote.pk}/delete").status_code == 302
    assert not Quote.objects.exists() and not stored.exists()


def test_the_aggregates_csv(observatory: dict[str, Any], pages: dict[str, Client]) -> None:
    services.submit_quote(observatory["people"]["lea"], observatory["lyon"], quote_fields())
    response = pages["luc"].get("/quotes/aggregates.csv")
    assert response.status_code == 200
    rows = response.content.decode().splitlines()
    assert rows[1].endswith(",1,1,,,,true")
    assert "12000" not in response.content.decode()
    assert pages["luc"].get("/quotes/aggregates.csv?year=soon").status_code == 400


def test_verified_institutions_pages_lead_to_the_observatory(
    observatory: dict[str, Any], pages: dict[str, Client]
) -> None:
    lyon = observatory["lyon"]
    page = pages["lea"].get(f"/institutions/{lyon.pk}/timeline").content.decode()
    assert f'href="/quotes?institution={lyon.pk}"' in page
    nantes = institution("bu_nantes_2", verified=False, staff=("nina",))
    page = pages["nina"].get(f"/institutions/{nantes.pk}/timeline").content.decode()
    assert 'href="/quotes?institution=' not in page


def test_staff_of_two_institutions_choose_which_one(
    observatory: dict[str, Any], pages: dict[str, Client]
) -> None:
    from babillard.institutions.models import Role
    from babillard.institutions.services import add_member

    lille = observatory["lille"]
    add_member(lille, lille, observatory["people"]["lea"], Role.STAFF)
    page = pages["lea"].get("/quotes").content.decode()
    assert 'name="institution"' in page  # the chooser, for two institutions
    response = pages["lea"].post(f"/quotes/new?institution={lille.pk}", _form())
    assert response.status_code == 302
    assert Quote.objects.get().institution == lille
    other = institution("bu_rennes")
    assert pages["lea"].get(f"/quotes?institution={other.pk}").status_code == 403
