"""Every write about institutions: profiles and verification, staff, acting as the
institution with its audit log, internal posts, networks, post templates, sites,
closures and school holidays.

Front doors map onto these functions one to one (``queries`` for the reads):

- GET    /api/babillard/v1/institutions/:account_id           -> institutions.queries.get_institution
- PATCH  /api/babillard/v1/institutions/:account_id           -> update_institution
- POST   /api/babillard/v1/institutions/:account_id/verify    -> verify_institution
- GET    /api/babillard/v1/institutions/:account_id/staff     -> institutions.queries.staff
- POST   /api/babillard/v1/institutions/:account_id/staff     -> add_member
- DELETE /api/babillard/v1/institutions/:id/staff/:member_id  -> remove_member
- POST   /api/babillard/v1/institutions/:account_id/act_as    -> create_acting_grant (the API
         then issues the OAuth token and stores its reference with attach_token)
- DELETE /api/babillard/v1/institutions/:id/act_as/:grant_id  -> revoke_acting_grant
- GET    /api/babillard/v1/institutions/:account_id/audit     -> institutions.queries.audit_log
- GET    /api/babillard/v1/institutions/:account_id/timeline  -> institutions.queries.internal_timeline
- POST   /api/v1/statuses with visibility=internal            -> post_internal
- posting, replying, boosting, scheduling as the institution  -> post_as_institution,
         reblog_as_institution, delete_as_institution (an audit row each)
- POST   /api/babillard/v1/sites                              -> create_site
- GET    /api/babillard/v1/sites?institution_id=              -> institutions.queries.sites
- GET    /api/babillard/v1/sites/:id                          -> institutions.queries.get_site
- editorial calendar page                                     -> institutions.queries.editorial_calendar

Permissions: the institution account itself holds every role; a ``manager``
manages staff, sites and tokens; an ``editor`` acts as the institution; ``staff``
read and write internal posts and update occupancy. Refusals raise ``Forbidden``.
"""

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import isil as stdnum_isil
from stdnum.exceptions import ValidationError as StdnumError

from babillard.accounts.models import Account, AccountKind, Visibility
from babillard.core.errors import Forbidden, NotFound
from babillard.institutions import hours
from babillard.institutions.models import (
    ActingGrant,
    AuditAction,
    AuditEntry,
    Institution,
    InstitutionType,
    Membership,
    PostTemplate,
    Role,
    SchoolHoliday,
    Site,
    SiteClosure,
)
from babillard.institutions.queries import has_role, institutions_of, require_role
from babillard.moderation.models import ActionKind
from babillard.statuses.models import ScheduledStatus, Status

AUDIT_RETENTION = timedelta(days=365)


def _require_institution(account: Account) -> None:
    if account.kind != AccountKind.INSTITUTION or not account.is_local:
        raise NotFound(account.pk)


def _profile_for_update(account: Account) -> Institution:
    _require_institution(account)
    found, _created = Institution.objects.select_for_update().get_or_create(
        account=account, defaults={"official_name": account.display_name}
    )
    return found


# --- profiles -------------------------------------------------------------------------------


def clean_isil(value: str) -> str:
    """An ISIL in its compact form, or ``ValidationError``."""
    try:
        return str(stdnum_isil.validate(value.strip()))
    except StdnumError:
        raise ValidationError(
            _("%(value)s is not a valid ISIL (ISO 15511), e.g. FR-751131015.") % {"value": value},
            code="isil",
        ) from None


