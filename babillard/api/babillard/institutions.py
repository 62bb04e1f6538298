"""``/api/babillard/v1/`` paths of the institutions domain: profiles and verification,
staff, tokens acting as the institution, the audit log, the internal timeline and sites.

Reads take ``read:accounts`` (``read:statuses`` for the timeline), writes
``write:accounts``; verifying takes a moderator's token with ``admin:write``.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router
from oauth2_provider.models import AccessToken

from babillard.accounts.models import Account
from babillard.api import oauth, schemas, serializers
from babillard.api.base import (
    ApiError,
    as_str,
    paginate_response,
    params,
    require,
    require_token,
    viewer,
)
from babillard.api.v1.timelines import page_args
from babillard.institutions import queries, services
from babillard.institutions.models import AuditEntry, Institution, Membership, Role, Site
from babillard.occupancy.queries import site_entity

router = Router(tags=["institutions"])

ERRORS: dict[int, type[schemas.Entity]] = {
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    422: schemas.Error,
}


class InstitutionEntity(schemas.Entity):
    id: str
    username: str
    acct: str
    name: str
    type: str
    isil: str | None
    verified: bool
    verified_at: str | None
    website: str
    catalogue_url_template: str
    network_id: str | None


class StaffMember(schemas.Entity):
    account_id: str
    account: schemas.Account
    role: str
    created_at: str


class ActingToken(schemas.Entity):
    id: str
    access_token: str
    token_type: str
    scope: str
    created_at: int


class AuditRow(schemas.Entity):
    id: str
    acting_account_id: str
    action: str
    status_id: str | None
    created_at: str


class SiteEntity(schemas.Entity):
    id: str
    institution_id: str
    name: str
    address: str
    postcode: str
    city: str
    latitude: float | None
    longitude: float | None
    timezone: str
    opening_hours: dict[str, Any] | None


def responses(entity: Any) -> dict[int, Any]:
    """A route's answers for its OpenAPI document: the entity, or an error."""
    return {200: entity, **ERRORS}


def institution_entity(found: Institution) -> dict[str, Any]:
    account = found.account
    return {
        "id": str(account.pk),
        "username": account.username,
        "acct": account.acct,
        "name": found.official_name or account.display_name,
        "type": found.type,
        "isil": found.isil or None,
        "verified": found.verified,
        "verified_at": serializers.iso(found.isil_verified_at),
        "website": found.website,
        "catalogue_url_template": found.catalogue_url_template,
        "network_id": str(found.network_id) if found.network_id else None,
    }


def staff_entity(membership: Membership) -> dict[str, Any]:
    return {
        "account_id": str(membership.member_id),
        "account": serializers.account(membership.member),
        "role": membership.role,
        "created_at": serializers.iso(membership.created_at),
    }


def audit_entity(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": str(entry.pk),
        "acting_account_id": str(entry.acting_account_id),
        "action": entry.action,
        "status_id": str(entry.status_id) if entry.status_id else None,
        "created_at": serializers.iso(entry.created_at),
    }


def local_account(value: Any, field: str) -> Account:
    """An account named in a body; an unknown one is bad input (422)."""
    try:
        return Account.objects.get(pk=int(as_str(value)), domain="")
    except (Account.DoesNotExist, ValueError, OverflowError):
        raise ValidationError(_("Unknown account in %(field)s.") % {"field": field}) from None


# --- profiles -------------------------------------------------------------------------------


@router.get("/institutions/{account_id}", response=responses(InstitutionEntity))
def get_institution(request: HttpRequest, account_id: str) -> dict[str, Any]:
    viewer(request, "read:accounts")
    return institution_entity(queries.get_institution(account_id))


@router.patch("/institutions/{account_id}", response=responses(InstitutionEntity))
def update_institution(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "write:accounts")
    institution = queries.get_institution_account(account_id)
    changes = {k: v for k, v in params(request).items() if k != "access_token"}
    services.update_institution(me, institution, **changes)
    return institution_entity(queries.profile(institution))


@router.post("/institutions/{account_id}/verify", response=responses(InstitutionEntity))
def verify_institution(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "admin:write:accounts")
    institution = queries.get_institution_account(account_id)
    return institution_entity(services.verify_institution(me, institution))


# --- staff ----------------------------------------------------------------------------------


@router.get("/institutions/{account_id}/staff", response=responses(list[StaffMember]))
def list_staff(request: HttpRequest, account_id: str) -> list[dict[str, Any]]:
    me = require(request, "read:accounts")
    institution = queries.get_institution_account(account_id)
    return [staff_entity(m) for m in queries.staff(me, institution)]


