"""RSS and Atom feeds carry public posts only."""

import pytest
from django.test import Client

from babillard.accounts.models import Account
from babillard.statuses.services import post_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(alice: Account, bob: Account) -> None:
    post_status(alice, "Public #veille")
    post_status(alice, "Non listé #veille", visibility="unlisted")
    post_status(alice, "Abonnés #veille", visibility="private")
    post_status(alice, "Direct #veille @bob", visibility="direct")
    post_status(alice, "Local seulement #veille", local_only=True)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/@alice.rss", "application/rss+xml"),
        ("/@alice.atom", "application/atom+xml"),
        ("/tags/veille.rss", "application/rss+xml"),
        ("/tags/veille.atom", "application/atom+xml"),
    ],
)
def test_feeds_contain_only_public_posts(posts: None, client: Client, url: str, kind: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(kind)
    body = response.content.decode()
    assert "Public" in body
    for hidden in ("Non listé", "Abonnés", "Direct", "Local seulement"):
        assert hidden not in body


def test_feed_of_unknown_account_is_404(client: Client) -> None:
    assert client.get("/@nobody.rss").status_code == 404


def test_feed_includes_image_descriptions(alice: Account, client: Client) -> None:
    from babillard.core.testing import image_bytes
    from babillard.statuses.services import upload_media

    media = upload_media(alice, image_bytes(), "Salle de lecture")
    post_status(alice, "Photo", media_ids=[media.pk])
    assert "Salle de lecture" in client.get("/@alice.rss").content.decode()
