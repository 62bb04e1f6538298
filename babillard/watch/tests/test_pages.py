"""The watch pages without JavaScript: deck, antennas, private feeds, outside feeds."""

from typing import Any

import feedparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from babillard.accounts.services import follow
from babillard.core.testing import make_account
from babillard.statuses.services import post_status
from babillard.timelines.services import create_list
from babillard.watch import queries, services
from babillard.watch.tests.conftest import FeedServer, rss

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader() -> tuple[Any, Client]:
    account = make_account("lectrice")
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(account.user)
    return account, client


def test_deck_columns_added_moved_resized_read_and_removed(reader: tuple[Any, Client]) -> None:
    account, client = reader
    author = make_account("auteur")
    timeline = create_list(account, "Collègues")
    antenna = services.create_antenna(account, title="Fonds", keywords=["fonds"])
    for body in (
        {"kind": "local", "width": "narrow"},
        {
            "kind": "hashtag",
            "tag": "#Bibliotheque",
            "any": "bu, cdi",
            "none": "emploi",
            "width": "normal",
        },
        {"kind": "antenna", "antenna_id": str(antenna.pk), "width": "wide"},
        {"kind": "list", "list_id": str(timeline.pk), "width": "normal"},
    ):
        assert client.post("/deck", body).status_code == 302
    post_status(author, "Le fonds ancien de la #BU")
    post_status(author, "Offre #emploi #bibliotheque")
    page = client.get("/deck")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Local timeline") < html.index("#bibliotheque (any: #bu #cdi")
    assert html.index("#bibliotheque (any") < html.index("Antenna: Fonds")
    assert 'class="column column-wide"' in html and "Le fonds ancien" in html
    columns = queries.columns(account)
    tag_column = columns[1]
    fragment = client.get(f"/deck/columns/{tag_column.pk}?fragment=1").content.decode()
    assert "Le fonds ancien" in fragment and "Offre" not in fragment
    assert "2 unread" not in fragment and "1 unread" in fragment
    assert fragment.count("column-entry unread") == 1
    client.post(f"/deck/columns/{tag_column.pk}/read", {"key": str(columns[1].read_key + 1)})
    newest = post_status(author, "Encore la #bu")
    client.post(f"/deck/columns/{tag_column.pk}/read", {"key": str(newest.pk)})
    assert "unread" not in client.get(f"/deck/columns/{tag_column.pk}?fragment=1").content.decode()
    client.post(f"/deck/columns/{columns[2].pk}/left")
    client.post(f"/deck/columns/{columns[0].pk}/width", {"width": "wide"})
    assert [c.kind for c in queries.columns(account)] == ["local", "antenna", "hashtag", "list"]
    assert queries.columns(account)[0].width == "wide"
    client.post(f"/deck/columns/{columns[3].pk}/remove")
    assert len(queries.columns(account)) == 3
    bad = client.post("/deck", {"kind": "list", "list_id": "", "width": "normal"})
    assert bad.status_code == 400 and "Choose one of your lists." in bad.content.decode()


def test_other_readers_columns_are_not_found(reader: tuple[Any, Client]) -> None:
    _account, client = reader
    column = services.add_column(make_account("autre"), "home")
    assert client.get(f"/deck/columns/{column.pk}").status_code == 404
    client.post(f"/deck/columns/{column.pk}/remove")
    assert queries.get_column(column.owner, column.pk)


def test_antenna_pages_and_private_feed(reader: tuple[Any, Client]) -> None:
    account, client = reader
    author = make_account("auteur")
    created = client.post(
        "/antennas",
        {
            "title": "Cairn",
            "keywords": "cairn\nbibliothèque numérique",
            "exclude_keywords": "offre d'emploi",
            "exclude_accounts": "@personne",
            "email": "none",
        },
    )
    assert created.status_code == 400 and "No account @personne" in created.content.decode()
    created = client.post(
        "/antennas",
        {
            "title": "Cairn",
            "keywords": "cairn\nbibliothèque numérique",
            "exclude_keywords": "offre d'emploi",
            "email": "none",
        },
    )
    assert created.status_code == 302
    antenna = queries.antennas(account).get()
    follow(account, author)
    assert antenna.keywords == ["cairn", "bibliothèque numérique"]
    post_status(author, "Cairn rouvre")
    post_status(author, "Cairn réservé aux abonnés", visibility="private")
    post_status(author, "Cairn : offre d'emploi")
    page = client.get(f"/antennas/{antenna.pk}").content.decode()
    assert "Cairn rouvre" in page and "Cairn : offre" not in page and "abonnés" in page
    feed = Client().get(f"/antennas/feed/{antenna.feed_token}.atom")
    assert feed.status_code == 200
    titles = [entry.title for entry in feedparser.parse(feed.content).entries]
    assert titles == ["auteur: Cairn rouvre"]
    assert Client().get(f"/antennas/feed/{antenna.feed_token}.rss").status_code == 200
    old = antenna.feed_token
    client.post(f"/antennas/{antenna.pk}/token")
    assert Client().get(f"/antennas/feed/{old}.atom").status_code == 404
    changed = client.post(
        f"/antennas/{antenna.pk}",
        {"title": "Cairn 2", "keywords": "cairn", "regex": "(a+)+$", "email": "none"},
    )
    assert changed.status_code == 400 and "take forever" in changed.content.decode()
    client.post(f"/antennas/{antenna.pk}/delete")
    assert not queries.antennas(account).exists()


def test_sources_page_follow_export_and_import(
    reader: tuple[Any, Client], feed_server: FeedServer
) -> None:
    account, client = reader
    url = feed_server.serve("/a.xml", rss(("1", "Premier article", "Résumé")))
    assert client.post("/deck/sources", {"url": url}).status_code == 302
    page = client.get("/deck/sources").content.decode()
    assert "Veille BIB" in page
    exported = client.get("/deck/sources/feeds.opml")
    assert (
        exported["Content-Disposition"].endswith('-feeds.opml"')
        and url.encode() in exported.content
    )
    other = make_account("autre")
    other_client = Client(headers={"Accept-Language": "en"})
    other_client.force_login(other.user)
    upload = other_client.post(
        "/deck/sources/import",
        {"file": SimpleUploadedFile("feeds.opml", exported.content), "mode": "merge"},
    )
    assert upload.status_code == 302
    assert [s.url for s in queries.sources(other)] == [url]
    source = queries.sources(other).get()
    column = services.add_column(other, "source", {"source_id": source.pk})
    assert "Premier article" in other_client.get(f"/deck/columns/{column.pk}").content.decode()
    other_client.post(f"/deck/sources/{source.pk}/unfollow")
    assert not queries.sources(other).exists() and queries.sources(account).exists()


def test_deck_needs_a_login() -> None:
    assert Client().get("/deck").status_code == 302
    assert Client().get("/antennas").status_code == 302
