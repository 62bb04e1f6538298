"""``/api/babillard/v1/`` paths of live occupancy: spaces, sensor tokens, updates, and the
public feed and forecast (no token, CORS open).

``POST /spaces/:id/occupancy`` takes either a staff member's OAuth token
(``write:accounts``) or a sensor token of the space's site, both as
``Authorization: Bearer``.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router

from babillard.accounts.models import Account
from babillard.api import schemas
from babillard.api.babillard.institutions import responses
from babillard.api.base import ApiError, as_str, params, require
from babillard.institutions import hours
from babillard.institutions import queries as institution_queries
from babillard.occupancy import queries, services
from babillard.occupancy.models import SensorToken

router = Router(tags=["occupancy"])

UPDATE_FIELDS = ("count", "delta", "full", "closed", "queue_minutes")


class SpaceState(schemas.Entity):
    id: str
    name: str
    capacity: int
    count: int | None
    level: str
    queue_minutes: int | None
    updated_at: str | None


class SensorTokenEntity(schemas.Entity):
    id: str
    name: str
    token: str


class SiteOccupancy(schemas.Entity):
    site: dict[str, Any]
    open: bool
    until: str | None
    spaces: list[SpaceState]
    updated_at: str | None


class Slot(schemas.Entity):
    start: str
    expected_count: int | None
    level: str


class SpaceForecast(schemas.Entity):
    id: str
    name: str
    slots: list[Slot]


class SiteForecast(schemas.Entity):
    site_id: str
    timezone: str
    spaces: list[SpaceForecast]


@router.post("/sites/{site_id}/spaces", response=responses(SpaceState))
def create_space(request: HttpRequest, site_id: str) -> dict[str, Any]:
    me = require(request, "write:accounts")
    site = institution_queries.get_site(site_id)
    data = params(request)
    space = services.create_space(me, site, data.get("name"), typed(data.get("capacity")))
    return services.space_state(space, hours.is_open(site, timezone.now()))


@router.post("/sites/{site_id}/sensor_tokens", response=responses(SensorTokenEntity))
def create_sensor_token(request: HttpRequest, site_id: str) -> dict[str, Any]:
    me = require(request, "write:accounts")
    site = institution_queries.get_site(site_id)
    token, raw = services.create_sensor_token(me, site, as_str(params(request).get("name")))
    return {"id": str(token.pk), "name": token.name, "token": raw}


@router.delete("/sites/{site_id}/sensor_tokens/{token_id}", response=responses(schemas.Empty))
def revoke_sensor_token(request: HttpRequest, site_id: str, token_id: str) -> dict[str, Any]:
    me = require(request, "write:accounts")
    services.revoke_sensor_token(me, institution_queries.get_site(site_id), token_id)
    return {}


def writer(request: HttpRequest) -> Account | SensorToken:
    """The sensor token or the staff member behind an update's bearer token."""
    header = request.headers.get("Authorization", "")
    raw = header[7:].strip() if header[:7].lower() == "bearer " else ""
    if raw.startswith(services.TOKEN_PREFIX):
        sensor = services.authenticate_sensor_token(raw)
        if sensor is None:
            raise ApiError(401, "The access token is invalid")
        return sensor
    return require(request, "write:accounts")


def typed(value: Any) -> Any:
    """Form bodies send text: whole numbers and booleans are read as JSON reads them."""
    if not isinstance(value, str):
        return value
    text = value.strip().lower()
    if text in ("true", "false"):
        return text == "true"
    try:
        return int(text)
    except ValueError:
        return value


@router.post(
    "/spaces/{space_id}/occupancy",
    response={**responses(SpaceState), 429: schemas.Error},
)
def update_occupancy(request: HttpRequest, response: HttpResponse, space_id: str) -> Any:
    by = writer(request)
    body = {k: typed(v) for k, v in params(request).items() if k != "access_token"}
    try:
        return services.update_occupancy(
            space_id, by, idempotency_key=request.headers.get("Idempotency-Key"), **body
        )
    except services.RateLimited as limited:
        response["Retry-After"] = str(limited.retry_after)
        return 429, {"error": "Too many requests"}


@router.get("/sites/{site_id}/occupancy", response={200: SiteOccupancy, 404: schemas.Error})
def site_occupancy(request: HttpRequest, site_id: str) -> dict[str, Any]:
    return queries.site_occupancy(institution_queries.get_site(site_id))


@router.get("/sites/{site_id}/forecast", response={200: SiteForecast, 404: schemas.Error})
def site_forecast(request: HttpRequest, site_id: str) -> dict[str, Any]:
    return queries.site_forecast(institution_queries.get_site(site_id))
