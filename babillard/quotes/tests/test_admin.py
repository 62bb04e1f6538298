"""The administrator sets k and open-exchange mode in the admin; k below 3 is refused,
and quotes themselves are not browsable there (their views would escape the audit log)."""

import pytest
from django.test import Client

from babillard.core.testing import make_account
from babillard.quotes import queries
from babillard.quotes.models import ObservatorySettings

pytestmark = pytest.mark.django_db

ADD = "/admin/quotes/observatorysettings/add/"


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(make_account(superuser=True).user)
    return client


def test_the_administrator_sets_k_and_open_exchange(admin_client: Client) -> None:
    assert queries.min_institutions() == 5 and not queries.open_exchange()
    refused = admin_client.post(ADD, {"min_institutions": "2"})
    assert refused.status_code == 200
    assert "min_institutions" in refused.context_data["adminform"].form.errors
    assert not ObservatorySettings.objects.exists()
    saved = admin_client.post(ADD, {"min_institutions": "7", "open_exchange": "on"})
    assert saved.status_code == 302
    assert queries.min_institutions() == 7 and queries.open_exchange()
    # One row only.
    assert admin_client.get(ADD).status_code == 403


def test_quotes_are_not_in_the_admin(admin_client: Client) -> None:
    assert admin_client.get("/admin/quotes/quote/").status_code == 404
