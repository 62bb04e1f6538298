"""The OpenAPI document against the running code, with schemathesis.

schemathesis reads ``/api/openapi.json`` from the application itself and
generates requests from each operation's documented path, query and body
parameters, sent with a valid token of a user who owns objects (the ids in
paths are those of real objects, so that requests reach the handlers). Every
answer must be JSON and never a server error, and every documented answer
must match its entity's schema. The number of examples is bounded so that the
whole run stays under a minute and a half on a small machine.
"""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from babillard.accounts.models import Account
from babillard.api.api import api
from babillard.api.tests.openapi import operations_of, rounds, send_round
from babillard.core.testing import image_bytes
from babillard.statuses import services as status_services
from babillard.timelines import services as timeline_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("connection_kept_open")]

# Rounds: each sends one generated request to every operation (about 140).
EXAMPLES = 2
# Server-sent event streams never end: they are tested against a live server instead.
OPERATIONS = operations_of("/api/openapi.json", exclude_paths=r"^/api/v1/streaming/(?!health)")


@pytest.fixture
def owned(alice: Account, bob: Account) -> dict[str, str]:
    """Ids of real objects of alice's, by the names the document gives path parameters."""
    posted = status_services.post_status(
        alice,
        "Un sondage #biblio",
        poll=status_services.PollSpec(options=["Oui", "Non"], expires_in=3600),
    )
    media = status_services.upload_media(alice, image_bytes())
    own_list = timeline_services.create_list(alice, "Lectures")
    own_filter = timeline_services.create_filter(alice, "Mots", ["home"], keywords=[("fin", True)])
    status_services.favourite(bob, posted)
    return {
        "account_id": str(bob.pk),
        "status_id": str(posted.pk),
        "poll_id": str(posted.poll.pk),
        "media_id": str(media.pk),
        "list_id": str(own_list.pk),
        "filter_id": str(own_filter.pk),
        "keyword_id": str(own_filter.keywords.get().pk),
        "name": "biblio",
        "hashtag": "biblio",
    }


@given(data=st.data())
@rounds(EXAMPLES)
def test_the_api_conforms_to_its_document(
    data: st.DataObject, owned: dict[str, str], as_alice: Any
) -> None:
    """Each example draws one request for every operation and sends them all."""
    send_round(data, OPERATIONS, as_alice.token, lambda _path: owned)


def test_the_document_describes_the_entities_and_the_parameters() -> None:
    document = api.get_openapi_schema(path_prefix="/api/")
    components = document["components"]["schemas"]
    for name in ("Status", "Account", "Notification", "MediaAttachment", "Poll", "Filter"):
        assert name in components
    home = document["paths"]["/api/v1/timelines/home"]["get"]
    answer = home["responses"].get(200) or home["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["items"]["$ref"].endswith("/Status")
    assert {"max_id", "since_id", "min_id", "limit"} <= {p["name"] for p in home["parameters"]}
    posting = document["paths"]["/api/v1/statuses"]["post"]["requestBody"]["content"]
    assert "status" in posting["application/json"]["schema"]["properties"]