def _clean_url(value: str, field: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise ValidationError(
            _("%(field)s must be an http or https address.") % {"field": field}, code=field
        ) from None
    return value


def clean_catalogue_template(value: str) -> str:
    """A catalogue search URL with ``{isbn}`` and/or ``{query}`` in it."""
    value = value.strip()
    if not value:
        return ""
    if "{isbn}" not in value and "{query}" not in value:
        raise ValidationError(
            _("The catalogue address must contain {isbn} or {query}."), code="catalogue"
        )
    _clean_url(value.replace("{isbn}", "0").replace("{query}", "q"), "catalogue")
    return value


EDITABLE = {"name", "official_name", "type", "isil", "website", "catalogue_url_template"}


def update_institution(actor: Account, institution: Account, **changes: Any) -> Institution:
    """Edit the profile, by the institution account or a manager; a new ISIL is unverified."""
    _require_institution(institution)
    require_role(actor, institution, Role.MANAGER)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            code="invalid",
        )
    cleaned: dict[str, Any] = {}
    if "name" in changes or "official_name" in changes:
        name = str(changes.get("official_name", changes.get("name")) or "").strip()
        if len(name) > 200:
            raise ValidationError(_("The name has at most 200 characters."), code="name")
        cleaned["official_name"] = name
    if "type" in changes:
        if changes["type"] not in InstitutionType.values:
            raise ValidationError(
                _("Unknown type: use university, public, national, specialised or network."),
                code="type",
            )
        cleaned["type"] = changes["type"]
    if "isil" in changes:
        cleaned["isil"] = clean_isil(str(changes["isil"])) if changes["isil"] else ""
    if "website" in changes:
        cleaned["website"] = _clean_url(str(changes["website"] or ""), "website")
    if "catalogue_url_template" in changes:
        cleaned["catalogue_url_template"] = clean_catalogue_template(
            str(changes["catalogue_url_template"] or "")
        )
    with transaction.atomic():
        found = _profile_for_update(institution)
        if "isil" in cleaned and cleaned["isil"] != found.isil:
            found.isil_verified_at, found.verified_by = None, None
        if (
            "type" in cleaned
            and cleaned["type"] != InstitutionType.NETWORK
            and Institution.objects.filter(network=institution).exists()
        ):
            raise ValidationError(_("This network still has member institutions."), code="type")
        for field, value in cleaned.items():
            setattr(found, field, value)
        found.save()
    return found


def verify_institution(moderator: Account, institution: Account) -> Institution:
    """A moderator marks the ISIL verified; refused without a valid ISIL."""
    _require_institution(institution)
    user = moderator.user
    if user is None or not user.can_moderate:
        raise Forbidden("moderator")
    with transaction.atomic():
        found = _profile_for_update(institution)
        if not found.isil:
            raise ValidationError(_("The institution has no ISIL to verify."), code="isil")
        clean_isil(found.isil)
        found.isil_verified_at, found.verified_by = timezone.now(), moderator
        found.save(update_fields=["isil_verified_at", "verified_by", "updated_at"])
        _log_verification(moderator, institution, ActionKind.VERIFY_INSTITUTION, found.isil)
    return found


def _log_verification(moderator: Account, institution: Account, kind: str, isil: str) -> None:
    from babillard.moderation.services import record_action

    record_action(moderator, kind, institution, details={"isil": isil})


def unverify_institution(moderator: Account, institution: Account) -> Institution:
    user = moderator.user
    if user is None or not user.can_moderate:
        raise Forbidden("moderator")
    with transaction.atomic():
        found = _profile_for_update(institution)
        found.isil_verified_at, found.verified_by = None, None
        found.save(update_fields=["isil_verified_at", "verified_by", "updated_at"])
        _log_verification(moderator, institution, ActionKind.UNVERIFY_INSTITUTION, found.isil)
    return found


def set_network(actor: Account, institution: Account, network: Account | None) -> Institution:
    """Join a network institution (one at most), or leave it with ``None``."""
    require_role(actor, institution, Role.MANAGER)
    if network is not None:
        _require_institution(network)
        if network.pk == institution.pk:
            raise ValidationError(_("An institution cannot be its own network."), code="network")
        if Institution.objects.filter(account=network, type=InstitutionType.NETWORK).count() == 0:
            raise ValidationError(_("This institution is not a network."), code="network")
    with transaction.atomic():
        found = _profile_for_update(institution)
        found.network = network
        found.save(update_fields=["network", "updated_at"])
    return found


# --- staff ---------------------------------------------------------------------------------


