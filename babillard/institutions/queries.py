"""Reads about institutions shared by the front doors, and the membership rule the
core's visibility uses for internal posts.

``internal_audience`` and ``in_internal_audience`` are the only things
``statuses.queries`` reads from this app (imported inside its functions, so the
core does not load a feature app at import time): they say who belongs to an
institution, and nothing else.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from babillard.accounts.models import Account, AccountKind, Visibility
from babillard.core.errors import Forbidden, NotFound
from babillard.core.pagination import Page, paginate
from babillard.institutions.models import (
    ROLE_RANK,
    ActingGrant,
    AuditEntry,
    Institution,
    InstitutionType,
    Membership,
    PostTemplate,
    Role,
    Site,
)

# --- membership, as the core's visibility rule reads it ---------------------------------


def internal_audience(viewer: Account) -> Q:
    """A filter on ``Status``: internal posts of the institutions ``viewer`` belongs to."""
    member_of = Membership.objects.filter(member=viewer).values("institution_id")
    return Q(internal_to=viewer) | Q(internal_to__in=member_of)


def internal_audience_ids(institution_id: int) -> set[int]:
    """The accounts that may read the institution's internal posts: itself and its members."""
    members = Membership.objects.filter(institution_id=institution_id).values_list(
        "member_id", flat=True
    )
    return {institution_id, *members}


def in_internal_audience(viewer: Account | None, institution_id: int | None) -> bool:
    """Whether ``viewer`` is the institution itself or one of its members."""
    if viewer is None or institution_id is None:
        return False
    if viewer.pk == institution_id:
        return True
    return Membership.objects.filter(member=viewer, institution_id=institution_id).exists()


# --- roles ----------------------------------------------------------------------------------


def role_of(account: Account | None, institution: Account) -> str | None:
    """The member's role, or ``None``; the institution account holds every role."""
    if account is None:
        return None
    if account.pk == institution.pk:
        return Role.MANAGER
    return (
        Membership.objects.filter(member=account, institution=institution)
        .values_list("role", flat=True)
        .first()
    )


def has_role(account: Account | None, institution: Account, role: str) -> bool:
    """Roles include those below them: a manager is also an editor and staff."""
    held = role_of(account, institution)
    return held is not None and ROLE_RANK[Role(held)] >= ROLE_RANK[Role(role)]


def require_role(account: Account | None, institution: Account, role: str) -> None:
    if not has_role(account, institution, role):
        raise Forbidden(role)


def institutions_of(account: Account, role: str = Role.STAFF) -> list[Account]:
    """The institutions where ``account`` holds ``role`` or more, by name."""
    roles = [r for r, rank in ROLE_RANK.items() if rank >= ROLE_RANK[Role(role)]]
    return list(
        Account.objects.filter(staff__member=account, staff__role__in=roles).order_by("username")
    )


def staff(viewer: Account, institution: Account) -> QuerySet[Membership]:
    """``GET /api/babillard/v1/institutions/:id/staff``: the institution itself or a manager."""
    require_role(viewer, institution, Role.MANAGER)
    return (
        Membership.objects.filter(institution=institution)
        .select_related("member")
        .order_by("member__username")
    )


# --- profiles ------------------------------------------------------------------------------


