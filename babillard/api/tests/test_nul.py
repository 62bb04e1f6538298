"""NUL characters are refused with a 400 before any view (``core.nul``), on both APIs
and the pages."""

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from babillard.accounts.models import Account
from babillard.api.tests.conftest import ApiClient
from babillard.books.models import Bibliography
from babillard.core.testing import PASSWORD, image_bytes
from babillard.statuses.models import Status

pytestmark = pytest.mark.django_db

REFUSAL = "The request holds a NUL character (U+0000), which no text may contain."


def refused_as_json(response: Any) -> bool:
    return response.status_code == 400 and response.json() == {"error": REFUSAL}


def test_the_mastodon_api_refuses_nul_in_json_form_and_query(as_alice: ApiClient) -> None:
    assert refused_as_json(as_alice.post("/api/v1/statuses", {"status": "a\x00b"}))
    assert refused_as_json(as_alice.post("/api/v1/statuses", {"status": "a\x00b"}, form=True))
    assert refused_as_json(as_alice.post("/api/v1/statuses", {"poll": {"options": ["\x00"]}}))
    assert refused_as_json(as_alice.patch("/api/v1/accounts/update_credentials", {"note\x00": 1}))
    assert refused_as_json(as_alice.get("/api/v2/search", {"q": "\x00"}))
    assert refused_as_json(as_alice.get("/api/v1/statuses/%00"))
    assert refused_as_json(as_alice.get("/api/v1/timelines/home", HTTP_IDEMPOTENCY_KEY="a\x00"))
    assert not Status.objects.exists()


def test_babillard_api_refuses_nul_in_put_and_patch_forms_too(as_alice: ApiClient) -> None:
    created = as_alice.post("/api/babillard/v1/bibliographies", {"title": "Polars"})
    assert created.status_code == 200, created.content
    path = f"/api/babillard/v1/bibliographies/{created.json()['id']}"
    form = as_alice.client.patch(
        path,
        "title=Po%00lars",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": f"Bearer {as_alice.token}", "Accept-Language": "en"},
    )
    assert refused_as_json(form)
    assert refused_as_json(as_alice.post("/api/babillard/v1/bibliographies", {"title": "\x00"}))
    assert [b.title for b in Bibliography.objects.all()] == ["Polars"]


def test_text_that_only_looks_like_nul_and_binary_uploads_pass(as_alice: ApiClient) -> None:
    posted = as_alice.post("/api/v1/statuses", {"status": "Write \\u0000 or %00 in C"})
    assert posted.status_code == 200, posted.content
    assert Status.objects.get().text == "Write \\u0000 or %00 in C"
    upload = image_bytes().getvalue()
    assert b"\x00" in upload
    image = SimpleUploadedFile("photo.png", upload, content_type="image/png")
    uploaded = as_alice.client.post(
        "/api/v2/media",
        {"file": image, "description": "Une salle"},
        headers={"Authorization": f"Bearer {as_alice.token}"},
    )
    assert uploaded.status_code in (200, 202), uploaded.content


def test_pages_refuse_nul_with_the_error_page(alice: Account) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    assert client.login(username=alice.username, password=PASSWORD)
    composed = client.post("/compose", {"text": "Bonjour\x00", "visibility": "public"})
    assert composed.status_code == 400
    assert "caractère NUL (U+0000)" in composed.content.decode()
    assert not Status.objects.exists()
    searched = client.get("/search", {"q": "a\x00b"})
    assert searched.status_code == 400 and "<h1>" in searched.content.decode()