def add_member(actor: Account, institution: Account, member: Account, role: str) -> Membership:
    """Add a person of this instance to the staff, or change their role."""
    _require_institution(institution)
    require_role(actor, institution, Role.MANAGER)
    if role not in Role.values:
        raise ValidationError(_("Unknown role: use manager, editor or staff."), code="role")
    if member.kind != AccountKind.PERSON or not member.is_local or member.is_suspended:
        raise ValidationError(
            _("Staff members are people with an account on this instance."), code="member"
        )
    membership, created = Membership.objects.get_or_create(
        institution=institution, member=member, defaults={"role": role, "added_by": actor}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def remove_member(actor: Account, institution: Account, member: Account) -> None:
    """Remove a member; their grants to act as the institution are revoked with them."""
    _require_institution(institution)
    require_role(actor, institution, Role.MANAGER)
    with transaction.atomic():
        deleted, _rows = Membership.objects.filter(institution=institution, member=member).delete()
        if not deleted:
            raise NotFound(member.pk)
        ActingGrant.objects.filter(
            institution=institution, editor=member, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())


# --- acting as the institution -------------------------------------------------------------


def _audit(
    institution: Account,
    actor: Account,
    action: str,
    status_id: int | None = None,
    grant: ActingGrant | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        institution=institution,
        acting_account=actor,
        action=action,
        status_id=status_id,
        grant=grant,
    )


def _check_grant(grant: ActingGrant | None, editor: Account, institution: Account) -> None:
    if grant is None:
        return
    # Read the grant again: it may have been revoked since the token was checked.
    if not ActingGrant.objects.filter(
        pk=grant.pk, editor=editor, institution=institution, revoked_at__isnull=True
    ).exists():
        raise Forbidden("grant")


def create_acting_grant(editor: Account, institution: Account) -> ActingGrant:
    """An editor's right to act as the institution (the API issues a token for it)."""
    _require_institution(institution)
    if editor.pk == institution.pk or not has_role(editor, institution, Role.EDITOR):
        raise Forbidden(Role.EDITOR)
    with transaction.atomic():
        grant = ActingGrant.objects.create(institution=institution, editor=editor)
        _audit(institution, editor, AuditAction.GRANT, grant=grant)
    return grant


def attach_token(grant: ActingGrant, token_ref: str) -> ActingGrant:
    """Record which API token carries this grant, so revoking one finds the other."""
    ActingGrant.objects.filter(pk=grant.pk).update(token_ref=token_ref[:255])
    grant.token_ref = token_ref[:255]
    return grant


def carry_grant_to_token(code_ref: str, token_ref: str) -> None:
    """An authorisation code chosen "as the institution" became a token: the grant
    follows it."""
    ActingGrant.objects.filter(token_ref=code_ref, revoked_at__isnull=True).update(
        token_ref=token_ref
    )


def revoke_acting_grant(actor: Account, institution: Account, grant_id: int | str) -> ActingGrant:
    """Revoke a grant: by its editor, or by a manager of the institution."""
    try:
        grant = ActingGrant.objects.get(pk=int(grant_id), institution=institution)
    except (ActingGrant.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(grant_id) from None
    if actor.pk != grant.editor_id and not has_role(actor, institution, Role.MANAGER):
        raise Forbidden(Role.MANAGER)
    if grant.revoked_at is None:
        with transaction.atomic():
            grant.revoked_at = timezone.now()
            grant.save(update_fields=["revoked_at"])
            _audit(institution, actor, AuditAction.REVOKE, grant=grant)
    return grant


def post_as_institution(
    editor: Account,
    institution: Account,
    text: str,
    *,
    grant: ActingGrant | None = None,
    **options: Any,
) -> Status | ScheduledStatus:
    """Post, reply or schedule as the institution; the editor is recorded in the audit log.

    ``options`` are those of ``statuses.services.post_status``.
    """
    from babillard.statuses.services import post_status

    _require_institution(institution)
    if editor.pk != institution.pk:
        require_role(editor, institution, Role.EDITOR)
    _check_grant(grant, editor, institution)
    if options.get("visibility") == Visibility.INTERNAL and options.get("internal_to") is None:
        options["internal_to"] = institution
    with transaction.atomic():
        posted = post_status(institution, text, **options)
        if isinstance(posted, ScheduledStatus):
            action = AuditAction.SCHEDULE
        elif options.get("in_reply_to") is not None:
            action = AuditAction.REPLY
        else:
            action = AuditAction.POST
        _audit(institution, editor, action, posted.pk, grant)
    return posted


def reblog_as_institution(
    editor: Account, institution: Account, status: Status, *, grant: ActingGrant | None = None
) -> Status:
    from babillard.statuses.services import reblog

    _require_institution(institution)
    require_role(editor, institution, Role.EDITOR)
    _check_grant(grant, editor, institution)
    with transaction.atomic():
        boost = reblog(institution, status)
        _audit(institution, editor, AuditAction.REBLOG, boost.pk, grant)
    return boost


def delete_as_institution(
    editor: Account, institution: Account, status: Status, *, grant: ActingGrant | None = None
) -> None:
    from babillard.statuses.services import delete_own_status

    _require_institution(institution)
    require_role(editor, institution, Role.EDITOR)
    _check_grant(grant, editor, institution)
    with transaction.atomic():
        status_id = status.pk
        delete_own_status(institution, status)
        _audit(institution, editor, AuditAction.DELETE, status_id, grant)


def purge_audit_log(now: datetime | None = None) -> int:
    """Delete audit rows older than a year; returns how many went."""
    limit = (now or timezone.now()) - AUDIT_RETENTION
    deleted, _rows = AuditEntry.objects.filter(created_at__lt=limit).delete()
    return deleted


# --- internal posts ------------------------------------------------------------------------


def resolve_institution(
    account: Account, institution_id: int | str | None, role: str = Role.STAFF
) -> Account:
    """The institution an action is for: named, or implied when ``account`` has only one.

    The institution account itself is implied for itself. An unknown name, no
    institution at all or several to choose from is bad input (``ValidationError``,
    the API's 422); naming an institution where one lacks ``role`` is ``Forbidden``.
    """
    if institution_id not in (None, ""):
        try:
            institution = Account.objects.get(pk=int(institution_id), kind=AccountKind.INSTITUTION)  # type: ignore[arg-type]
        except (Account.DoesNotExist, ValueError, TypeError, OverflowError):
            raise ValidationError(_("Unknown institution."), code="institution_id") from None
        if not has_role(account, institution, role):
            raise Forbidden(role)
        return institution
    if account.kind == AccountKind.INSTITUTION:
        return account
    candidates = institutions_of(account, role)
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ValidationError(
            _("You are not on the staff of any institution."), code="institution_id"
        )
    raise ValidationError(
        _("You belong to several institutions: name one with institution_id."),
        code="institution_id",
    )


def post_internal(
    author: Account, text: str, *, institution_id: int | str | None = None, **options: Any
) -> Status | ScheduledStatus:
    """A staff-only post, for the one institution named or implied."""
    from babillard.statuses.services import post_status

    in_reply_to = options.get("in_reply_to")
    if in_reply_to is not None and in_reply_to.visibility == Visibility.INTERNAL:
        institution = in_reply_to.internal_to
    else:
        institution = resolve_institution(author, institution_id)
    options.pop("visibility", None)
    return post_status(
        author, text, visibility=Visibility.INTERNAL, internal_to=institution, **options
    )


# --- post templates ------------------------------------------------------------------------


def create_template(
    editor: Account,
    institution: Account,
    name: str,
    text: str,
    *,
    spoiler_text: str = "",
    language: str = "",
) -> PostTemplate:
    require_role(editor, institution, Role.EDITOR)
    name, text = name.strip(), text.strip()
    if not name or not text:
        raise ValidationError(_("A template has a name and a text."), code="template")
    if len(name) > 100:
        raise ValidationError(_("A template's name has at most 100 characters."), code="template")
    try:
        with transaction.atomic():
            return PostTemplate.objects.create(
                institution=institution,
                name=name,
                text=text,
                spoiler_text=spoiler_text.strip()[:500],
                language=language[:8],
            )
    except IntegrityError:
        raise ValidationError(
            _("A template with this name exists already."), code="template"
        ) from None


def delete_template(editor: Account, institution: Account, template_id: int | str) -> None:
    require_role(editor, institution, Role.EDITOR)
    try:
        deleted, _rows = PostTemplate.objects.filter(
            institution=institution, pk=int(template_id)
        ).delete()
    except (TypeError, ValueError):
        deleted = 0
    if not deleted:
        raise NotFound(template_id)


# --- sites -----------------------------------------------------------------------------------

SITE_FIELDS = {
    "name",
    "address",
    "postcode",
    "city",
    "latitude",
    "longitude",
    "time_zone",
    "opening_hours",
    "accessibility_notes",
}


def _clean_site(fields: dict[str, Any], creating: bool) -> dict[str, Any]:
    unknown = set(fields) - SITE_FIELDS
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))},
            code="invalid",
        )
    cleaned: dict[str, Any] = {}
    if creating or "name" in fields:
        name = str(fields.get("name") or "").strip()
        if not name or len(name) > 200:
            raise ValidationError(_("A site has a name of 1 to 200 characters."), code="name")
        cleaned["name"] = name
    for field, limit in (("address", 300), ("postcode", 16), ("city", 100)):
        if field in fields:
            value = str(fields[field] or "").strip()
            if len(value) > limit:
                raise ValidationError(
                    _("%(field)s has at most %(limit)d characters.")
                    % {"field": field, "limit": limit},
                    code=field,
                )
            cleaned[field] = value
    for field, bound in (("latitude", 90), ("longitude", 180)):
        if field in fields:
            value = fields[field]
            if value in (None, ""):
                cleaned[field] = None
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = float("nan")
            if isinstance(value, bool) or not -bound <= number <= bound:
                raise ValidationError(
                    _("%(field)s is a number between -%(bound)d and %(bound)d.")
                    % {"field": field, "bound": bound},
                    code=field,
                )
            cleaned[field] = number
    if "time_zone" in fields:
        cleaned["time_zone"] = hours.validate_time_zone(str(fields["time_zone"] or ""))
    if "opening_hours" in fields:
        cleaned["opening_hours"] = hours.validate_opening_hours(fields["opening_hours"])
    if "accessibility_notes" in fields:
        cleaned["accessibility_notes"] = str(fields["accessibility_notes"] or "").strip()
    return cleaned