@router.post("/institutions/{account_id}/staff", response=responses(StaffMember))
def add_staff(request: HttpRequest, account_id: str) -> dict[str, Any]:
    me = require(request, "write:accounts")
    institution = queries.get_institution_account(account_id)
    queries.require_role(me, institution, Role.MANAGER)
    data = params(request)
    member = local_account(data.get("account_id"), "account_id")
    membership = services.add_member(me, institution, member, as_str(data.get("role"), "staff"))
    return staff_entity(membership)


@router.delete(
    "/institutions/{account_id}/staff/{member_account_id}", response=responses(schemas.Empty)
)
def remove_staff(request: HttpRequest, account_id: str, member_account_id: str) -> dict[str, Any]:
    me = require(request, "write:accounts")
    institution = queries.get_institution_account(account_id)
    try:
        member = Account.objects.get(pk=int(member_account_id))
    except (Account.DoesNotExist, ValueError, OverflowError):
        raise ApiError(404, "Record not found") from None
    services.remove_member(me, institution, member)
    return {}


# --- acting as the institution --------------------------------------------------------------


@router.post("/institutions/{account_id}/act_as", response=responses(ActingToken))
def act_as(request: HttpRequest, account_id: str) -> dict[str, Any]:
    """A token of the editor's that acts as the institution, in the same application and
    with the calling token's scopes (or fewer, with ``scope``)."""
    me = require(request, "write:accounts")
    caller = require_token(request)
    institution = queries.get_institution_account(account_id)
    held = caller.scope.split()
    scopes = oauth.parse_scopes(as_str(params(request).get("scope")) or None, " ".join(held))
    if not set(scopes) <= set(oauth.ALL_SCOPES) or not oauth.within(scopes, held):
        raise ApiError(422, "Validation failed: scope is wider than the calling token's")
    grant = services.create_acting_grant(me, institution)
    issued = oauth.issue_token(caller.user, caller.application, scopes)  # type: ignore[arg-type]
    services.attach_token(grant, queries.acting_token_ref(issued.pk))
    return {**oauth.token_reply(issued), "id": str(grant.pk)}


@router.delete("/institutions/{account_id}/act_as/{grant_id}", response=responses(schemas.Empty))
def revoke_act_as(request: HttpRequest, account_id: str, grant_id: str) -> dict[str, Any]:
    me = require(request, "write:accounts")
    institution = queries.get_institution_account(account_id)
    grant = services.revoke_acting_grant(me, institution, grant_id)
    for token in AccessToken.objects.filter(pk=queries.carried_token_id(grant)):
        token.revoke()
    return {}


@router.get("/institutions/{account_id}/audit", response=responses(list[AuditRow]))
def audit(request: HttpRequest, response: HttpResponse, account_id: str) -> list[Any]:
    me = require(request, "read:accounts")
    institution = queries.get_institution_account(account_id)
    page = queries.audit_log(me, institution, **page_args(request))
    return paginate_response(request, response, page, [audit_entity(e) for e in page.items])


@router.get("/institutions/{account_id}/timeline", response=responses(list[schemas.Status]))
def internal_timeline(request: HttpRequest, response: HttpResponse, account_id: str) -> list[Any]:
    me = require(request, "read:statuses")
    institution = queries.get_institution_account(account_id)
    page = queries.internal_timeline(me, institution, **page_args(request))
    rendered = serializers.statuses(me, page.items)
    return paginate_response(request, response, page, rendered)


# --- sites ----------------------------------------------------------------------------------


@router.post("/sites", response=responses(SiteEntity))
def create_site(request: HttpRequest) -> dict[str, Any]:
    me = require(request, "write:accounts")
    fields = {k: v for k, v in params(request).items() if k != "access_token"}
    institution_id = fields.pop("institution_id", None)
    site = services.create_site(me, institution_id=institution_id, **fields)
    return site_entity(site)


@router.get("/sites", response=responses(list[SiteEntity]))
def list_sites(request: HttpRequest) -> list[dict[str, Any]]:
    viewer(request, "read:accounts")
    institution_id = params(request).get("institution_id")
    return [site_entity(site) for site in queries.sites(as_str(institution_id) or None)]


@router.get("/sites/{site_id}", response=responses(SiteEntity))
def get_site(request: HttpRequest, site_id: str) -> dict[str, Any]:
    viewer(request, "read:accounts")
    return site_entity(queries.get_site(site_id))


@router.patch("/sites/{site_id}", response=responses(SiteEntity))
def update_site(request: HttpRequest, site_id: str) -> dict[str, Any]:
    me = require(request, "write:accounts")
    site: Site = queries.get_site(site_id)
    fields = {k: v for k, v in params(request).items() if k != "access_token"}
    return site_entity(services.update_site(me, site, **fields))
