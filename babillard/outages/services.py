"""Every write about e-resource platforms: the registry and its proposals, reports,
probe results, the computed status, incidents and subscriptions.

Front doors map onto these functions (``queries`` for the reads):

- POST /api/babillard/v1/platforms                -> create_platform (moderators)
- the "propose a platform" form                   -> propose_platform, approve_platform
- POST /api/babillard/v1/platforms/:id/reports    -> report_problem
- POST /api/babillard/v1/incidents/:id/updates    -> update_incident
- "me too" on an incident                         -> me_too (a report like any other)
- the subscribe button                            -> subscribe / unsubscribe
- the task worker's probes                        -> record_probe (``tasks.probe_platforms``)
- a peer's ``Create{OutageReport|ProbeResult}``    -> receive_report / record_probe
"""

import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from babillard.accounts.models import Account, AccountKind
from babillard.accounts.services import create_local_actor
from babillard.core import http, links
from babillard.core.errors import Forbidden
from babillard.core.tasks import enqueue_on_commit
from babillard.institutions.queries import institutions_of, profile, sites
from babillard.moderation.models import ActionKind
from babillard.notifications.models import NotificationType
from babillard.notifications.services import notify
from babillard.outages import queries
from babillard.outages.models import (
    Incident,
    IncidentState,
    IncidentUpdate,
    Peer,
    Platform,
    Probe,
    Problem,
    Report,
    State,
    Subscription,
)
from babillard.statuses.models import Status
from babillard.statuses.services import post_status

# A second report from the same account within this delay updates the first.
MERGE_WINDOW = timedelta(minutes=30)
COMMENT_MAX = 500
MESSAGE_MAX = 400
PROBE_TIMEOUT = 20.0
PROBE_MAX_BYTES = 8 * 1024 * 1024


def is_moderator(account: Account | None) -> bool:
    user = account.user if account is not None and account.is_local else None
    return bool(user is not None and user.can_moderate)


# --- checking input ------------------------------------------------------------------------


