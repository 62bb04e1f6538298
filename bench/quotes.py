"""``python -m bench.quotes``: the quote observatory's comparison as the selection grows.

For each database (SQLite in a temporary ``BABILLARD_HOME``; PostgreSQL too when it is
reachable, in ``BENCH_PG_URL``), a fresh migrated database gets ``--institutions``
verified universities of the same size band (institution accounts written in bulk, one
shared key pair), each with ``--quotes-per`` quotes of one vendor and product entered
through ``quotes.services.submit_quote``, plus one staff member with a password and an
API token. A child process then times, ``--repeat`` times each (p50 and p99 in ms):

- ``queries.stats`` of the selection that holds every institution's latest quote;
- ``GET /api/babillard/v1/quotes/stats`` through Django's test client with the token;
- the ``/quotes/compare`` page of that selection, logged in;
- the ``/quotes`` page of an institution with 20 quotes (one comparison per quote).

It prints one line per database and writes ``bench/results/<time>-quotes.json``.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness import RESULTS, fresh_environment, log, manage, postgres_reachable, run_json

VENDOR, PRODUCT = "Cairn", "Bouquet général"


def timed(action: Callable[[], object], repeat: int) -> dict[str, float]:
    durations = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        durations.append((time.perf_counter() - began) * 1000)
    durations.sort()
    return {
        "p50_ms": round(statistics.median(durations), 2),
        "p99_ms": round(durations[min(len(durations) - 1, int(len(durations) * 0.99))], 2),
    }


def child(institutions: int, quotes_per: int, repeat: int) -> dict[str, Any]:
    """Load the data and time the reads, in this process (settings from the environment)."""
    import django

    django.setup()
    from django.test import Client
    from django.utils import timezone

    from babillard.accounts.models import Account, AccountKind
    from babillard.accounts.services import _rsa_key_pair
    from babillard.api import oauth
    from babillard.core import links
    from babillard.core.testing import PASSWORD, make_account
    from babillard.institutions.models import Institution, Membership, Role
    from babillard.quotes import queries, services

    private_key, public_key = _rsa_key_pair()
    accounts = Account.objects.bulk_create(
        [
            Account(
                username=f"univ{n}",
                kind=AccountKind.INSTITUTION,
                display_name=f"Université {n}",
                uri=links.account_uri(f"univ{n}"),
                url=links.account_url(f"univ{n}"),
                private_key=private_key,
                public_key=public_key,
            )
            for n in range(institutions)
        ],
        batch_size=1000,
    )
    Institution.objects.bulk_create(
        [
            Institution(
                account=account,
                type="university",
                isil=f"FR-75{n:07d}",
                isil_verified_at=timezone.now(),
            )
            for n, account in enumerate(accounts)
        ],
        batch_size=1000,
    )
    began = time.perf_counter()
    for n, account in enumerate(accounts):
        for q in range(quotes_per):
            services.submit_quote(
                account,
                account,
                {
                    "vendor": VENDOR,
                    "product": PRODUCT,
                    "year": 2025,
                    "price_excl_vat": 8000 + (n * 37 + q * 11) % 9000,
                    "fte": 10000,
                    "institution_type": "university",
                    "consortium": bool(n % 2),
                },
            )
    load_seconds = time.perf_counter() - began
    staff = make_account("bench_staff")
    Membership.objects.create(institution=accounts[0], member=staff, role=Role.STAFF)
    for year in range(20 - quotes_per):
        services.submit_quote(
            staff,
            accounts[0],
            {
                "vendor": f"Fournisseur {year}",
                "product": PRODUCT,
                "year": 2025,
                "price_excl_vat": 5000,
                "fte": 10000,
                "institution_type": "university",
                "consortium": False,
            },
        )
    app = oauth.register_app("bench", [oauth.OOB], ["read"], "")
    assert staff.user is not None
    token = oauth.issue_token(staff.user, app.application, ["read"]).raw  # type: ignore[attr-defined]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    page = Client()
    assert page.login(username="bench_staff", password=PASSWORD)
    selection = queries.parse_selection(
        vendor=VENDOR, product=PRODUCT, institution_type="university", year="2025"
    )
    found = queries.stats(selection)
    assert found.count == institutions and not found.suppressed
    query = {
        "vendor": VENDOR,
        "product": PRODUCT,
        "institution_type": "university",
        "year": "2025",
        "size_band": "5000_15000",
    }

    def get(client: Client, path: str, data: dict[str, str] | None = None) -> None:
        response = client.get(path, data)
        assert response.status_code == 200, (path, response.status_code)

    return {
        "institutions": institutions,
        "quotes": institutions * quotes_per + 20 - quotes_per,
        "load_quotes_per_second": round(institutions * quotes_per / load_seconds),
        "stats_function": timed(lambda: queries.stats(selection), repeat),
        "api_stats": timed(lambda: get(api, "/api/babillard/v1/quotes/stats", query), repeat),
        "compare_page": timed(lambda: get(page, "/quotes/compare", query), repeat),
        "list_page_20_quotes": timed(lambda: get(page, "/quotes"), max(5, repeat // 5)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--institutions", type=int, default=1000)
    parser.add_argument("--quotes-per", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        found = child(options.institutions, options.quotes_per, options.repeat)
        print("BENCH_JSON " + json.dumps(found))
        return
    databases = ["sqlite"]
    if not options.sqlite_only and postgres_reachable():
        databases.append("postgresql")
    results: dict[str, Any] = {}
    for database in databases:
        home = Path(tempfile.mkdtemp(prefix=f"babillard-bench-quotes-{database}-"))
        try:
            env = fresh_environment(database, home)
            manage(env, "migrate", "--no-input", "-v0")
            log(f"{database}: {options.institutions} institutions")
            command = [
                sys.executable,
                "-m",
                "bench.quotes",
                "--child",
                "--institutions",
                str(options.institutions),
                "--quotes-per",
                str(options.quotes_per),
                "--repeat",
                str(options.repeat),
            ]
            results[database] = found = run_json(command, env)
            log(
                f"  stats {found['stats_function']['p50_ms']} ms, "
                f"API {found['api_stats']['p50_ms']} ms, "
                f"compare page {found['compare_page']['p50_ms']} ms, "
                f"list of 20 {found['list_page_20_quotes']['p50_ms']} ms (p50)"
            )
        finally:
            shutil.rmtree(home, ignore_errors=True)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"{stamp}-quotes.json"
    out.write_text(json.dumps({"options": vars(options), "results": results}, indent=2))
    log(f"written {out.relative_to(RESULTS.parent.parent)}")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    main()
