"""The one function through which the server makes outgoing HTTP requests.

Every fetch of a remote actor or object and every delivery to an inbox goes
through ``request``: it has timeouts, a cap on the response size, a small
number of redirects (each hop checked again), and it refuses addresses that
point inside the operator's network (private, loopback, link-local, reserved)
so that a remote document cannot make the server probe its own LAN (SSRF).
Tests and the one-machine set-up lift that rule with
``BABILLARD_ALLOW_PRIVATE_ADDRESSES`` or ``BABILLARD_INSECURE_FEDERATION``.

Known limit: the address is checked before httpx resolves the name again, so a
DNS answer that changes between the two look-ups could slip through. Operators
who need more put an egress proxy in front of the server.
"""

import functools
import ipaddress
import json
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 1024 * 1024
DEFAULT_MAX_REDIRECTS = 3
USER_AGENT = "Babillard/0.1 (+https://babillard.example/federation)"

# Called for each hop with (method, url, headers, body); returns the headers to send.
Signer = Callable[[str, str, dict[str, str], bytes], dict[str, str]]


class HttpError(Exception):
    """Any failure of an outgoing request: refused address, network, size, status."""


class RefusedAddress(HttpError):
    pass


@dataclass
class Response:
    status_code: int
    url: str
    content: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    # When the server's TLS certificate expires (None over plain http).
    tls_expires_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    def json(self) -> Any:
        return json.loads(self.content)


def private_addresses_allowed() -> bool:
    return bool(settings.ALLOW_PRIVATE_ADDRESSES or getattr(settings, "INSECURE_FEDERATION", False))


def plain_http_allowed() -> bool:
    return bool(getattr(settings, "INSECURE_FEDERATION", False))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> None:
    """Refuse a URL the server must not contact; raises ``RefusedAddress``."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise RefusedAddress(f"not an http(s) URL: {url!r}")
    if parts.scheme == "http" and not plain_http_allowed():
        raise RefusedAddress(f"plain http refused: {url!r}")
    if private_addresses_allowed():
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise HttpError(f"cannot resolve {parts.hostname}: {error}") from None
    for info in infos:
        if not _is_public(str(info[4][0])):
            raise RefusedAddress(f"{parts.hostname} resolves to a non-public address")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context per process: loading the CA bundle costs more than a delivery."""
    return httpx.create_ssl_context(trust_env=False)


def _certificate_expiry(answer: httpx.Response) -> datetime | None:
    stream = answer.extensions.get("network_stream")
    tls = stream.get_extra_info("ssl_object") if stream is not None else None
    certificate = tls.getpeercert() if tls is not None else None
    if not certificate or "notAfter" not in certificate:
        return None
    seconds = ssl.cert_time_to_seconds(str(certificate["notAfter"]))
    return datetime.fromtimestamp(seconds, tz=UTC)


def request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    sign: Signer | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
) -> Response:
    """Send one request, following at most ``max_redirects`` redirects for GET.

    ``sign`` is called for every hop, so each request carries a signature of its
    own target. Raises ``HttpError`` for refused addresses, network failures and
    responses larger than ``max_bytes``; HTTP error statuses are returned.
    """
    method = method.upper()
    current = url
    for _hop in range(max_redirects + 1):
        check_url(current)
        sent = {"User-Agent": USER_AGENT, **(headers or {})}
        if sign is not None:
            sent.update(sign(method, current, dict(sent), body))
        try:
            with (
                httpx.Client(
                    timeout=timeout,
                    follow_redirects=False,
                    trust_env=False,
                    verify=_tls_context(),
                ) as client,
                client.stream(method, current, headers=sent, content=body or None) as answer,
            ):
                if answer.is_redirect and method in ("GET", "HEAD"):
                    location = answer.headers.get("location", "")
                    if not location:
                        raise HttpError("redirect without a location")
                    current = urljoin(current, location)
                    continue
                declared = answer.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise HttpError(f"response larger than {max_bytes} bytes")
                chunks: list[bytes] = []
                size = 0
                for chunk in answer.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise HttpError(f"response larger than {max_bytes} bytes")
                    chunks.append(chunk)
                return Response(
                    status_code=answer.status_code,
                    url=current,
                    content=b"".join(chunks),
                    headers=dict(answer.headers),
                    tls_expires_at=_certificate_expiry(answer),
                )
        except httpx.HTTPError as error:
            raise HttpError(f"{method} {current}: {error}") from None
    raise HttpError(f"too many redirects from {url}")
