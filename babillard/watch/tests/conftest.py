"""A feed server on loopback for the tests of outside feeds: it answers ETag and
Last-Modified conditional requests with 304, and counts what it was asked."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from babillard.api.tests.conftest import app, token_for  # noqa: F401  (shared fixtures)

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Veille BIB</title><link>https://veille.example/</link><language>fr</language>
<description>Des nouvelles des bibliothèques</description>
{items}
</channel></rss>"""
RSS_ITEM = """<item><title>{title}</title><link>https://veille.example/{guid}</link>
<guid>https://veille.example/{guid}</guid><description>{summary}</description>
<pubDate>Mon, 23 Nov 2026 08:00:00 GMT</pubDate></item>"""


def rss(*entries: tuple[str, str, str]) -> bytes:
    items = "".join(RSS_ITEM.format(guid=g, title=t, summary=s) for g, t, s in entries)
    return RSS.format(items=items).encode()


@dataclass
class FeedServer:
    base: str
    documents: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def serve(self, path: str, body: bytes, content_type: str = "application/rss+xml") -> str:
        self.documents[path] = (body, content_type)
        return self.base + path

    def answers(self, path: str) -> list[int]:
        return [r["status"] for r in self.requests if r["path"] == path]


@pytest.fixture
def feed_server(settings: Any) -> Iterator[FeedServer]:
    settings.ALLOW_PRIVATE_ADDRESSES = True
    settings.INSECURE_FEDERATION = True

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            found = server_state.documents.get(self.path)
            etag = f'"v{hash(found[0]) & 0xFFFF}"' if found else ""
            if found is None:
                status = 404
            elif self.headers.get("If-None-Match") == etag:
                status = 304
            else:
                status = 200
            # Counted before answering, so that a test reading the count right after its
            # request sees it.
            server_state.requests.append(
                {
                    "path": self.path,
                    "status": status,
                    "if_none_match": self.headers.get("If-None-Match"),
                    "if_modified_since": self.headers.get("If-Modified-Since"),
                }
            )
            self.send_response(status)
            if found is not None:
                self.send_header("ETag", etag)
            if status == 200:
                body, content_type = found
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Last-Modified", "Mon, 23 Nov 2026 08:00:00 GMT")
            self.end_headers()
            if status == 200:
                self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state = FeedServer(base=f"http://127.0.0.1:{httpd.server_address[1]}")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()
