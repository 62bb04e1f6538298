"""Settings pages for hidden servers and account aliases, and the moderators' server blocks."""

import pytest
from django.test import Client

from babillard.accounts.models import Account
from babillard.core.testing import make_account
from babillard.moderation.models import AccountDomainBlock, DomainBlock, ModerationAction
from babillard.web.tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def test_hide_and_show_a_server(alice: Account, alice_client: Client) -> None:
    page = alice_client.get("/settings/domain_blocks")
    assert page.status_code == 200 and "Serveurs masqués" in page.content.decode()
    answer = alice_client.post("/settings/domain_blocks", {"domain": "Spam.example"})
    assert answer.status_code == 302
    assert "spam.example" in alice_client.get("/settings/domain_blocks").content.decode()
    bad = alice_client.post("/settings/domain_blocks", {"domain": "pas un domaine"})
    assert bad.status_code == 400 and "example.org" in bad.content.decode()
    alice_client.post("/settings/domain_blocks/remove", {"domain": "spam.example"})
    assert not AccountDomainBlock.objects.filter(account=alice).exists()


def test_aliases_page(alice: Account, alice_client: Client) -> None:
    bob = make_account("bob")
    assert alice_client.get("/settings/aliases").status_code == 200
    assert alice_client.post("/settings/aliases", {"handle": "bob"}).status_code == 302
    alias = alice.aliases.get()
    assert alias.uri == bob.uri
    assert "bob" in alice_client.get("/settings/aliases").content.decode()
    assert alice_client.post("/settings/aliases", {"handle": "alice"}).status_code == 400
    alice_client.post(f"/settings/aliases/{alias.pk}/remove")
    assert not alice.aliases.exists()


def test_moderators_block_servers(alice_client: Client) -> None:
    modo = logged_in(make_account("modo", moderator=True))
    assert alice_client.get("/moderation/domain_blocks").status_code == 403
    assert modo.get("/moderation/domain_blocks").status_code == 200
    answer = modo.post(
        "/moderation/domain_blocks",
        {"domain": "images.example", "severity": "noop", "reject_media": "on"},
    )
    assert answer.status_code == 302
    blocked = DomainBlock.objects.get()
    assert blocked.reject_media and blocked.severity == "noop"
    assert (
        modo.post(
            "/moderation/domain_blocks", {"domain": "x.example", "severity": "noop"}
        ).status_code
        == 400
    )
    modo.post("/moderation/domain_blocks/remove", {"domain": "images.example"})
    assert not DomainBlock.objects.exists()
    assert ModerationAction.objects.filter(kind="block_domain").exists()
    assert ModerationAction.objects.filter(kind="unblock_domain").exists()