def get_institution_account(account_id: int | str) -> Account:
    """A local institution account, or ``NotFound``."""
    try:
        return Account.objects.get(
            pk=int(account_id), kind=AccountKind.INSTITUTION, domain="", suspended_at__isnull=True
        )
    except (Account.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(account_id) from None


def profile(account: Account) -> Institution:
    """The institution's profile; an unsaved default one if it never was edited."""
    found = Institution.objects.filter(account=account).first()
    if found is None:
        found = Institution(account=account, official_name=account.display_name)
    return found


def get_institution(account_id: int | str) -> Institution:
    """``GET /api/babillard/v1/institutions/:account_id``."""
    return profile(get_institution_account(account_id))


def institution_entity(account: Account) -> dict[str, object] | None:
    """The ``babillard.institution`` object of an account's API entity, or ``None``."""
    return institution_entities([account]).get(account.pk)


def institution_entities(accounts: Iterable[Account]) -> dict[int, dict[str, object]]:
    """``institution_entity`` of many accounts in one query, by account id; accounts
    that are not local institutions are left out."""
    wanted = {a.pk: a for a in accounts if a.is_local and a.kind == AccountKind.INSTITUTION}
    if not wanted:
        return {}
    saved = {i.account_id: i for i in Institution.objects.filter(account_id__in=wanted)}
    entities: dict[int, dict[str, object]] = {}
    for pk, account in wanted.items():
        found = saved.get(pk) or Institution(account=account, official_name=account.display_name)
        entities[pk] = {
            "type": found.type,
            "isil": found.isil or None,
            "verified": found.verified,
            "network_id": str(found.network_id) if found.network_id else None,
        }
    return entities


def actor_properties(account: Account) -> list[dict[str, str]]:
    """The ``PropertyValue`` attachments of an institution's ActivityPub actor (an
    ``Organization``): its ISIL and whether a moderator verified it."""
    found = profile(account)
    if not found.isil:
        return []
    return [
        {"type": "PropertyValue", "name": "ISIL", "value": found.isil},
        {
            "type": "PropertyValue",
            "name": "ISIL verified",
            "value": (
                found.isil_verified_at.date().isoformat()
                if found.isil_verified_at is not None
                else "no"
            ),
        },
    ]


def catalogue_url(found: Institution, *, isbn: str = "", query: str = "") -> str | None:
    """A search in the institution's catalogue, from its URL template; ``None`` without one.

    A template with ``{query}`` only is given the ISBN as its query.
    """
    template = found.catalogue_url_template
    if not template or not (isbn or query):
        return None
    if isbn and "{isbn}" not in template:
        query = query or isbn
    if "{isbn}" in template and not isbn and "{query}" not in template:
        return None
    return template.replace("{isbn}", quote(isbn, safe="")).replace(
        "{query}", quote(query, safe="")
    )


def network_members(network: Account) -> list[Institution]:
    """The institutions that belong to a network, with their sites prefetched."""
    return list(
        Institution.objects.filter(network=network)
        .select_related("account")
        .prefetch_related("account__sites")
        .order_by("official_name", "account__username")
    )


def networks() -> QuerySet[Institution]:
    return Institution.objects.filter(type=InstitutionType.NETWORK).select_related("account")


# --- acting as the institution ------------------------------------------------------------


def active_grant(grant_id: int | str) -> ActingGrant | None:
    """A grant that still acts: not revoked, and its editor still an editor."""
    try:
        grant = ActingGrant.objects.select_related("institution", "editor").get(pk=int(grant_id))
    except (ActingGrant.DoesNotExist, ValueError, TypeError, OverflowError):
        return None
    if not grant.is_active or not has_role(grant.editor, grant.institution, Role.EDITOR):
        return None
    return grant


def acting_code_ref(code_id: int) -> str:
    """How a grant names the OAuth authorisation code chosen "as the institution"."""
    return f"oauth-code:{code_id}"


def acting_token_ref(token_id: int) -> str:
    """How a grant names the OAuth token that carries it."""
    return f"oauth-token:{token_id}"


def carried_token_id(grant: ActingGrant) -> int | None:
    """The id of the OAuth token a grant is carried by, if a token carries it yet."""
    prefix = acting_token_ref(0).removesuffix("0")
    if not grant.token_ref.startswith(prefix):
        return None
    return int(grant.token_ref.removeprefix(prefix))


def grant_carried_by(token_id: int) -> ActingGrant | None:
    """The grant an OAuth token carries, active or not; ``None`` for an ordinary token."""
    return (
        ActingGrant.objects.select_related("institution", "editor")
        .filter(token_ref=acting_token_ref(token_id))
        .first()
    )


def grant_acts(grant: ActingGrant) -> bool:
    """Whether a grant still acts: not revoked, its editor still an editor, the
    institution not suspended."""
    return (
        grant.is_active
        and not grant.institution.is_suspended
        and has_role(grant.editor, grant.institution, Role.EDITOR)
    )


def audit_log(viewer: Account, institution: Account, **page: object) -> Page[AuditEntry]:
    """``GET /api/babillard/v1/institutions/:id/audit``: managers only, newest first."""
    require_role(viewer, institution, Role.MANAGER)
    entries = AuditEntry.objects.filter(institution=institution).select_related("acting_account")
    return paginate(entries, **page)  # type: ignore[arg-type]


def templates(viewer: Account, institution: Account) -> QuerySet[PostTemplate]:
    require_role(viewer, institution, Role.EDITOR)
    return PostTemplate.objects.filter(institution=institution)


def editorial_calendar(
    viewer: Account, institution: Account, start: date, days: int = 7
) -> dict[date, list[object]]:
    """The institution's scheduled posts by local day, from ``start`` for ``days`` days.

    Days without posts are present with an empty list, so a page draws a week.
    """
    from babillard.statuses.models import ScheduledStatus

    require_role(viewer, institution, Role.EDITOR)
    zone = ZoneInfo(timezone.get_current_timezone_name())
    begin = datetime.combine(start, time.min, tzinfo=zone)
    end = begin + timedelta(days=days)
    by_day: dict[date, list[object]] = {start + timedelta(days=i): [] for i in range(days)}
    found = ScheduledStatus.objects.filter(
        account=institution, scheduled_at__gte=begin, scheduled_at__lt=end
    ).order_by("scheduled_at")
    grouped: dict[date, list[object]] = defaultdict(list)
    for scheduled in found:
        grouped[scheduled.scheduled_at.astimezone(zone).date()].append(scheduled)
    for day, items in grouped.items():
        if day in by_day:
            by_day[day] = items
    return by_day


# --- internal timeline ---------------------------------------------------------------------


def internal_timeline(viewer: Account, institution: Account, **page: object) -> Page:  # type: ignore[type-arg]
    """``GET /api/babillard/v1/institutions/:id/timeline``: the staff-only posts, newest first."""
    from babillard.statuses.queries import visible_statuses, with_relations

    if not in_internal_audience(viewer, institution.pk):
        raise NotFound(institution.pk)
    found = visible_statuses(viewer).filter(visibility=Visibility.INTERNAL, internal_to=institution)
    return paginate(with_relations(found), **page)  # type: ignore[arg-type]


# --- sites -----------------------------------------------------------------------------------


def sites(institution_id: int | str | None = None) -> QuerySet[Site]:
    """``GET /api/babillard/v1/sites?institution_id=``: sites of the instance by city."""
    found = Site.objects.filter(
        institution__suspended_at__isnull=True, institution__domain=""
    ).select_related("institution")
    if institution_id not in (None, ""):
        try:
            found = found.filter(institution_id=int(institution_id))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return found.none()
    return found.order_by("city", "name")


def get_site(site_id: int | str) -> Site:
    """``GET /api/babillard/v1/sites/:id``, or ``NotFound``."""
    try:
        return sites().get(pk=int(site_id))
    except (Site.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(site_id) from None


def sites_by_city() -> dict[str, list[Site]]:
    grouped: dict[str, list[Site]] = defaultdict(list)
    for site in sites():
        grouped[site.city].append(site)
    return dict(grouped)
