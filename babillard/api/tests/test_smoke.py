import pytest

pytestmark = pytest.mark.django_db


def test_smoke(as_alice, as_bob, anonymous, bob):
    r = anonymous.get("/api/v1/instance")
    assert r.status_code == 200, r.content
    assert r.json()["version"].startswith("4.3.0 ")
    r = anonymous.get("/api/v2/instance/")
    assert r.status_code == 200, r.content
    r = as_alice.get("/api/v1/accounts/verify_credentials")
    assert r.status_code == 200, r.content
    r = as_alice.post("/api/v1/statuses", {"status": "Bonjour #biblio"})
    assert r.status_code == 200, r.content
    r = as_alice.post(f"/api/v1/accounts/{bob.pk}/follow")
    assert r.status_code == 200, r.content
    assert r.json()["following"] is True
    r = as_bob.post("/api/v1/statuses", {"status": "Salut"})
    r = as_alice.get("/api/v1/timelines/home")
    assert r.status_code == 200, r.content
    print(r.headers["Link"], len(r.json()))
    r = anonymous.get("/api/v1/nothing")
    assert r.status_code == 404 and r.json() == {"error": "Record not found"}
    r = anonymous.get("/api/openapi.json")
    assert r.status_code == 200, r.content[:500]
