"""Every endpoint refuses a missing token, a token without the needed scope,
and another user's private objects; the list of endpoints comes from the
OpenAPI document, so a new endpoint is checked without editing this file."""

import re
from typing import Any

import pytest
from django.utils import timezone

from babillard.accounts.models import Account
from babillard.api.api import api
from babillard.api.tests.conftest import ApiClient
from babillard.core.testing import image_bytes
from babillard.statuses import services as status_services
from babillard.timelines import services as timeline_services

pytestmark = pytest.mark.django_db

# Answer without any token: they describe the server or are public reads.
OPEN = {
    ("post", "/api/v1/apps"),
    ("get", "/api/v1/instance"),
    ("get", "/api/v2/instance"),
    ("get", "/api/v1/instance/peers"),
    ("get", "/api/v1/instance/activity"),
    ("get", "/api/v1/instance/rules"),
    ("get", "/api/v1/custom_emojis"),
    ("get", "/api/v1/streaming/health"),
    ("get", "/api/v1/trends/tags"),
    ("get", "/api/v1/trends/statuses"),
    ("get", "/api/v1/trends/links"),
    ("get", "/api/v1/trends"),
    ("get", "/api/v1/announcements"),
}
# Public reads: no token is fine, but a user token must carry the read scope.
PUBLIC_READS = {
    ("get", "/api/v1/accounts/lookup"),
    ("get", "/api/v1/accounts/{account_id}"),
    ("get", "/api/v1/accounts/{account_id}/statuses"),
    ("get", "/api/v1/accounts/{account_id}/followers"),
    ("get", "/api/v1/accounts/{account_id}/following"),
    ("get", "/api/v1/accounts/{account_id}/featured_tags"),
    ("get", "/api/v1/statuses"),
    ("get", "/api/v1/statuses/{status_id}"),
    ("get", "/api/v1/statuses/{status_id}/context"),
    ("get", "/api/v1/statuses/{status_id}/history"),
    ("get", "/api/v1/statuses/{status_id}/favourited_by"),
    ("get", "/api/v1/statuses/{status_id}/reblogged_by"),
    ("get", "/api/v1/pleroma/statuses/{status_id}/reactions"),
    ("get", "/api/v1/pleroma/statuses/{status_id}/reactions/{emoji}"),
    ("get", "/api/v1/polls/{poll_id}"),
    ("get", "/api/v1/timelines/public"),
    ("get", "/api/v1/timelines/tag/{hashtag}"),
    ("get", "/api/v1/timelines/link"),
    ("get", "/api/v2/search"),
    ("get", "/api/v1/tags/{name}"),
    ("get", "/api/v1/streaming/public"),
    ("get", "/api/v1/streaming/public/local"),
    ("get", "/api/v1/streaming/public/remote"),
    ("get", "/api/v1/streaming/hashtag"),
    ("get", "/api/v1/streaming/hashtag/local"),
}


def endpoints() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/")
    found = []
    for path, operations in schema["paths"].items():
        for method in operations:
            found.append((method, path))
    return sorted(found)


@pytest.fixture
def objects(alice: Account, bob: Account) -> dict[str, Any]:
    poll = status_services.PollSpec(options=["Oui", "Non"], expires_in=3600)
    posted = status_services.post_status(alice, "Bonjour #biblio", poll=poll)
    media = status_services.upload_media(alice, image_bytes())
    scheduled = status_services.post_status(
        alice, "Plus tard", scheduled_at=timezone.now() + timezone.timedelta(hours=2)
    )
    own_list = timeline_services.create_list(alice, "Lectures")
    own_filter = timeline_services.create_filter(alice, "Mots", ["home"], keywords=[("fin", True)])
    filtered = timeline_services.add_filter_status(alice, own_filter, posted)
    featured = status_services.feature_tag(alice, "biblio")
    return {
        "featured_id": featured.pk,
        "filter_id": own_filter.pk,
        "keyword_id": own_filter.keywords.get().pk,
        "item_id": filtered.pk,
        "account_id": bob.pk,
        "status_id": posted.pk,
        "poll_id": posted.poll.pk,
        "media_id": media.pk,
        "scheduled_id": scheduled.pk,
        "list_id": own_list.pk,
        "notification_id": 1,
        "group_key": "ungrouped-1",
        "conversation_id": 1,
        "name": "biblio",
        "hashtag": "biblio",
        "emoji": "%F0%9F%91%8D",
        "quoting_status_id": posted.pk,
        "request_id": 1,
    }