def _clean_url(value: Any, code: str) -> str:
    url = str(value or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(_("Enter a valid web address."), code=code) from None
    return url


def _clean_platform(fields: dict[str, Any]) -> dict[str, Any]:
    name = str(fields.get("name") or "").strip()
    if not name or len(name) > 100:
        raise ValidationError(_("Give a name of at most 100 characters."), code="name")
    raw_probes = fields.get("probe_urls") or []
    if isinstance(raw_probes, str):
        raw_probes = raw_probes.split()
    if not isinstance(raw_probes, list) or len(raw_probes) > 5:
        raise ValidationError(_("Give at most five addresses to check."), code="probe_urls")
    return {
        "name": name,
        "home_url": _clean_url(fields.get("url") or fields.get("home_url"), "url"),
        "probe_urls": [_clean_url(u, "probe_urls") for u in raw_probes if str(u).strip()],
        "vendor": str(fields.get("vendor") or "").strip()[:100],
        "status_page_url": (
            _clean_url(fields["status_page_url"], "status_page_url")
            if fields.get("status_page_url")
            else ""
        ),
    }


def slug_for(name: str) -> str:
    """A slug that is also a valid username for the platform's actor."""
    slug = slugify(name).replace("-", "_")[:30].strip("_")
    if not slug:
        raise ValidationError(_("The name needs letters or digits."), code="name")
    return slug


# --- the registry --------------------------------------------------------------------------


def _give_actor(platform: Platform) -> None:
    platform.actor = create_local_actor(
        platform.slug,
        display_name=platform.name,
        note=_("Incidents of %(name)s, as the libraries of this network see them.")
        % {"name": platform.name},
        kind=AccountKind.PERSON,
        bot=True,
    )
    platform.save(update_fields=["actor"])


@transaction.atomic
def create_platform(by: Account | None, **fields: Any) -> Platform:
    """Add a platform (moderators, or ``by`` None for the loading command) and its actor."""
    if by is not None and not is_moderator(by):
        raise Forbidden("moderator")
    cleaned = _clean_platform(fields)
    slug = slug_for(str(fields.get("slug") or cleaned["name"]))
    if Platform.objects.filter(slug=slug).exists():
        raise ValidationError(_("A platform with this name already exists."), code="name")
    platform = Platform.objects.create(slug=slug, approved=True, **cleaned)
    _give_actor(platform)
    return platform


@transaction.atomic
def propose_platform(by: Account, **fields: Any) -> Platform:
    """A member's proposal, waiting in the moderators' queue."""
    cleaned = _clean_platform(fields)
    slug = slug_for(cleaned["name"])
    if Platform.objects.filter(slug=slug).exists():
        raise ValidationError(_("A platform with this name already exists."), code="name")
    return Platform.objects.create(slug=slug, approved=False, proposed_by=by, **cleaned)


@transaction.atomic
def approve_platform(by: Account, platform: Platform) -> Platform:
    if not is_moderator(by):
        raise Forbidden("moderator")
    platform = Platform.objects.select_for_update().get(pk=platform.pk)
    if not platform.approved:
        platform.approved = True
        platform.save(update_fields=["approved"])
        _give_actor(platform)
        _log_decision(by, ActionKind.APPROVE_PLATFORM, platform)
    return platform


@transaction.atomic
def reject_platform(by: Account, platform: Platform) -> None:
    if not is_moderator(by):
        raise Forbidden("moderator")
    deleted, _rows = Platform.objects.filter(pk=platform.pk, approved=False).delete()
    if deleted:
        _log_decision(by, ActionKind.REJECT_PLATFORM, platform)


def _log_decision(moderator: Account, kind: str, platform: Platform) -> None:
    from babillard.moderation.services import record_action

    record_action(moderator, kind, details={"platform": platform.name, "slug": platform.slug})


def load_platforms(rows: Iterable[dict[str, Any]]) -> list[Platform]:
    """Add the platforms of ``rows`` that are not there yet (by slug); returns the new ones."""
    added = []
    for row in rows:
        slug = slug_for(str(row.get("slug") or row["name"]))
        if Platform.objects.filter(slug=slug).exists():
            continue
        added.append(create_platform(None, **{**row, "slug": slug}))
    return added


# --- reports -------------------------------------------------------------------------------


def placement(account: Account) -> tuple[str, str, str]:
    """``(institution_key, institution_name, city)`` of a report by ``account``.

    The reporter counts for its institution (itself if it is one, else the first
    institution it works for) and is placed in that institution's first site's
    city, else in the city of its own profile.
    """
    if account.kind == AccountKind.INSTITUTION:
        institution: Account | None = account
    else:
        found = institutions_of(account)
        institution = found[0] if found else None
    if institution is None:
        return account.uri or links.account_uri(account.username), "", account.city
    site = sites(institution.pk).order_by("pk").first()
    city = (site.city if site is not None else "") or institution.city or account.city
    name = profile(institution).name
    return institution.uri or links.account_uri(institution.username), name, city


def _clean_problem(problem: Any) -> str:
    if problem not in Problem.values:
        raise ValidationError(
            _("Choose the problem among: down, slow, login, partial, other."), code="problem"
        )
    return str(problem)


@transaction.atomic
def report_problem(account: Account, platform: Platform, problem: Any, comment: Any = "") -> Report:
    """One tap: report a problem; a second report within 30 minutes updates the first."""
    problem = _clean_problem(problem)
    comment = str(comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError(_("A comment has at most 500 characters."), code="comment")
    if not platform.approved:
        raise ValidationError(_("This platform is not in the registry yet."), code="platform")
    now = timezone.now()
    key, name, city = placement(account)
    report = (
        Report.objects.select_for_update()
        .filter(account=account, platform=platform, updated_at__gte=now - MERGE_WINDOW)
        .first()
    )
    if report is None:
        report = Report.objects.create(
            platform=platform,
            account=account,
            institution_key=key,
            institution_name=name,
            city=city,
            problem=problem,
            comment=comment,
            created_at=now,
            updated_at=now,
        )
    else:
        report.problem, report.comment, report.updated_at = problem, comment, now
        report.institution_key, report.institution_name, report.city = key, name, city
        report.save()
    evaluate(platform)
    from babillard.outages import tasks

    enqueue_on_commit(tasks.share_report, report.pk)
    return report


@transaction.atomic
def receive_report(origin: str, platform: Platform, fields: dict[str, Any]) -> Report:
    """A report a peer instance made, identified by its ``uri`` (sent again when updated)."""
    problem = _clean_problem(fields.get("problem"))
    uri = str(fields["uri"])
    values = {
        "platform": platform,
        "institution_key": str(fields.get("institution") or uri)[:2000],
        "institution_name": str(fields.get("institution_name") or "")[:200],
        "city": str(fields.get("city") or "")[:100],
        "problem": problem,
        "comment": str(fields.get("comment") or "")[:COMMENT_MAX],
        "origin": origin,
        "updated_at": min(fields.get("updated") or timezone.now(), timezone.now()),
    }
    report, _created = Report.objects.update_or_create(uri=uri, defaults=values)
    evaluate(platform)
    return report


@transaction.atomic
def me_too(account: Account, incident: Incident) -> Report:
    """ "Me too" on an incident counts as a report that the platform is down."""
    return report_problem(account, incident.platform, Problem.DOWN)


# --- probes --------------------------------------------------------------------------------


def record_probe(
    platform: Platform,
    url: str,
    *,
    ok: bool,
    status_code: int | None = None,
    latency_ms: int | None = None,
    tls_expires_at: datetime | None = None,
    error: str = "",
    origin: str = "",
    checked_at: datetime | None = None,
) -> Probe:
    """Store one check of one URL (ours, or a peer's with its ``origin``) and re-evaluate."""
    with transaction.atomic():
        probe = Probe.objects.create(
            platform=platform,
            url=url[:500],
            origin=origin,
            ok=ok,
            status_code=status_code,
            latency_ms=latency_ms,
            tls_expires_at=tls_expires_at,
            error=error[:300],
            checked_at=min(checked_at or timezone.now(), timezone.now()),
        )
        evaluate(platform)
        if not origin:
            from babillard.outages import tasks

            enqueue_on_commit(tasks.share_probe, probe.pk)
    return probe


# --- the status ----------------------------------------------------------------------------


def evaluate(platform: Platform) -> str:
    """Compute the platform's state again; open an incident at a probable outage."""
    state = queries.compute_state(platform)
    if state != platform.state:
        Platform.objects.filter(pk=platform.pk).update(state=state, state_changed_at=timezone.now())
        platform.state = state
    if state in (State.PROBABLE_OUTAGE, State.OUTAGE) and queries.open_incident(platform) is None:
        _open_incident(platform)
    return state


def _open_incident(platform: Platform) -> Incident:
    incident = Incident.objects.create(platform=platform)
    _add_update(incident, IncidentState.INVESTIGATING, "", None)
    return incident


# --- incidents -----------------------------------------------------------------------------


def may_update(account: Account | None, platform: Platform) -> bool:
    """Moderators, the vendor's account and the staff of verified institutions."""
    if account is None:
        return False
    if is_moderator(account) or (
        platform.vendor_account_id is not None and platform.vendor_account_id == account.pk
    ):
        return True
    mine = [account] if account.kind == AccountKind.INSTITUTION else institutions_of(account)
    return any(profile(institution).verified for institution in mine)


def _post_text(incident: Incident, state: str, message: str) -> str:
    platform = incident.platform
    with translation.override(settings.LANGUAGE_CODE):
        label = str(IncidentState(state).label)
        text = _("%(platform)s: %(state)s.") % {"platform": platform.name, "state": label}
        if message:
            text += f" {message}"
        page = links.absolute(f"/platforms/{platform.slug}")
        return f"{text}\n{page}"


def _add_update(
    incident: Incident, state: str, message: str, author: Account | None
) -> IncidentUpdate:
    update = IncidentUpdate.objects.create(
        incident=incident, state=state, message=message, author=author
    )
    platform = incident.platform
    if platform.actor is not None:
        post = post_status(
            platform.actor, _post_text(incident, state, message)[:480], visibility="public"
        )
        if isinstance(post, Status):
            update.post = post
            update.save(update_fields=["post"])
    from babillard.outages import tasks

    enqueue_on_commit(tasks.notify_subscribers, update.pk)
    return update


@transaction.atomic
def update_incident(
    by: Account, incident: Incident, state: Any, message: Any = ""
) -> IncidentUpdate:
    """Add a step to an incident; ``resolved`` closes it."""
    incident = Incident.objects.select_for_update().select_related("platform").get(pk=incident.pk)
    if not may_update(by, incident.platform):
        raise Forbidden("incident")
    if state not in IncidentState.values:
        raise ValidationError(
            _("Choose the state among: investigating, identified, monitoring, resolved."),
            code="state",
        )
    message = str(message or "").strip()
    if len(message) > MESSAGE_MAX:
        raise ValidationError(_("A message has at most 400 characters."), code="message")
    if not incident.is_open:
        raise ValidationError(_("This incident is already resolved."), code="state")
    incident.state = state
    if state == IncidentState.RESOLVED:
        incident.resolved_at = timezone.now()
    incident.save(update_fields=["state", "resolved_at"])
    update = _add_update(incident, state, message, by)
    evaluate(incident.platform)
    return update


def deliver_to_subscribers(update: IncidentUpdate) -> int:
    """Tell each subscriber in the app (the actor's post) and by e-mail if they asked."""
    from django.core.mail import send_mail

    incident = update.incident
    platform = incident.platform
    told = 0
    subscriptions = Subscription.objects.filter(platform=platform).select_related("account__user")
    for subscription in subscriptions:
        account = subscription.account
        if update.post is not None and platform.actor is not None:
            notify(account, platform.actor, NotificationType.STATUS, update.post)
        user = account.user
        if subscription.email and user is not None and user.email and user.email_confirmed:
            with translation.override(user.locale or settings.LANGUAGE_CODE):
                subject = _("%(platform)s: %(state)s") % {
                    "platform": platform.name,
                    "state": IncidentState(update.state).label,
                }
                body = _post_text(incident, update.state, update.message)
            send_mail(str(subject), body, None, [user.email], fail_silently=True)
        told += 1
    return told


# --- subscriptions -------------------------------------------------------------------------


def subscribe(account: Account, platform: Platform, *, email: bool = True) -> Subscription:
    try:
        with transaction.atomic():
            subscription, _created = Subscription.objects.update_or_create(
                platform=platform, account=account, defaults={"email": email}
            )
    except IntegrityError:
        subscription = Subscription.objects.get(platform=platform, account=account)
    return subscription


def unsubscribe(account: Account, platform: Platform) -> None:
    Subscription.objects.filter(platform=platform, account=account).delete()


def probe(platform: Platform, url: str) -> Probe:
    """Check one URL through the SSRF-safe client: status, latency and TLS expiry.

    An answer below 400 is up; a refused address, a network or TLS failure, or an
    error status is down, with the reason kept.
    """
    started = time.monotonic()
    try:
        answer = http.request("GET", url, timeout=PROBE_TIMEOUT, max_bytes=PROBE_MAX_BYTES)
    except http.HttpError as error:
        return record_probe(platform, url, ok=False, error=str(error))
    latency = int((time.monotonic() - started) * 1000)
    return record_probe(
        platform,
        url,
        ok=answer.status_code < 400,
        status_code=answer.status_code,
        latency_ms=latency,
        tls_expires_at=answer.tls_expires_at,
        error="" if answer.status_code < 400 else f"HTTP {answer.status_code}",
    )


# --- peers ---------------------------------------------------------------------------------


def add_peer(domain: str) -> Peer:
    """Exchange reports and probe results with ``domain`` (it must list this one too)."""
    domain = domain.strip().lower()
    if not domain or "/" in domain or domain == settings.DOMAIN.lower():
        raise ValidationError(_("Give the host name of another instance."), code="domain")
    peer, _created = Peer.objects.get_or_create(domain=domain)
    return peer


def remove_peer(domain: str) -> None:
    Peer.objects.filter(domain=domain.strip().lower()).delete()
