import base64
import time

import pytest

from babillard.federation import signatures

from .conftest import new_key

URL = "https://remote.example/users/bob/inbox"
BODY = b'{"type": "Follow"}'


@pytest.fixture(scope="module")
def keys():
    return new_key()


def _signed(keys, body=BODY, method="POST"):
    private, _public = keys
    headers = {"Content-Type": "application/activity+json"}
    headers.update(
        signatures.sign_headers(
            method,
            URL,
            headers,
            body,
            key_id="https://me.example/users/a#main-key",
            private_key=private,
        )
    )
    return headers


def test_round_trip_rsa_sha256(keys):
    headers = _signed(keys)
    parsed = signatures.check_request("POST", "/users/bob/inbox", headers, BODY)
    assert parsed.algorithm == "rsa-sha256"
    assert parsed.key_id == "https://me.example/users/a#main-key"
    assert parsed.headers[:4] == ["(request-target)", "host", "date", "digest"]
    assert signatures.verify(parsed, "POST", "/users/bob/inbox", headers, keys[1])


def test_hs2019_is_read_as_rsa_sha256(keys):
    headers = _signed(keys)
    headers["Signature"] = headers["Signature"].replace(
        'algorithm="rsa-sha256"', 'algorithm="hs2019"'
    )
    parsed = signatures.check_request("POST", "/users/bob/inbox", headers, BODY)
    assert parsed.algorithm == "hs2019"
    assert signatures.verify(parsed, "POST", "/users/bob/inbox", headers, keys[1])


def test_hs2019_with_created_pseudo_header(keys):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    created = int(time.time())
    digest = signatures.digest(BODY)
    text = f"(request-target): post /inbox\n(created): {created}\ndigest: {digest}"
    key = serialization.load_pem_private_key(keys[0].encode(), password=None)
    raw = key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())  # type: ignore[union-attr,call-arg]
    headers = {
        "Digest": digest,
        "Signature": (
            f'keyId="k",algorithm="hs2019",created={created},'
            f'headers="(request-target) (created) digest",signature="{base64.b64encode(raw).decode()}"'
        ),
    }
    parsed = signatures.check_request("POST", "/inbox", headers, BODY)
    assert signatures.verify(parsed, "POST", "/inbox", headers, keys[1])


def test_other_path_or_key_does_not_verify(keys):
    headers = _signed(keys)
    parsed = signatures.check_request("POST", "/users/bob/inbox", headers, BODY)
    assert not signatures.verify(parsed, "POST", "/inbox", headers, keys[1])
    assert not signatures.verify(parsed, "POST", "/users/bob/inbox", headers, new_key()[1])


@pytest.mark.parametrize(
    "change",
    [
        lambda h: h.pop("Signature"),
        lambda h: h.update(Digest="SHA-256=" + base64.b64encode(b"0" * 32).decode()),
        lambda h: h.update(Date="Mon, 01 Jan 2001 00:00:00 GMT"),
        lambda h: h.update(Signature=h["Signature"].replace("(request-target) ", "")),
        lambda h: h.update(Signature=h["Signature"].replace("rsa-sha256", "rsa-sha1")),
        lambda h: h.update(Signature=h["Signature"].replace(" digest", "")),
    ],
    ids=["unsigned", "digest", "old-date", "no-target", "algorithm", "digest-not-signed"],
)
def test_bad_requests_are_refused(keys, change):
    headers = _signed(keys)
    change(headers)
    with pytest.raises(signatures.SignatureError):
        parsed = signatures.check_request("POST", "/users/bob/inbox", headers, BODY)
        if not signatures.verify(parsed, "POST", "/users/bob/inbox", headers, keys[1]):
            raise signatures.SignatureError("does not verify")


def test_get_is_signed_without_digest(keys):
    headers = signatures.sign_headers(
        "GET", "https://remote.example/users/bob?x=1", {}, b"", key_id="k", private_key=keys[0]
    )
    assert "Digest" not in headers
    parsed = signatures.check_request("GET", "/users/bob?x=1", headers, b"")
    assert signatures.verify(parsed, "GET", "/users/bob?x=1", headers, keys[1])