def _call(client: ApiClient, method: str, path: str, values: dict[str, Any]) -> Any:
    url = re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
    if "streaming/hashtag" in url:
        url += "?tag=biblio"
    if "streaming/list" in url:
        url += f"?list={values['list_id']}"
    return getattr(client, method)(url)


def test_the_document_lists_the_endpoints() -> None:
    listed = endpoints()
    assert ("post", "/api/v1/statuses") in listed
    assert ("get", "/api/v1/timelines/home") in listed
    assert len(listed) > 100


def test_every_endpoint_refuses_a_missing_token(objects: dict[str, Any]) -> None:
    anonymous = ApiClient()
    for method, path in endpoints():
        if (method, path) in OPEN or (method, path) in PUBLIC_READS:
            continue
        response = _call(anonymous, method, path, objects)
        assert response.status_code == 401, (method, path, response.content)
        assert response.json() == {"error": "The access token is invalid"}


def test_every_endpoint_refuses_an_unknown_token(objects: dict[str, Any]) -> None:
    forged = ApiClient("not-a-token")
    for method, path in endpoints():
        if (method, path) in OPEN:
            continue
        response = _call(forged, method, path, objects)
        assert response.status_code == 401, (method, path, response.content)


def test_every_endpoint_refuses_a_token_without_its_scope(
    objects: dict[str, Any], alice: Account, token_for: Any
) -> None:
    push_only = ApiClient(token_for(alice, "push"))
    for method, path in endpoints():
        # Any token may describe its own application, as in Mastodon.
        if (method, path) in OPEN or path == "/api/v1/apps/verify_credentials":
            continue
        response = _call(push_only, method, path, objects)
        assert response.status_code == 403, (method, path, response.content)
        assert response.json() == {"error": "This action is outside the authorized scopes"}


def test_a_granular_scope_is_enough_and_its_parent_too(alice: Account, token_for: Any) -> None:
    granular = ApiClient(token_for(alice, "read:statuses"))
    assert granular.get("/api/v1/timelines/home").status_code == 200
    assert granular.get("/api/v1/notifications").status_code == 403
    parent = ApiClient(token_for(alice, "read"))
    assert parent.get("/api/v1/notifications").status_code == 200
    follow = ApiClient(token_for(alice, "follow"))
    assert follow.get("/api/v1/blocks").status_code == 200
    assert follow.get("/api/v1/timelines/home").status_code == 403


def test_an_application_token_cannot_act_as_a_user(app: Any) -> None:
    from babillard.api import oauth

    issued = oauth.issue_token(None, app.application, ["read"])
    client = ApiClient(issued.raw)  # type: ignore[attr-defined]
    response = client.get("/api/v1/accounts/verify_credentials")
    assert response.status_code == 422
    assert response.json() == {"error": "This method requires an authenticated user"}
    assert client.get("/api/v1/apps/verify_credentials").status_code == 200


