"""HTTP signatures as Mastodon uses them (draft-cavage-http-signatures, rsa-sha256 / hs2019).

Outgoing requests sign ``(request-target) host date`` plus ``digest`` when they
carry a body. Incoming requests must sign at least ``(request-target)`` and a
date (``date`` or hs2019's ``(created)``), and ``digest`` when they carry a
body; the digest must match the body and the date must be recent. ``hs2019``
names no algorithm on the wire: the key's type decides, and every server of
the fediverse uses RSA with SHA-256 for it.
"""

import base64
import functools
import hashlib
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from babillard.federation import conf

SIGNATURE_PARAM_RE = re.compile(r'(\w+)="([^"]*)"|(\w+)=(\d+)')


class SignatureError(Exception):
    """The request is not signed, or not signed well enough to be believed."""


@dataclass
class ParsedSignature:
    key_id: str
    algorithm: str
    headers: list[str]
    signature: bytes
    created: int | None = None
    expires: int | None = None


def digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


@functools.lru_cache(maxsize=64)
def _load_private(pem: str) -> rsa.RSAPrivateKey:
    """Parsed once per process and key: parsing a PEM costs more than signing with it."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SignatureError("only RSA keys sign")
    return key


def _load_public(pem: str) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except ValueError:
        raise SignatureError("unreadable public key") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError("unsupported key type")
    return key


def _signing_string(
    names: list[str],
    method: str,
    path: str,
    headers: Mapping[str, str],
    created: int | None = None,
    expires: int | None = None,
) -> str:
    lower = {k.lower(): v for k, v in headers.items()}
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {path}")
        elif name == "(created)":
            if created is None:
                raise SignatureError("(created) signed without a created parameter")
            lines.append(f"(created): {created}")
        elif name == "(expires)":
            if expires is None:
                raise SignatureError("(expires) signed without an expires parameter")
            lines.append(f"(expires): {expires}")
        else:
            if name not in lower:
                raise SignatureError(f"signed header {name} is missing")
            lines.append(f"{name}: {lower[name]}")
    return "\n".join(lines)


def sign_headers(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    key_id: str,
    private_key: str,
) -> dict[str, str]:
    """The headers to add to a request so that it is signed by ``key_id``."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    added = {"Host": parts.netloc, "Date": formatdate(usegmt=True)}
    names = ["(request-target)", "host", "date"]
    if body or method.upper() == "POST":
        added["Digest"] = digest(body)
        names.append("digest")
        if any(k.lower() == "content-type" for k in headers):
            names.append("content-type")
    merged = {**headers, **added}
    text = _signing_string(names, method, path, merged)
    signature = _load_private(private_key).sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())
    added["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return added


def parse_signature(value: str) -> ParsedSignature:
    params: dict[str, str] = {}
    for match in SIGNATURE_PARAM_RE.finditer(value):
        if match.group(1):
            params[match.group(1)] = match.group(2)
        else:
            params[match.group(3)] = match.group(4)
    if "keyId" not in params or "signature" not in params:
        raise SignatureError("signature without keyId or signature")
    algorithm = params.get("algorithm", "hs2019").lower()
    if algorithm not in ("rsa-sha256", "hs2019"):
        raise SignatureError(f"unsupported algorithm {algorithm}")
    try:
        raw = base64.b64decode(params["signature"], validate=True)
        created = int(params["created"]) if "created" in params else None
        expires = int(params["expires"]) if "expires" in params else None
    except ValueError:
        raise SignatureError("malformed signature") from None
    return ParsedSignature(
        key_id=params["keyId"],
        algorithm=algorithm,
        headers=params.get("headers", "date").lower().split(),
        signature=raw,
        created=created,
        expires=expires,
    )


def check_request(
    method: str, path: str, headers: Mapping[str, str], body: bytes
) -> ParsedSignature:
    """Check everything that needs no key: headers covered, digest, date window."""
    lower = {k.lower(): v for k, v in headers.items()}
    if "signature" not in lower:
        raise SignatureError("request is not signed")
    parsed = parse_signature(lower["signature"])
    if "(request-target)" not in parsed.headers:
        raise SignatureError("(request-target) is not signed")
    now = time.time()
    if "date" in parsed.headers:
        try:
            moment = parsedate_to_datetime(lower.get("date", "")).timestamp()
        except (TypeError, ValueError):
            raise SignatureError("unreadable Date header") from None
    elif "(created)" in parsed.headers and parsed.created is not None:
        moment = parsed.created
    else:
        raise SignatureError("no date is signed")
    if moment < now - conf.SIGNATURE_MAX_AGE or moment > now + conf.SIGNATURE_MAX_SKEW:
        raise SignatureError("signed date is outside the accepted window")
    if parsed.expires is not None and parsed.expires < now:
        raise SignatureError("signature has expired")
    if method.upper() == "POST" or body:
        if "digest" not in parsed.headers:
            raise SignatureError("the body's digest is not signed")
        sent = [d.strip() for d in lower.get("digest", "").split(",")]
        sha = [d for d in sent if d[:8].lower() == "sha-256="]
        if not sha or sha[0][8:] != digest(body)[8:]:
            raise SignatureError("digest does not match the body")
    return parsed


def verify(
    parsed: ParsedSignature, method: str, path: str, headers: Mapping[str, str], public_key: str
) -> bool:
    """Whether the signature was made by ``public_key``'s private half."""
    text = _signing_string(parsed.headers, method, path, headers, parsed.created, parsed.expires)
    try:
        _load_public(public_key).verify(
            parsed.signature, text.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature:
        return False
    return True
