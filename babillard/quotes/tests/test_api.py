"""``/api/babillard/v1/quotes``: the contract paths, who may call them, and the
threshold of institutions below which only the count is given."""

from typing import Any

from babillard.quotes.models import Quote, QuoteView
from babillard.quotes.tests.conftest import institution, quote_fields, set_observatory

V1 = "/api/babillard/v1"
STATS = {
    "vendor": "Cairn",
    "product": "Bouquet général",
    "year": "2025",
    "institution_type": "university",
    "size_band": "5000_15000",
}


def test_staff_of_a_verified_institution_submits_a_quote(observatory: dict[str, Any]) -> None:
    lea = observatory["clients"]["lea"]
    response = lea.post(f"{V1}/quotes", quote_fields())
    assert response.status_code == 200, response.content
    quote = response.json()
    assert quote["vendor"] == "Cairn" and quote["year"] == 2025
    assert quote["price_excl_vat"] == 12000 and quote["currency"] == "EUR"
    assert quote["institution_id"] == str(observatory["lyon"].pk)
    assert quote["size_band"] == "5000_15000" and quote["unit"] == "fte"
    assert quote["price_per_unit"] == 1.2
    assert quote["percentile"] is None and quote["above_twice_median"] is False
    stored = Quote.objects.get(pk=quote["id"])
    assert stored.institution == observatory["lyon"]
    assert stored.submitted_by == observatory["people"]["lea"]
    assert stored.consortium is True and stored.notes == "Négocié via Couperin"

    listed = lea.get(f"{V1}/quotes").json()
    assert [q["id"] for q in listed] == [quote["id"]]


def test_each_institution_lists_only_its_own_quotes(observatory: dict[str, Any]) -> None:
    clients = observatory["clients"]
    mine = clients["lea"].post(f"{V1}/quotes", quote_fields()).json()
    theirs = clients["luc"].post(f"{V1}/quotes", quote_fields(price_excl_vat=9000)).json()
    assert [q["id"] for q in clients["lea"].get(f"{V1}/quotes").json()] == [mine["id"]]
    assert [q["id"] for q in clients["luc"].get(f"{V1}/quotes").json()] == [theirs["id"]]
    # Another institution's quote is not found, whether or not it exists.
    assert clients["lea"].get(f"{V1}/quotes/{theirs['id']}").status_code == 404
    assert clients["lea"].get(f"{V1}/quotes/999999").status_code == 404


def test_a_non_member_gets_403_everywhere(observatory: dict[str, Any]) -> None:
    clients = observatory["clients"]
    own = clients["lea"].post(f"{V1}/quotes", quote_fields()).json()
    for name in ("olga", "nina"):  # an outsider; staff of an unverified institution
        client = clients[name]
        answers = [
            client.post(f"{V1}/quotes", quote_fields()),
            client.get(f"{V1}/quotes"),
            client.get(f"{V1}/quotes/stats", STATS),
            client.get(f"{V1}/quotes/shared", STATS),
            client.get(f"{V1}/quotes/aggregates"),
            client.get(f"{V1}/quotes/audit"),
            client.get(f"{V1}/quotes/{own['id']}"),
            client.patch(f"{V1}/quotes/{own['id']}", {"sharing": "named"}),
            client.delete(f"{V1}/quotes/{own['id']}"),
            client.get(f"{V1}/quotes/{own['id']}/document"),
        ]
        assert [a.status_code for a in answers] == [403] * len(answers), name
        assert "verified institutions" in answers[0].json()["error"]
    assert clients["anonymous"].post(f"{V1}/quotes", quote_fields()).status_code == 401
    assert clients["anonymous"].get(f"{V1}/quotes/stats", STATS).status_code == 401
    assert Quote.objects.count() == 1


def test_a_member_of_an_institution_that_loses_verification_is_refused(
    observatory: dict[str, Any],
) -> None:
    from babillard.accounts.models import Account
    from babillard.institutions.services import unverify_institution

    unverify_institution(Account.objects.get(username="quotes_modo"), observatory["lyon"])
    assert observatory["clients"]["lea"].get(f"{V1}/quotes").status_code == 403


def test_bad_input_is_refused_with_422_and_nothing_written(observatory: dict[str, Any]) -> None:
    lea = observatory["clients"]["lea"]
    for changes in (
        {"vendor": ""},
        {"year": "l'an dernier"},
        {"year": 1850},
        {"price_excl_vat": "cher"},
        {"price_excl_vat": -3},
        {"price_excl_vat": "NaN"},
        {"currency": "euros"},
        {"fte": None},
        {"fte": 0},
        {"institution_type": "bookshop"},
        {"institution_type": "public", "fte": None},
        {"sharing": "everyone"},
    ):
        response = lea.post(f"{V1}/quotes", quote_fields(**changes))
        assert response.status_code == 422, changes
        assert response.json()["error"].startswith("Validation failed")
    assert not Quote.objects.exists()


def test_public_libraries_are_compared_per_thousand_inhabitants(
    observatory: dict[str, Any],
) -> None:
    set_observatory(min_institutions=3)
    clients = []
    for number, price in enumerate((3000, 4500, 6000)):
        library = institution(f"mediatheque_{number}", kind="public")
        clients.append((library, price))
    from babillard.quotes import services

    for library, price in clients:
        fields = quote_fields(
            institution_type="public", fte=None, population=30000, price_excl_vat=price
        )
        services.submit_quote(library, library, fields)
    answer = observatory["clients"]["lea"].get(
        f"{V1}/quotes/stats",
        {**STATS, "institution_type": "public", "size_band": "10000_50000"},
    )
    assert answer.status_code == 200, answer.content
    # 3000, 4500 and 6000 for 30,000 inhabitants: 100, 150 and 200 per 1,000.
    assert answer.json() == {
        "count": 3,
        "institutions": 3,
        "suppressed": False,
        "unit": "1000_inhabitants",
        "median_per_fte": 150.0,
        "q1_per_fte": 125.0,
        "q3_per_fte": 175.0,
    }


