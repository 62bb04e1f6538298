"""Mastodon.py, the real client library, against a real server started for these tests.

The checks are those operators run with ``tools/check-deployment``:
app registration, the three grants, posting with media and a poll, following,
timelines, notifications, lists, search, pagination, and the streams.
"""

import uuid
from collections.abc import Iterator

import pytest

from babillard.api.deployment_checks import Credentials, run_checks
from babillard.api.tests.live import LiveServer, live_server

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server() as running:
        yield running


def test_every_deployment_check_passes(server: LiveServer) -> None:
    suffix = uuid.uuid4().hex[:6]
    first = Credentials(server.make_user(f"alice_{suffix}", PASSWORD), PASSWORD)
    second = Credentials(server.make_user(f"bob_{suffix}", PASSWORD), PASSWORD)
    report = run_checks(server.url, first, second, log=lambda line: None)
    assert report.passed == [
        "app registration and server metadata",
        "password grant (username is the e-mail address)",
        "client_credentials grant",
        "authorization_code grant with PKCE S256",
        "instance",
        "following",
        "posting with media and a poll",
        "poll vote",
        "streaming of the user and hashtag streams",
        "home, local, public and hashtag timelines",
        "favourite, bookmark, reblog",
        "notifications with types[]",
        "lists",
        "search",
        "filters v2 (warn and hide)",
        "pagination with fetch_next and fetch_previous",
        "endorsements, notes, featured hashtags, conversation mute, trends, suggestions",
        "streaming over WebSocket",
    ]


def test_the_operator_script_runs_the_same_checks(server: LiveServer) -> None:
    import subprocess
    import sys

    from babillard.api.tests.live import ROOT

    suffix = uuid.uuid4().hex[:6]
    first = server.make_user(f"carol_{suffix}", PASSWORD)
    second = server.make_user(f"dave_{suffix}", PASSWORD)
    script = ROOT / "tools" / "check-deployment"
    done = subprocess.run(
        [sys.executable, str(script), server.url, "--second", f"{second}:{PASSWORD}"],
        capture_output=True,
        text=True,
        timeout=300,
        env={"BABILLARD_CHECK_FIRST": f"{first}:{PASSWORD}", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("18 checks passed")
    refused = subprocess.run(
        [
            sys.executable,
            str(script),
            server.url,
            "--first",
            f"{first}:wrong",
            "--second",
            f"{second}:{PASSWORD}",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert refused.returncode == 1
    assert refused.stderr.startswith("FAILED")