def test_other_users_private_objects_are_not_found(
    alice: Account, bob: Account, as_bob: ApiClient, as_alice: ApiClient
) -> None:
    private = status_services.post_status(alice, "Entre nous", visibility="private")
    from babillard.core.testing import make_account

    make_account("carol")
    direct = status_services.post_status(alice, "@carol à toi seule", visibility="direct")
    poll = status_services.post_status(
        alice,
        "Secret",
        visibility="private",
        poll=status_services.PollSpec(options=["a", "b"], expires_in=3600),
    )
    media = status_services.upload_media(alice, image_bytes())
    scheduled = status_services.post_status(
        alice, "Plus tard", scheduled_at=timezone.now() + timezone.timedelta(hours=2)
    )
    own_list = timeline_services.create_list(alice, "Lectures")
    own_filter = timeline_services.create_filter(alice, "Mots", ["home"], keywords=[("fin", True)])
    keyword = own_filter.keywords.get()
    public = status_services.post_status(alice, "Pour tous")
    filtered = timeline_services.add_filter_status(alice, own_filter, public)
    status_services.favourite(bob, public)
    notification_id = as_alice.get("/api/v1/notifications").json()[0]["id"]
    featured = status_services.feature_tag(alice, "biblio")

    sid = private.pk
    for method, path in [
        ("get", f"/api/v1/statuses/{sid}"),
        ("get", f"/api/v1/statuses/{sid}/context"),
        ("get", f"/api/v1/statuses/{sid}/history"),
        ("get", f"/api/v1/statuses/{sid}/favourited_by"),
        ("get", f"/api/v1/statuses/{sid}/reblogged_by"),
        ("get", f"/api/v1/statuses/{sid}/source"),
        ("post", f"/api/v1/statuses/{sid}/favourite"),
        ("post", f"/api/v1/statuses/{sid}/reblog"),
        ("post", f"/api/v1/statuses/{sid}/bookmark"),
        ("post", f"/api/v1/statuses/{sid}/pin"),
        ("post", f"/api/v1/statuses/{sid}/mute"),
        ("delete", f"/api/v1/statuses/{sid}"),
        ("put", f"/api/v1/statuses/{sid}"),
        ("get", f"/api/v1/polls/{poll.poll.pk}"),
        ("post", f"/api/v1/polls/{poll.poll.pk}/votes"),
        ("get", f"/api/v1/media/{media.pk}"),
        ("put", f"/api/v1/media/{media.pk}"),
        ("get", f"/api/v1/scheduled_statuses/{scheduled.pk}"),
        ("put", f"/api/v1/scheduled_statuses/{scheduled.pk}"),
        ("delete", f"/api/v1/scheduled_statuses/{scheduled.pk}"),
        ("get", f"/api/v1/lists/{own_list.pk}"),
        ("put", f"/api/v1/lists/{own_list.pk}"),
        ("delete", f"/api/v1/lists/{own_list.pk}"),
        ("get", f"/api/v1/lists/{own_list.pk}/accounts"),
        ("get", f"/api/v1/timelines/list/{own_list.pk}"),
        ("get", f"/api/v1/notifications/{notification_id}"),
        ("get", f"/api/v2/notifications/ungrouped-{notification_id}"),
        ("get", f"/api/v2/notifications/ungrouped-{notification_id}/accounts"),
        ("post", f"/api/v2/notifications/ungrouped-{notification_id}/dismiss"),
        ("post", f"/api/v1/conversations/{direct.pk}/read"),
        ("delete", f"/api/v1/conversations/{direct.pk}"),
        ("delete", f"/api/v1/featured_tags/{featured.pk}"),
        ("get", f"/api/v2/filters/{own_filter.pk}"),
        ("put", f"/api/v2/filters/{own_filter.pk}"),
        ("delete", f"/api/v2/filters/{own_filter.pk}"),
        ("get", f"/api/v2/filters/{own_filter.pk}/keywords"),
        ("post", f"/api/v2/filters/{own_filter.pk}/keywords"),
        ("get", f"/api/v2/filters/keywords/{keyword.pk}"),
        ("put", f"/api/v2/filters/keywords/{keyword.pk}"),
        ("delete", f"/api/v2/filters/keywords/{keyword.pk}"),
        ("get", f"/api/v2/filters/{own_filter.pk}/statuses"),
        ("get", f"/api/v2/filters/statuses/{filtered.pk}"),
        ("delete", f"/api/v2/filters/statuses/{filtered.pk}"),
    ]:
        response = getattr(as_bob, method)(path)
        assert response.status_code == 404, (method, path, response.content)
        assert response.json() == {"error": "Record not found"}
    # Dismissing someone else's notification answers like Mastodon but changes nothing.
    as_bob.post(f"/api/v1/notifications/{notification_id}/dismiss")
    assert as_alice.get(f"/api/v1/notifications/{notification_id}").status_code == 200
    # Public posts stay readable, but never editable by another account.
    assert as_bob.get(f"/api/v1/statuses/{public.pk}").status_code == 200
    assert as_bob.delete(f"/api/v1/statuses/{public.pk}").status_code == 404
    assert as_bob.get(f"/api/v1/statuses/{public.pk}/source").status_code == 404
