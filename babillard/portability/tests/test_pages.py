"""The import, export and wall pages, without JavaScript."""

import io
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from babillard.core.testing import image_bytes, make_account
from babillard.portability.models import Import, ImportKind, WallDecision
from babillard.statuses import services as status_services

pytestmark = pytest.mark.django_db


def signed_in(username: str) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(make_account(username).user)
    return client


def test_import_page_shows_progress_then_the_report() -> None:
    client = signed_in("me")
    make_account("ana")
    page = client.get("/settings/import")
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    data = f"ana@{settings.DOMAIN}\nghost@{settings.DOMAIN}\n".encode()
    sent = client.post(
        "/settings/import",
        {"kind": "blocks", "mode": "merge", "file": SimpleUploadedFile("b.csv", data)},
    )
    assert sent.status_code == 302
    report = client.get(sent["Location"])
    assert report.status_code == 200
    text = report.content.decode()
    assert "1 row not imported" in text
    assert f"ghost@{settings.DOMAIN}" in text
    assert 'http-equiv="refresh"' not in text

    me = Import.objects.get().account
    waiting = Import.objects.create(account=me, kind=ImportKind.BLOCKS, total=3, processed=1)
    progress = client.get(f"/settings/import/{waiting.pk}").content.decode()
    assert 'http-equiv="refresh"' in progress
    assert 'value="33"' in progress
    assert signed_in("other").get(f"/settings/import/{waiting.pk}").status_code == 404


def test_a_bad_file_is_shown_beside_the_form() -> None:
    client = signed_in("me")
    sent = client.post(
        "/settings/import",
        {"kind": "archive", "mode": "merge", "file": SimpleUploadedFile("a.zip", b"nope")},
    )
    assert sent.status_code == 422
    assert "not a zip archive" in sent.content.decode()
    assert not Import.objects.exists()


def test_archive_requested_and_downloaded_from_the_export_page() -> None:
    client = signed_in("me")
    page = client.get("/settings/export")
    for name in ("following_accounts.csv", "lists.csv", "bookmarks.csv", "blocked_domains.csv"):
        assert f"/settings/export/{name}" in page.content.decode()
    assert client.post("/settings/export").status_code == 302
    page = client.get("/settings/export").content.decode()
    assert "Download" in page
    archive_id = page.split("/settings/export/archives/")[1].split('"')[0]
    download = client.get(f"/settings/export/archives/{archive_id}")
    assert download.status_code == 200
    content = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert {"actor.json", "outbox.json", "likes.json", "bookmarks.json"} <= set(content.namelist())
    assert signed_in("other").get(f"/settings/export/archives/{archive_id}").status_code == 404


def test_the_wall_shows_public_posts_with_the_hashtag() -> None:
    author = make_account("author")
    media = status_services.upload_media(author, image_bytes(), "Le public de la salle")
    first = status_services.post_status(author, "Ouverture #Biblio2026", media_ids=[media.pk])
    status_services.post_status(author, "Réservé #biblio2026", visibility="private")
    status_services.post_status(author, "Autre sujet #ailleurs")
    tag_page = Client(headers={"Accept-Language": "en"}).get("/tags/biblio2026")
    assert 'href="/tags/biblio2026/wall"' in tag_page.content.decode()
    wall = Client(headers={"Accept-Language": "en"}).get("/tags/biblio2026/wall")
    assert wall.status_code == 200
    text = wall.content.decode()
    assert "Ouverture" in text and "Réservé" not in text and "Autre sujet" not in text
    assert 'alt="Le public de la salle"' in text
    assert "<figcaption>Le public de la salle</figcaption>" in text
    assert '<svg viewBox="' in text and "wall-qr" in text
    assert '<noscript><meta http-equiv="refresh"' in text
    assert f'data-newest="{first.pk}"' in text

    second = status_services.post_status(author, "Deuxième #biblio2026")
    newer = Client().get(f"/tags/biblio2026/wall/posts?since_id={first.pk}")
    assert newer["X-Newest-Id"] == str(second.pk)
    assert "Deuxième" in newer.content.decode() and "Ouverture" not in newer.content.decode()
    nothing = Client().get(f"/tags/biblio2026/wall/posts?since_id={second.pk}")
    assert nothing["X-Newest-Id"] == str(second.pk)
    assert "wall-post" not in nothing.content.decode()


def test_a_moderated_wall_shows_approved_posts_only() -> None:
    author = make_account("author")
    post = status_services.post_status(author, "Bonjour #congres")
    kept_off = status_services.post_status(author, "Hors sujet #congres")
    owner = signed_in("owner")
    assert owner.post("/tags/congres/wall/moderation", {"moderated": "on"}).status_code == 302
    visitor = Client(headers={"Accept-Language": "en"})
    assert "Bonjour" not in visitor.get("/tags/congres/wall").content.decode()

    queue = owner.get("/tags/congres/wall/moderation").content.decode()
    assert "Bonjour" in queue and "Hors sujet" in queue
    owner.post(f"/tags/congres/wall/moderation/{post.pk}/approve")
    owner.post(f"/tags/congres/wall/moderation/{kept_off.pk}/reject")
    shown = visitor.get("/tags/congres/wall").content.decode()
    assert "Bonjour" in shown and "Hors sujet" not in shown
    assert "No post waits." in owner.get("/tags/congres/wall/moderation").content.decode()
    assert WallDecision.objects.filter(approved=False).count() == 1

    # Someone else may not moderate this wall, nor decide about its posts.
    intruder = signed_in("intruder")
    assert intruder.get("/tags/congres/wall/moderation").status_code == 403
    assert intruder.post(f"/tags/congres/wall/moderation/{kept_off.pk}/approve").status_code == 403
    assert "Hors sujet" not in visitor.get("/tags/congres/wall").content.decode()

    # Turning moderation off shows every post again.
    owner.post("/tags/congres/wall/moderation", {})
    assert "Hors sujet" in visitor.get("/tags/congres/wall").content.decode()
