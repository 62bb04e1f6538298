"""Pleroma's reaction paths and the ``emoji_reactions`` field, as Phanpy, Elk and Akkoma's
own front end read them; and the ``reaction`` notification."""

import pytest

from babillard.api.tests.conftest import ApiClient
from babillard.core.testing import make_account
from babillard.statuses.services import post_status

pytestmark = pytest.mark.django_db
PATH = "/api/v1/pleroma/statuses/{}/reactions"


@pytest.fixture
def people(token_for):
    alice, bruno = make_account("alice"), make_account("bruno")
    return {
        "alice": (alice, ApiClient(token_for(alice))),
        "bruno": (bruno, ApiClient(token_for(bruno))),
        "reader": (bruno, ApiClient(token_for(bruno, "read"))),
        "anonymous": (None, ApiClient()),
    }


def test_put_get_delete(people):
    alice, alice_api = people["alice"]
    _bruno, bruno_api = people["bruno"]
    status = post_status(alice, "Prix des lecteurs")
    answer = bruno_api.put(PATH.format(status.pk) + "/👍")
    assert answer.status_code == 200, answer.content
    entity = answer.json()
    expected = [{"name": "👍", "count": 1, "me": True, "url": None}]
    assert entity["emoji_reactions"] == expected
    assert entity["pleroma"]["emoji_reactions"] == expected
    listed = alice_api.get(PATH.format(status.pk)).json()
    assert [(r["name"], r["count"], r["me"]) for r in listed] == [("👍", 1, False)]
    assert [a["username"] for a in listed[0]["accounts"]] == ["bruno"]
    assert alice_api.get(PATH.format(status.pk) + "/🎉").json() == []
    assert len(alice_api.get(PATH.format(status.pk) + "/👍").json()) == 1
    seen = alice_api.get(f"/api/v1/statuses/{status.pk}").json()
    assert seen["emoji_reactions"] == [{"name": "👍", "count": 1, "me": False, "url": None}]
    [notification] = alice_api.get("/api/v1/notifications").json()
    assert notification["type"] == "reaction" and notification["emoji"] == "👍"
    assert notification["account"]["username"] == "bruno"
    assert notification["status"]["id"] == str(status.pk)
    gone = bruno_api.delete(PATH.format(status.pk) + "/👍")
    assert gone.status_code == 200 and gone.json()["emoji_reactions"] == []


def test_errors(people):
    alice, _alice_api = people["alice"]
    _bruno, bruno_api = people["bruno"]
    status = post_status(alice, "Nocturne")
    refused = bruno_api.put(PATH.format(status.pk) + "/bravo")
    assert refused.status_code == 422 and "single emoji" in refused.json()["error"]
    assert people["reader"][1].put(PATH.format(status.pk) + "/👍").status_code == 403
    assert people["anonymous"][1].put(PATH.format(status.pk) + "/👍").status_code == 401
    hidden = post_status(alice, "Abonnés", visibility="private")
    assert bruno_api.put(PATH.format(hidden.pk) + "/👍").status_code == 404
    assert people["anonymous"][1].get(PATH.format(hidden.pk)).status_code == 404
    assert people["anonymous"][1].get(PATH.format(status.pk)).json() == []
