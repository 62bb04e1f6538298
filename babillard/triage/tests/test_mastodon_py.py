"""Notification policies and requests through Mastodon.py, the real client library, against
a real server started for this module."""

import uuid
from collections.abc import Iterator

import pytest
from mastodon import Mastodon

from babillard.api.tests.live import LiveServer, live_server

PASSWORD = "correct-horse-battery-staple"
SCOPES = ["read", "write", "follow"]


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server() as running:
        yield running


def _client(server: LiveServer, username: str) -> Mastodon:
    email = server.make_user(username, PASSWORD)
    client_id, client_secret = Mastodon.create_app(
        "Triage test", scopes=SCOPES, api_base_url=server.url
    )
    api = Mastodon(
        client_id=client_id,
        client_secret=client_secret,
        api_base_url=server.url,
        version_check_mode="created",
    )
    api.log_in(username=email, password=PASSWORD, scopes=SCOPES, allow_http=True)
    return api


def test_policy_filters_a_stranger_and_accepting_lets_them_through(server: LiveServer) -> None:
    suffix = uuid.uuid4().hex[:6]
    reader = _client(server, f"reader_{suffix}")
    stranger = _client(server, f"stranger_{suffix}")
    friend = _client(server, f"friend_{suffix}")
    reader.account_follow(friend.me())

    policy = reader.notifications_policy()
    assert (policy.for_private_mentions, policy.for_not_following) == ("accept", "accept")
    updated = reader.update_notifications_policy(for_not_following="filter")
    assert updated.for_not_following == "filter"

    stranger.status_post(f"@reader_{suffix} bonjour, lisez mon livre")
    friend.status_post(f"@reader_{suffix} à demain")
    shown = reader.notifications(types=["mention"])
    assert [n.account.username for n in shown] == [f"friend_{suffix}"]

    [request] = reader.notification_requests()
    assert request.account.username == f"stranger_{suffix}"
    assert request.notifications_count == "1"
    assert "lisez mon livre" in request.last_status.content
    assert reader.notifications_policy().summary.pending_requests_count == 1

    reader.accept_notification_request(request)
    assert reader.notifications_merged() is True
    shown = reader.notifications(types=["mention"])
    assert sorted(n.account.username for n in shown) == [f"friend_{suffix}", f"stranger_{suffix}"]
    assert reader.notification_requests() == []

    other = _client(server, f"other_{suffix}")
    other.status_post(f"@reader_{suffix} publicité")
    [pending] = reader.notification_requests()
    reader.dismiss_notification_request(pending)
    assert reader.notification_requests() == []
    mentions = reader.notifications(types=["mention"])
    assert f"other_{suffix}" not in {n.account.username for n in mentions}
