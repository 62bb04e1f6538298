"""The frame of Babillard's own API: its OpenAPI document and Mastodon-shaped errors."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_openapi_document_is_served() -> None:
    response = Client().get("/api/babillard/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Babillard API"


@pytest.mark.django_db
def test_unknown_path_answers_json_404() -> None:
    response = Client().get("/api/babillard/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"error": "Record not found"}
    assert response["Access-Control-Allow-Origin"] == "*"