def create_site(actor: Account, *, institution_id: int | str | None = None, **fields: Any) -> Site:
    """A new site, by the institution account or a manager (who names the institution
    with ``institution_id`` when they manage several)."""
    institution = resolve_institution(actor, institution_id, Role.MANAGER)
    _require_institution(institution)
    cleaned = _clean_site(fields, creating=True)
    return Site.objects.create(institution=institution, **cleaned)


def _site_for_manager(actor: Account, site: Site) -> Site:
    require_role(actor, site.institution, Role.MANAGER)
    return site


def update_site(actor: Account, site: Site, **fields: Any) -> Site:
    _site_for_manager(actor, site)
    cleaned = _clean_site(fields, creating=False)
    for field, value in cleaned.items():
        setattr(site, field, value)
    site.save()
    return site


def delete_site(actor: Account, site: Site) -> None:
    _site_for_manager(actor, site)
    site.delete()


def add_closure(
    actor: Account, site: Site, start: date, end: date, reason: str = ""
) -> SiteClosure:
    """An exceptional closure, both dates included, in the site's own calendar."""
    _site_for_manager(actor, site)
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        raise ValidationError(_("A closure ends on or after the day it starts."), code="closure")
    return SiteClosure.objects.create(site=site, start=start, end=end, reason=reason.strip()[:200])


def remove_closure(actor: Account, site: Site, closure_id: int | str) -> None:
    _site_for_manager(actor, site)
    deleted, _rows = SiteClosure.objects.filter(site=site, pk=int(closure_id)).delete()
    if not deleted:
        raise NotFound(closure_id)


def add_school_holiday(
    actor: Account, institution: Account, start: date, end: date, name: str = ""
) -> SchoolHoliday:
    """A school-holiday period, which forecasts treat apart from term time."""
    require_role(actor, institution, Role.MANAGER)
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        raise ValidationError(_("Holidays end on or after the day they start."), code="holidays")
    return SchoolHoliday.objects.create(
        institution=institution, start=start, end=end, name=name.strip()[:100]
    )
