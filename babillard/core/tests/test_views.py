import pytest


@pytest.mark.django_db
def test_health_answers_ok_through_the_whole_stack(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    # The security middleware ran: the answer carries the stack's headers.
    assert response["X-Content-Type-Options"] == "nosniff"
