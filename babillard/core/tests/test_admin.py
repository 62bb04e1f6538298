import pytest

from babillard.core.testing import make_account
from babillard.statuses.services import post_status

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/accounts/user/",
        "/admin/accounts/account/",
        "/admin/statuses/status/",
        "/admin/moderation/report/",
        "/admin/accounts/follow/",
    ],
)
def test_admin_pages_open_for_administrators(client, path):
    admin_account = make_account(superuser=True)
    post_status(admin_account, "bonjour")
    client.force_login(admin_account.user)
    assert client.get(path).status_code == 200


def test_admin_is_refused_to_others(client):
    client.force_login(make_account().user)
    assert client.get("/admin/accounts/user/").status_code == 302
