"""Signed requests to other servers: fetching documents and posting to inboxes.

Both go through ``babillard.core.http.request``. Deliveries are signed with the
sending account's key; fetches made on nobody's behalf are signed with the
instance actor's key (served at ``/actor``), so that servers in authorized-fetch
mode answer them.
"""

import json
from typing import Any

from django.db import IntegrityError, transaction

from babillard.accounts.models import Account
from babillard.core import http, links
from babillard.federation import activities, signatures
from babillard.federation.models import InstanceActor

ACCEPT = 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
MAX_DOCUMENT_BYTES = 512 * 1024


class FetchError(Exception):
    pass


def instance_actor_uri() -> str:
    return links.absolute("/actor")


def instance_actor() -> InstanceActor:
    found = InstanceActor.objects.order_by("pk").first()
    if found is not None:
        return found
    from babillard.accounts.services import _rsa_key_pair

    private, public = _rsa_key_pair()
    try:
        with transaction.atomic():
            return InstanceActor.objects.create(private_key=private, public_key=public)
    except IntegrityError:
        return InstanceActor.objects.order_by("pk").first() or instance_actor()


def _signer(key_id: str, private_key: str) -> http.Signer:
    def sign(method: str, url: str, headers: dict[str, str], body: bytes) -> dict[str, str]:
        return signatures.sign_headers(
            method, url, headers, body, key_id=key_id, private_key=private_key
        )

    return sign


def signer_for(account: Account | None) -> http.Signer:
    if account is not None and account.is_local and account.private_key:
        return _signer(activities.key_id(account), account.private_key)
    return _signer(f"{instance_actor_uri()}#main-key", instance_actor().private_key)


def fetch(url: str, *, on_behalf_of: Account | None = None) -> dict[str, Any]:
    """GET an ActivityPub document, signed; raise ``FetchError`` unless it is a JSON object."""
    try:
        answer = http.request(
            "GET",
            url,
            headers={"Accept": ACCEPT},
            sign=signer_for(on_behalf_of),
            max_bytes=MAX_DOCUMENT_BYTES,
        )
    except http.HttpError as error:
        raise FetchError(str(error)) from None
    if not answer.ok:
        raise FetchError(f"GET {url}: HTTP {answer.status_code}")
    try:
        document = answer.json()
    except ValueError:
        raise FetchError(f"GET {url}: not JSON") from None
    if not isinstance(document, dict):
        raise FetchError(f"GET {url}: not a JSON object")
    return document


def fetch_plain_json(url: str) -> Any:
    """GET a JSON document that is not ActivityPub (WebFinger, NodeInfo), signed by the instance."""
    try:
        answer = http.request(
            "GET",
            url,
            headers={"Accept": "application/jrd+json, application/json"},
            sign=signer_for(None),
        )
    except http.HttpError as error:
        raise FetchError(str(error)) from None
    if not answer.ok:
        raise FetchError(f"GET {url}: HTTP {answer.status_code}")
    try:
        return answer.json()
    except ValueError:
        raise FetchError(f"GET {url}: not JSON") from None


def post(
    inbox: str,
    sender: Account | None,
    activity: dict[str, Any],
    *,
    key: tuple[str, str] | None = None,
) -> http.Response:
    """POST an activity to an inbox, signed by ``sender`` (or ``key``: key id and private key)."""
    body = json.dumps(activity).encode()
    return http.request(
        "POST",
        inbox,
        headers={"Content-Type": activities.CONTENT_TYPE, "Accept": ACCEPT},
        body=body,
        sign=_signer(*key) if key else signer_for(sender),
        timeout=15,
        max_bytes=64 * 1024,
    )
