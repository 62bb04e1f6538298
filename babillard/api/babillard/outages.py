"""Babillard API: e-resource platforms: reports, probes, status and incidents.

Reads are public. Adding a platform takes a moderator's token with ``admin:write``;
reporting a problem ``write:statuses`` (401 without a token, 422 for an unknown
problem); updating an incident ``write:statuses`` from a moderator, the vendor's
account or the staff of a verified institution.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router
from pydantic import ConfigDict, Field

from babillard.api import schemas
from babillard.api.base import params, require
from babillard.core import links
from babillard.outages import queries, services
from babillard.outages.models import Platform, Report

router = Router(tags=["outages"])

ERRORS: dict[int, type[schemas.Entity]] = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    422: schemas.Error,
}
WRITE = "write:statuses"


def responses(entity: Any, status: int = 200) -> dict[int, Any]:
    return {status: entity, **ERRORS}


class PlatformEntity(schemas.Entity):
    id: str
    slug: str
    name: str
    url: str
    probe_urls: list[str]
    vendor: str
    status_page_url: str
    state: str
    actor: str | None
    page_url: str


class ProbeEntity(schemas.Entity):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    from_: str = Field(alias="from")
    url: str
    ok: bool
    status_code: int | None
    latency_ms: int | None
    tls_expires_at: str | None
    checked_at: str


class UpdateEntity(schemas.Entity):
    state: str
    message: str
    created_at: str
    status_id: str | None


class IncidentEntity(schemas.Entity):
    id: str
    platform_id: str
    state: str
    opened_at: str
    resolved_at: str | None
    updates: list[UpdateEntity]


class StatusEntity(schemas.Entity):
    state: str
    reports_last_hour: int
    institutions: int
    cities: list[str]
    baseline: float
    probes: list[ProbeEntity]
    incident: IncidentEntity | None


class ReportEntity(schemas.Entity):
    id: str
    platform_id: str
    problem: str
    comment: str
    city: str
    institution: str
    created_at: str
    updated_at: str
    state: str


def platform_entity(platform: Platform) -> dict[str, Any]:
    return {
        "id": str(platform.pk),
        "slug": platform.slug,
        "name": platform.name,
        "url": platform.home_url,
        "probe_urls": platform.urls_to_probe,
        "vendor": platform.vendor,
        "status_page_url": platform.status_page_url,
        "state": platform.state,
        "actor": platform.actor.acct if platform.actor else None,
        "page_url": links.absolute(f"/platforms/{platform.slug}"),
    }


def report_entity(report: Report) -> dict[str, Any]:
    return {
        "id": str(report.pk),
        "platform_id": str(report.platform_id),
        "problem": report.problem,
        "comment": report.comment,
        "city": report.city,
        "institution": report.institution_name,
        "created_at": report.created_at.isoformat(),
        "updated_at": report.updated_at.isoformat(),
        "state": report.platform.state,
    }


def _fields(request: HttpRequest) -> dict[str, Any]:
    return {k: v for k, v in params(request).items() if k != "access_token"}


@router.get("/platforms", response=responses(list[PlatformEntity]))
def list_platforms(request: HttpRequest) -> list[dict[str, Any]]:
    """Every platform, the most reported in the last hour first."""
    return [platform_entity(p) for p in queries.board()]


@router.post("/platforms", response=responses(PlatformEntity))
def create_platform(request: HttpRequest) -> dict[str, Any]:
    """Add a platform (``name``, ``url``, ``vendor``?, ``probe_urls``?): moderators only."""
    me = require(request, "admin:write")
    fields = _fields(request)
    allowed = ("name", "url", "vendor", "probe_urls", "status_page_url")
    return platform_entity(
        services.create_platform(me, **{k: v for k, v in fields.items() if k in allowed})
    )


@router.get("/platforms/{platform_id}", response=responses(PlatformEntity))
def get_platform(request: HttpRequest, platform_id: str) -> dict[str, Any]:
    return platform_entity(queries.get_platform(platform_id))


@router.get("/platforms/{platform_id}/status", response=responses(StatusEntity), by_alias=True)
def platform_status(request: HttpRequest, platform_id: str) -> dict[str, Any]:
    """The live status: state, reports and institutions of the last hour, their cities,
    the baseline for this weekday and hour, the latest probes and the open incident."""
    return queries.status(queries.get_platform(platform_id))


@router.post("/platforms/{platform_id}/reports", response=responses(ReportEntity))
def report(request: HttpRequest, platform_id: str) -> dict[str, Any]:
    """Report a problem (``down``, ``slow``, ``login``, ``partial``, ``other``); a second
    report within 30 minutes updates the first."""
    me = require(request, WRITE)
    platform = queries.get_platform(platform_id)
    fields = params(request)
    found = services.report_problem(me, platform, fields.get("problem"), fields.get("comment"))
    return report_entity(found)


@router.get("/incidents", response=responses(list[IncidentEntity]))
def list_incidents(request: HttpRequest) -> list[dict[str, Any]]:
    """Incidents, newest first (``platform_id`` to keep one platform's)."""
    found = queries.incidents(params(request).get("platform_id"))
    return [queries.incident_entity(i) for i in found[:100]]


@router.get("/incidents/{incident_id}", response=responses(IncidentEntity))
def get_incident(request: HttpRequest, incident_id: str) -> dict[str, Any]:
    return queries.incident_entity(queries.get_incident(incident_id))


@router.post("/incidents/{incident_id}/updates", response=responses(IncidentEntity))
def update_incident(request: HttpRequest, incident_id: str) -> dict[str, Any]:
    """Add ``{"state", "message"}`` to an incident; ``resolved`` closes it."""
    me = require(request, WRITE)
    fields = params(request)
    incident = queries.get_incident(incident_id)
    services.update_incident(me, incident, fields.get("state"), fields.get("message"))
    return queries.incident_entity(queries.get_incident(incident_id))


@router.post("/incidents/{incident_id}/me_too", response=responses(ReportEntity))
def me_too(request: HttpRequest, incident_id: str) -> dict[str, Any]:
    """ "Me too": a report that the platform is down."""
    me = require(request, WRITE)
    return report_entity(services.me_too(me, queries.get_incident(incident_id)))
