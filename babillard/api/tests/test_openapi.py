"""The OpenAPI document, checked against the running code with generated requests.

Hypothesis draws an operation of ``/api/openapi.json`` and Mastodon-style
parameters (ids, limits, ``"1"``/``"0"``, arrays, nonsense); every answer must be
JSON, never a server error, and an error must be ``{"error": "..."}``. The
answers of successful requests are checked against their entity by
django-ninja itself (an answer that contradicted its schema would be a 500).
"""

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from babillard.accounts.models import Account
from babillard.api.api import api
from babillard.api.tests.conftest import ApiClient
from babillard.statuses import services as status_services

pytestmark = pytest.mark.django_db

NAMES = [
    "max_id",
    "since_id",
    "min_id",
    "limit",
    "offset",
    "local",
    "remote",
    "only_media",
    "pinned",
    "exclude_replies",
    "tagged",
    "q",
    "type",
    "resolve",
    "following",
    "acct",
    "status",
    "visibility",
    "spoiler_text",
    "sensitive",
    "in_reply_to_id",
    "media_ids",
    "title",
    "replies_policy",
    "account_ids",
    "types",
    "exclude_types",
    "choices",
    "description",
    "timeline",
    "id",
    "context",
    "filter_action",
    "keyword",
    "reblogs",
    "notify",
    "duration",
    "scheduled_at",
    "poll",
    "comment",
    "account_id",
    "status_ids",
]
scalars = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", "1", "0", "true", "false", "home", "public", "warn", "#tag", "😀"]),
    st.text(max_size=20),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3))


def operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/")
    found = []
    for path, methods in schema["paths"].items():
        if "/streaming/" in path and not path.endswith("/health"):
            continue
        for method in methods:
            found.append((method, path))
    return sorted(found)


@pytest.fixture
def world(alice: Account, bob: Account) -> dict[str, str]:
    posted = status_services.post_status(
        alice,
        "Un sondage #biblio",
        poll=status_services.PollSpec(options=["Oui", "Non"], expires_in=3600),
    )
    return {"account": str(bob.pk), "status": str(posted.pk), "poll": str(posted.poll.pk)}


def _query(params: dict[str, Any]) -> str:
    parts = []
    for key, value in params.items():
        if isinstance(value, list):
            parts += [(f"{key}[]", v) for v in value]
        else:
            parts.append((key, value))
    from urllib.parse import urlencode

    return urlencode(parts)


@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    operation=st.sampled_from(operations()),
    params=st.dictionaries(st.sampled_from(NAMES), values, max_size=4),
    path_value=st.one_of(st.sampled_from(["account", "status", "poll"]), scalars),
    as_json=st.booleans(),
)
def test_generated_requests_never_break_the_server(
    as_alice: ApiClient,
    world: dict[str, str],
    operation: tuple[str, str],
    params: dict[str, Any],
    path_value: str,
    as_json: bool,
) -> None:
    method, path = operation
    value = world.get(path_value, path_value)
    url = re.sub(r"\{\w+\}", lambda _m: value.replace("/", "") or "0", path)
    client = as_alice
    if method in ("get", "delete"):
        response = getattr(client.client, method)(
            f"{url}?{_query(params)}", headers=client._headers()
        )
    elif as_json:
        response = getattr(client.client, method)(
            url, json.dumps(params), content_type="application/json", headers=client._headers()
        )
    else:
        response = getattr(client.client, method)(
            url,
            _query(params),
            content_type="application/x-www-form-urlencoded",
            headers=client._headers(),
        )
    assert response.status_code < 500, (method, url, params, response.content[:300])
    if path.endswith("/health"):
        return
    assert response["Content-Type"].startswith("application/json"), (method, url)
    body = json.loads(response.content)
    if response.status_code >= 400:
        assert isinstance(body.get("error"), str), (method, url, body)


def test_the_document_describes_the_entities() -> None:
    document = api.get_openapi_schema(path_prefix="/api/")
    components = document["components"]["schemas"]
    for name in ("Status", "Account", "Notification", "MediaAttachment", "Poll", "Filter"):
        assert name in components
    responses = document["paths"]["/api/v1/timelines/home"]["get"]["responses"]
    home = responses.get(200) or responses["200"]
    assert home["content"]["application/json"]["schema"]["items"]["$ref"].endswith("/Status")
