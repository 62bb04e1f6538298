"""The one outgoing HTTP function: address checks, size cap, redirects, signing per hop."""

import httpx
import pytest

from babillard.core import http


@pytest.fixture
def production(settings):
    settings.ALLOW_PRIVATE_ADDRESSES = False
    settings.INSECURE_FEDERATION = False


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/inbox",
        "https://10.0.0.5/inbox",
        "https://192.168.1.1/",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/inbox",
        "https://[::ffff:127.0.0.1]/",
        "https://localhost/inbox",
        "ftp://example.org/file",
        "https:///nohost",
    ],
)
def test_private_and_odd_addresses_are_refused(production, url):
    with pytest.raises(http.RefusedAddress):
        http.request("GET", url)


def test_plain_http_needs_insecure_federation(production, monkeypatch):
    monkeypatch.setattr(
        http.socket, "getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("93.184.215.14", 80))]
    )
    with pytest.raises(http.RefusedAddress):
        http.check_url("http://example.org/")
    http.check_url("https://example.org/")


def test_names_resolving_inside_are_refused(production, monkeypatch):
    monkeypatch.setattr(
        http.socket, "getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("10.1.2.3", 443))]
    )
    with pytest.raises(http.RefusedAddress):
        http.check_url("https://innocent.example/")


def _mock(monkeypatch, handler):
    real = httpx.Client

    def client(*args, **kwargs):
        kwargs["transport"] = httpx.MockTransport(handler)
        return real(*args, **kwargs)

    monkeypatch.setattr(http.httpx, "Client", client)


def test_size_cap(settings, monkeypatch):
    settings.INSECURE_FEDERATION = True
    _mock(monkeypatch, lambda request: httpx.Response(200, content=b"x" * 5000))
    with pytest.raises(http.HttpError):
        http.request("GET", "http://127.0.0.1:9/doc", max_bytes=1000)
    assert http.request("GET", "http://127.0.0.1:9/doc", max_bytes=10_000).content == b"x" * 5000


def test_redirects_are_limited_and_each_hop_signed(settings, monkeypatch):
    settings.INSECURE_FEDERATION = True
    seen = []

    def handler(request):
        seen.append((str(request.url), request.headers.get("x-signed-for")))
        number = int(request.url.path.strip("/") or 0)
        return httpx.Response(302, headers={"Location": f"/{number + 1}"})

    _mock(monkeypatch, handler)

    def sign(method, url, headers, body):
        return {"X-Signed-For": url}

    with pytest.raises(http.HttpError):
        http.request("GET", "http://127.0.0.1:9/0", sign=sign, max_redirects=2)
    assert [url for url, _ in seen] == [f"http://127.0.0.1:9/{n}" for n in range(3)]
    assert all(url == signed for url, signed in seen)


def _resolve(host, *args, **kwargs):
    address = host if host[0].isdigit() else "93.184.215.14"
    return [(2, 1, 6, "", (address, 443))]


def test_redirect_to_a_private_address_is_refused(production, monkeypatch):
    monkeypatch.setattr(http.socket, "getaddrinfo", _resolve)
    _mock(
        monkeypatch, lambda request: httpx.Response(302, headers={"Location": "https://10.0.0.1/"})
    )
    with pytest.raises(http.RefusedAddress):
        http.request("GET", "https://example.org/")


def test_network_errors_become_http_errors(settings, monkeypatch):
    settings.INSECURE_FEDERATION = True

    def handler(request):
        raise httpx.ConnectError("refused")

    _mock(monkeypatch, handler)
    with pytest.raises(http.HttpError):
        http.request("POST", "http://127.0.0.1:9/inbox", body=b"{}")
