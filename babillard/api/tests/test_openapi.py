"""The OpenAPI document against the running code, with schemathesis.

schemathesis reads ``/api/openapi.json`` from the application itself and
generates requests from each operation's documented path, query and body
parameters, sent with a valid token of a user who owns objects (the ids in
paths are those of real objects, so that requests reach the handlers). Every
answer must be JSON and never a server error, and every documented answer
must match its entity's schema. The number of examples is bounded so that the
whole run stays under a minute and a half on a small machine.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from babillard.accounts.models import Account
from babillard.api.api import api
from babillard.core.testing import image_bytes
from babillard.statuses import services as status_services
from babillard.timelines import services as timeline_services

pytestmark = pytest.mark.django_db

# Rounds: each sends one generated request to every operation (about 140).
EXAMPLES = 2
# Server-sent event streams never end: they are tested against a live server instead.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application()).exclude(
    path_regex=r"^/api/v1/streaming/(?!health)"
)


@pytest.fixture(autouse=True)
def connection_kept_open() -> Iterator[None]:
    """Requests go straight to the WSGI handler, which would close the test's connection
    (and so lose its transaction) at the end of each request: keep it, as Django's
    test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


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


OPERATIONS = sorted((found.ok() for found in schema.get_all_operations()), key=lambda o: o.label)


@given(data=st.data())
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_conforms_to_its_document(
    data: st.DataObject, owned: dict[str, str], as_alice: Any
) -> None:
    """Each example draws one request for every operation and sends them all."""
    failures = []
    for operation in OPERATIONS:
        case = data.draw(operation.as_strategy(), label=operation.label)
        for name in list(case.path_parameters or {}):
            if name in owned:
                case.path_parameters[name] = owned[name]
        cache.clear()  # the rate limit would otherwise answer 429 to the later requests
        try:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {as_alice.token}", "Accept-Language": "en"},
                checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
            )
        except Exception as failure:  # every failure of the round is reported together
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)


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
