"""``/api/v1/domain_blocks``: hide, list (Link-paged), show again, as Mastodon answers."""

import pytest

from babillard.moderation.models import AccountDomainBlock

pytestmark = pytest.mark.django_db


def test_hide_list_and_show_again(as_alice, alice):
    for domain in ("a.example", "b.example", "c.example"):
        assert as_alice.post("/api/v1/domain_blocks", {"domain": domain}).json() == {}
    first = as_alice.get("/api/v1/domain_blocks", {"limit": 2})
    assert first.status_code == 200 and first.json() == ["c.example", "b.example"]
    assert 'rel="next"' in first["Link"]
    next_url = first["Link"].split(";")[0].strip("<>")
    assert as_alice.get(next_url).json() == ["a.example"]
    assert as_alice.delete("/api/v1/domain_blocks", {"domain": "b.example"}).json() == {}
    assert as_alice.get("/api/v1/domain_blocks").json() == ["c.example", "a.example"]
    # The query string works too, as Mastodon.py sends it.
    as_alice.delete("/api/v1/domain_blocks?domain=a.example")
    assert list(AccountDomainBlock.objects.values_list("domain", flat=True)) == ["c.example"]


def test_bad_domain_and_scopes(as_alice, anonymous, alice, token_for):
    from babillard.api.tests.conftest import ApiClient

    answer = as_alice.post("/api/v1/domain_blocks", {"domain": "pas un domaine"})
    assert answer.status_code == 422 and "domain" in answer.json()["error"]
    assert anonymous.get("/api/v1/domain_blocks").status_code == 401
    reader = ApiClient(token_for(alice, "read"))
    assert reader.get("/api/v1/domain_blocks").status_code == 200
    assert reader.post("/api/v1/domain_blocks", {"domain": "a.example"}).status_code == 403


def test_relationship_says_domain_blocking(as_alice, alice):
    from babillard.accounts.services import update_remote_account

    remote = update_remote_account(
        "https://a.example/users/zed",
        username="zed",
        domain="a.example",
        inbox_url="https://a.example/users/zed/inbox",
    )
    as_alice.post("/api/v1/domain_blocks", {"domain": "a.example"})
    rel = as_alice.get("/api/v1/accounts/relationships", {"id[]": remote.pk}).json()
    assert rel[0]["domain_blocking"] is True
