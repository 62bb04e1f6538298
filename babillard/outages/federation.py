"""Reports and probe results exchanged between peer instances, through the platforms'
actors.

The platform actor of one instance (``https://a/users/cairn``) sends to the actor of
the same platform on each peer (``cairn@b``, found by WebFinger) a signed
``Create`` whose object is an ``OutageReport`` or a ``ProbeResult``:

    {"type": "Create", "actor": "https://a/users/cairn", "to": ["https://b/users/cairn"],
     "object": {"type": "OutageReport", "id": "https://a/platforms/cairn/reports/12",
                "attributedTo": "https://a/users/cairn", "platform": "cairn",
                "problem": "down", "city": "Lyon", "institution": "https://a/users/bm_lyon",
                "institutionName": "BM de Lyon", "published": "...", "updated": "..."}}

    {"type": "Create", ..., "object": {"type": "ProbeResult",
     "id": "https://a/platforms/cairn/probes/40", "platform": "cairn",
     "url": "https://www.cairn.info/", "ok": true, "statusCode": 200, "latencyMs": 180,
     "tlsExpiresAt": "...", "checkedAt": "..."}}

A report sent again with the same id (the reporter changed it) replaces the first.
Both sides must list each other as peers (``outages.Peer``): that is the opt-in; an
activity from an instance that is not a peer is ignored. Mastodon never receives
these objects: they go only to the peers' platform actors.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.utils.dateparse import parse_datetime

from babillard.accounts.models import Account
from babillard.core import links
from babillard.core.http import HttpError
from babillard.federation import outbox
from babillard.federation.client import FetchError
from babillard.federation.remote import InvalidDocument, host_of, webfinger
from babillard.outages import services
from babillard.outages.models import Peer, Platform, Probe, Report

CONTEXT: list[Any] = [
    "https://www.w3.org/ns/activitystreams",
    {
        "babillard": "https://babillard.example/ns#",
        "OutageReport": "babillard:OutageReport",
        "ProbeResult": "babillard:ProbeResult",
        "platform": "babillard:platform",
        "problem": "babillard:problem",
        "city": "babillard:city",
        "institution": "babillard:institution",
        "institutionName": "babillard:institutionName",
        "ok": "babillard:ok",
        "statusCode": "babillard:statusCode",
        "latencyMs": "babillard:latencyMs",
        "tlsExpiresAt": "babillard:tlsExpiresAt",
        "checkedAt": "babillard:checkedAt",
    },
]
OBJECT_TYPES = ("OutageReport", "ProbeResult")
logger = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any], Account], str]


def report_object(report: Report) -> dict[str, Any]:
    platform = report.platform
    return {
        "type": "OutageReport",
        "id": links.absolute(f"/platforms/{platform.slug}/reports/{report.pk}"),
        "attributedTo": platform.actor.uri if platform.actor else "",
        "platform": platform.slug,
        "problem": report.problem,
        "city": report.city,
        "institution": report.institution_key,
        "institutionName": report.institution_name,
        "published": report.created_at.isoformat(),
        "updated": report.updated_at.isoformat(),
    }


def probe_object(probe: Probe) -> dict[str, Any]:
    platform = probe.platform
    return {
        "type": "ProbeResult",
        "id": links.absolute(f"/platforms/{platform.slug}/probes/{probe.pk}"),
        "attributedTo": platform.actor.uri if platform.actor else "",
        "platform": platform.slug,
        "url": probe.url,
        "ok": probe.ok,
        "statusCode": probe.status_code,
        "latencyMs": probe.latency_ms,
        "tlsExpiresAt": probe.tls_expires_at.isoformat() if probe.tls_expires_at else None,
        "checkedAt": probe.checked_at.isoformat(),
    }


def peer_actors(platform: Platform) -> list[Account]:
    """The same platform's actor on every peer that has it (found by WebFinger)."""
    found = []
    for peer in Peer.objects.all():
        try:
            found.append(webfinger(f"{platform.slug}@{peer.domain}"))
        except (InvalidDocument, FetchError, HttpError) as error:
            # A peer down, or without this platform, is skipped until the next share.
            logger.info("no %s on peer %s: %s", platform.slug, peer.domain, error)
    return found


def _share(platform: Platform, document: dict[str, Any], version: str) -> int:
    if platform.actor is None:
        return 0
    recipients = peer_actors(platform)
    if not recipients:
        return 0
    activity = {
        "@context": CONTEXT,
        "id": f"{document['id']}#create/{version}",
        "type": "Create",
        "actor": platform.actor.uri,
        "to": [r.uri for r in recipients],
        "object": document,
    }
    return outbox.send(platform.actor, activity, recipients)


def share_report(report: Report) -> int:
    return _share(report.platform, report_object(report), str(int(report.updated_at.timestamp())))


def share_probe(probe: Probe) -> int:
    return _share(probe.platform, probe_object(probe), "1")


def _platform_for(activity: dict[str, Any], actor: Account) -> Platform | None:
    """The local platform the peer's actor speaks for; ``None`` when not a peer's."""
    if not Peer.objects.filter(domain__iexact=actor.domain).exists():
        return None
    document = activity["object"]
    slug = str(document.get("platform") or "")
    if slug.lower() != actor.username.lower():
        raise InvalidDocument("a platform actor speaks only for its own platform")
    return Platform.objects.filter(slug=slug, approved=True).first()


def handle_outage_object(activity: dict[str, Any], actor: Account) -> str:
    document = activity["object"]
    if host_of(document.get("id")) != host_of(actor.uri):
        raise InvalidDocument("object id on another host")
    platform = _platform_for(activity, actor)
    if platform is None:
        return "refused: not a peer or unknown platform"
    if document["type"] == "OutageReport":
        services.receive_report(
            actor.domain,
            platform,
            {
                "uri": document["id"],
                "problem": document.get("problem"),
                "city": document.get("city"),
                "institution": document.get("institution"),
                "institution_name": document.get("institutionName"),
                "updated": parse_datetime(str(document.get("updated") or "")),
            },
        )
        return "report stored"
    latency = document.get("latencyMs")
    code = document.get("statusCode")
    services.record_probe(
        platform,
        str(document.get("url") or platform.home_url),
        ok=bool(document.get("ok")),
        status_code=int(code) if isinstance(code, int) else None,
        latency_ms=int(latency) if isinstance(latency, int) else None,
        tls_expires_at=parse_datetime(str(document.get("tlsExpiresAt") or "")),
        origin=actor.domain,
        checked_at=parse_datetime(str(document.get("checkedAt") or "")),
    )
    return "probe stored"


def outage_handler(activity: dict[str, Any]) -> Handler | None:
    """The handler for a peer's report or probe result, or ``None`` for the inbox's own."""
    inner = activity.get("object")
    if (
        activity.get("type") == "Create"
        and isinstance(inner, dict)
        and inner.get("type") in OBJECT_TYPES
    ):
        return handle_outage_object
    return None