def test_stats_refuse_an_unknown_selection(observatory: dict[str, Any]) -> None:
    lea = observatory["clients"]["lea"]
    for changes in (
        {"vendor": ""},
        {"institution_type": ""},
        {"size_band": "huge"},
        {"size_band": "under_10000"},  # a population band, asked for universities
        {"year": "soon"},
    ):
        response = lea.get(f"{V1}/quotes/stats", {**STATS, **changes})
        assert response.status_code == 422, changes


def test_sharing_audit_and_open_exchange(observatory: dict[str, Any]) -> None:
    clients = observatory["clients"]
    theirs = clients["luc"].post(f"{V1}/quotes", quote_fields(sharing="anonymous")).json()
    # Closed exchange: a shared quote stays with its institution.
    assert clients["lea"].get(f"{V1}/quotes/shared", STATS).json() == []
    assert clients["lea"].get(f"{V1}/quotes/{theirs['id']}").status_code == 404

    set_observatory(open_exchange=True)
    shared = clients["lea"].get(f"{V1}/quotes/shared", STATS).json()
    assert [q["id"] for q in shared] == [theirs["id"]]
    # Anonymous share: no name, no notes, no document.
    assert shared[0]["institution_id"] is None and shared[0]["notes"] == ""
    one = clients["lea"].get(f"{V1}/quotes/{theirs['id']}").json()
    assert one["institution_id"] is None

    named = clients["luc"].patch(f"{V1}/quotes/{theirs['id']}", {"sharing": "named"})
    assert named.status_code == 200 and named.json()["sharing"] == "named"
    one = clients["lea"].get(f"{V1}/quotes/{theirs['id']}").json()
    assert one["institution_id"] == str(observatory["lille"].pk)

    # Lille reads who looked at its quote: three views by Léa of Lyon.
    log = clients["luc"].get(f"{V1}/quotes/audit").json()
    assert len(log) == 3
    assert {row["viewer_id"] for row in log} == {str(observatory["people"]["lea"].pk)}
    assert {row["viewer_institution_id"] for row in log} == {str(observatory["lyon"].pk)}
    assert [row["via"] for row in log] == ["api", "api", "api"]
    assert QuoteView.objects.filter(institution=observatory["lyon"]).count() == 0
    # Lyon cannot change Lille's quote.
    assert (
        clients["lea"].patch(f"{V1}/quotes/{theirs['id']}", {"sharing": "private"}).status_code
        == 404
    )
    assert clients["lea"].delete(f"{V1}/quotes/{theirs['id']}").status_code == 404

    clients["luc"].patch(f"{V1}/quotes/{theirs['id']}", {"sharing": "private"})
    assert clients["lea"].get(f"{V1}/quotes/shared", STATS).json() == []


def test_the_aggregates_export(observatory: dict[str, Any]) -> None:
    set_observatory(min_institutions=3)
    for number, price in enumerate((10000, 20000, 30000)):
        library = institution(f"univ_{number}", staff=())
        from babillard.quotes import services

        services.submit_quote(library, library, quote_fields(price_excl_vat=price))
    institution("univ_small")
    response = observatory["clients"]["lea"].get(f"{V1}/quotes/aggregates")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("vendor,product,year,institution_type,size_band,currency")
    assert lines[1] == (
        "Cairn,Bouquet général,2025,university,5000_15000,EUR,fte,3,3,2.00,1.50,2.50,false"
    )
    assert len(lines) == 2


def test_a_document_sent_with_the_quote_goes_to_its_institution_only(
    observatory: dict[str, Any],
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    set_observatory(open_exchange=True)
    clients = observatory["clients"]
    fields = {k: str(v) for k, v in quote_fields(sharing="named").items()}
    document = SimpleUploadedFile("devis.pdf", b"%PDF-1.4 prix", "application/pdf")
    response = clients["lea"].post(f"{V1}/quotes", {**fields, "document": document}, form=True)
    assert response.status_code == 200, response.content
    quote = response.json()
    assert quote["document_url"].endswith(f"/api/babillard/v1/quotes/{quote['id']}/document")
    download = clients["lea"].get(f"{V1}/quotes/{quote['id']}/document")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 prix"
    # Lille reads the named share, without its document.
    shared = clients["luc"].get(f"{V1}/quotes/{quote['id']}").json()
    assert shared["document_url"] is None and shared["notes"] == ""
    assert clients["luc"].get(f"{V1}/quotes/{quote['id']}/document").status_code == 404
    assert QuoteView.objects.filter(via="document").count() == 1


def test_the_paths_are_in_the_openapi_document(observatory: dict[str, Any]) -> None:
    schema = observatory["clients"]["anonymous"].get(f"{V1}/openapi.json").json()
    for path in ("/quotes", "/quotes/stats", "/quotes/{quote_id}", "/quotes/{quote_id}/document"):
        assert any(p.endswith(path) for p in schema["paths"]), path
    stats = next(v for p, v in schema["paths"].items() if p.endswith("/quotes/stats"))
    names = {p["name"] for p in stats["get"]["parameters"]}
    assert {"vendor", "product", "year", "institution_type", "size_band"} <= names
