"""Probes against servers this test runs on loopback: up, slow, 500, TLS-less, and a
redirect to a private address (refused unless the testing switch allows loopback)."""

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from babillard.core import http
from babillard.outages import queries, services, tasks
from babillard.outages.models import Platform, Probe, State


class Handler(BaseHTTPRequestHandler):
    hits: dict[str, int] = {}

    def do_GET(self) -> None:
        Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
        if self.path == "/slow":
            time.sleep(1.2)
        if self.path == "/broken":
            self.send_response(500)
        elif self.path in ("/moved", "/moved-away"):
            host = "127.0.0.1" if self.path == "/moved" else "127.0.0.2"
            self.send_response(302)
            self.send_header("Location", f"http://{host}:{self.server.server_port}/")
        else:
            self.send_response(200)
        body = b"<html><body>ok</body></html>"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.hits.clear()
    yield f"127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def loopback_allowed(settings: Any) -> None:
    settings.ALLOW_PRIVATE_ADDRESSES = True
    settings.INSECURE_FEDERATION = True
    settings.OUTAGES_SLOW_MS = 1000


def _platform(server: str, path: str) -> Platform:
    return services.create_platform(
        None, name=f"Test {path.strip('/') or 'home'}", url=f"http://{server}{path}"
    )


def test_up(db: Any, server: str, loopback_allowed: None) -> None:
    platform = _platform(server, "/")
    probe = services.probe(platform, platform.home_url)
    assert probe.ok and probe.status_code == 200
    assert probe.latency_ms is not None
    assert probe.tls_expires_at is None
    platform.refresh_from_db()
    assert platform.state == State.OPERATIONAL
    assert [d.checks for d in queries.uptime(platform)][-1] == 1


def test_slow(db: Any, server: str, loopback_allowed: None) -> None:
    platform = _platform(server, "/slow")
    probe = services.probe(platform, platform.home_url)
    assert probe.ok and probe.latency_ms is not None and probe.latency_ms >= 1200
    platform.refresh_from_db()
    assert platform.state == State.DEGRADED


def test_server_error(db: Any, server: str, loopback_allowed: None) -> None:
    platform = _platform(server, "/broken")
    probe = services.probe(platform, platform.home_url)
    assert not probe.ok and probe.status_code == 500 and probe.error == "HTTP 500"
    platform.refresh_from_db()
    assert platform.state == State.DEGRADED
    assert queries.uptime(platform)[-1].percent == 0


def test_tls_less(db: Any, server: str, settings: Any) -> None:
    """A server that speaks no TLS: an https address fails its handshake, and a plain
    http address is refused outside the one-machine set-up."""
    settings.ALLOW_PRIVATE_ADDRESSES = True
    platform = _platform(server, "/")
    handshake = services.probe(platform, f"https://{server}/")
    assert not handshake.ok and handshake.status_code is None and handshake.error
    plain = services.probe(platform, f"http://{server}/")
    assert not plain.ok and "plain http" in plain.error
    assert Handler.hits.get("/", 0) == 0


def test_redirect_to_a_private_address(
    db: Any, server: str, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The test server stands for a public platform (127.0.0.1 counts as public here)
    that redirects to 127.0.0.2, a loopback address: refused before any connection,
    unless the testing switch allows private addresses."""
    settings.INSECURE_FEDERATION = False
    settings.ALLOW_PRIVATE_ADDRESSES = False
    real_is_public = http._is_public
    monkeypatch.setattr(http, "_is_public", lambda a: a == "127.0.0.1" or real_is_public(a))
    monkeypatch.setattr(http, "plain_http_allowed", lambda: True)
    platform = services.create_platform(None, name="Moved", url=f"http://{server}/moved-away")
    refused = services.probe(platform, platform.home_url)
    assert not refused.ok and "non-public address" in refused.error
    assert Handler.hits == {"/moved-away": 1}
    settings.ALLOW_PRIVATE_ADDRESSES = True
    followed = services.probe(platform, f"http://{server}/moved")
    assert followed.ok and followed.status_code == 200
    assert Handler.hits == {"/moved-away": 1, "/moved": 1, "/": 1}


def test_the_task_probes_every_url(db: Any, server: str, loopback_allowed: None) -> None:
    platform = services.create_platform(
        None,
        name="Deux",
        url=f"http://{server}/",
        probe_urls=[f"http://{server}/", f"http://{server}/broken"],
    )
    tasks.probe_platforms.enqueue()
    found = {(p.url.rsplit("/", 1)[-1], p.ok) for p in Probe.objects.filter(platform=platform)}
    assert found == {("", True), ("broken", False)}
    status = queries.status(platform)
    assert sorted(p["ok"] for p in status["probes"]) == [False, True]
