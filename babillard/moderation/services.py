"""Reports and moderators' actions; every action leaves a row in the audit log."""

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from babillard.accounts.models import Account, FollowRequest, User
from babillard.core import ratelimits
from babillard.core.errors import Forbidden, NotFound
from babillard.federation import outbox
from babillard.moderation.models import (
    AccountDomainBlock,
    ActionKind,
    DomainBlock,
    DomainSeverity,
    ModerationAction,
    Report,
    ReportCategory,
)
from babillard.notifications.models import NotificationType
from babillard.notifications.services import notify
from babillard.statuses.models import Status
from babillard.statuses.queries import can_see
from babillard.statuses.services import delete_status

ROLE_FLAGS = ("is_moderator", "is_staff", "is_superuser")


def _require_moderator(moderator: Account) -> None:
    if moderator.user is None or not moderator.user.can_moderate:
        raise Forbidden(moderator.pk)


def report(
    reporter: Account,
    target: Account,
    *,
    statuses: Sequence[Status] = (),
    category: str = ReportCategory.OTHER,
    comment: str = "",
    forward: bool = False,
) -> Report:
    """Report an account, and optionally some of its posts, to the moderators."""
    if reporter == target:
        raise ValidationError(_("You cannot report yourself."), code="self")
    if category not in ReportCategory.values:
        raise ValidationError(_("Unknown report category."), code="category")
    if len(comment) > 1000:
        raise ValidationError(_("A report comment has at most 1000 characters."), code="too_long")
    for status in statuses:
        if status.account_id != target.pk or not can_see(reporter, status):
            raise ValidationError(
                _("A reported post must be one of this account's posts."), code="status"
            )
    ratelimits.spend(reporter, "reports")
    with transaction.atomic():
        created = _file_report(
            reporter, target, statuses, category=category, comment=comment, forward=forward
        )
        if forward and not target.is_local:
            outbox.deliver_flag(created)
    return created


def _file_report(
    reporter: Account,
    target: Account,
    statuses: Sequence[Status],
    *,
    category: str = ReportCategory.OTHER,
    comment: str = "",
    forward: bool = False,
    uri: str = "",
) -> Report:
    created = Report.objects.create(
        reporter=reporter,
        target=target,
        category=category,
        comment=comment.strip(),
        forward=forward,
        uri=uri,
    )
    created.statuses.set(statuses)
    for moderator in Account.objects.filter(user__is_moderator=True).exclude(pk=target.pk):
        notification = notify(moderator, reporter, NotificationType.ADMIN_REPORT)
        if notification:
            notification.report = created
            notification.save(update_fields=["report"])
    return created


def receive_remote_report(
    reporter: Account, target: Account, statuses: Sequence[Status], *, comment: str, uri: str
) -> Report:
    """A report another server forwarded (an ActivityPub ``Flag``) about a local account.

    The posts must be the target's own local posts; the comment is cut to the
    length of a local report's.
    """
    if reporter.is_local or not target.is_local:
        raise ValidationError(_("Only reports about local accounts are received."), code="remote")
    if any(s.account_id != target.pk for s in statuses):
        raise ValidationError(
            _("A reported post must be one of this account's posts."), code="status"
        )
    existing = Report.objects.filter(uri=uri, target=target).first() if uri else None
    if existing is not None:
        return existing
    with transaction.atomic():
        return _file_report(reporter, target, statuses, comment=comment[:1000], uri=uri)


def record_action(
    actor: Account | None,
    kind: str,
    target: Account | None = None,
    report: Report | None = None,
    text: str = "",
    details: dict[str, Any] | None = None,
) -> ModerationAction:
    """Write one row of the audit log. Call it inside the action's own transaction."""
    described = {"account": target.acct} if target is not None else {}
    return ModerationAction.objects.create(
        moderator=actor,
        kind=kind,
        target=target,
        report=report,
        text=text.strip()[:1000],
        details={**described, **(details or {})},
    )


def change_role(admin: Account | None, user: User, before: dict[str, bool]) -> None:
    """Log a change of ``user``'s roles (moderator, administrator) made by ``admin``.

    Roles are changed in the Django admin, which calls this in its own transaction.
    ``before`` holds the flags as they were; nothing is logged when none changed.
    """
    after = {name: bool(getattr(user, name)) for name in ROLE_FLAGS}
    changed = {name: after[name] for name in ROLE_FLAGS if before.get(name) != after[name]}
    if changed:
        record_action(admin, ActionKind.CHANGE_ROLE, user.account, details={"roles": changed})


def _close(report: Report | None, moderator: Account) -> None:
    if report is not None and report.resolved_at is None:
        report.resolved_at = timezone.now()
        report.resolved_by = moderator
        report.save(update_fields=["resolved_at", "resolved_by"])


def suspend(
    moderator: Account, target: Account, *, report: Report | None = None, text: str = ""
) -> None:
    """Hide an account and everything it posted; it can no longer log in."""
    _require_moderator(moderator)
    with transaction.atomic():
        target.suspended_at = timezone.now()
        target.save(update_fields=["suspended_at"])
        if target.user:
            User.objects.filter(pk=target.user.pk).update(is_active=False)
        record_action(moderator, ActionKind.SUSPEND, target, report, text)
        _close(report, moderator)


def unsuspend(moderator: Account, target: Account, *, text: str = "") -> None:
    _require_moderator(moderator)
    with transaction.atomic():
        target.suspended_at = None
        target.save(update_fields=["suspended_at"])
        if target.user:
            User.objects.filter(pk=target.user.pk).update(is_active=True)
        record_action(moderator, ActionKind.UNSUSPEND, target, None, text)


def silence(
    moderator: Account, target: Account, *, report: Report | None = None, text: str = ""
) -> None:
    """Limit an account: its posts stay visible to its followers but leave public timelines."""
    _require_moderator(moderator)
    with transaction.atomic():
        target.silenced_at = timezone.now()
        target.save(update_fields=["silenced_at"])
        record_action(moderator, ActionKind.SILENCE, target, report, text)
        _close(report, moderator)


def unsilence(moderator: Account, target: Account, *, text: str = "") -> None:
    _require_moderator(moderator)
    with transaction.atomic():
        target.silenced_at = None
        target.save(update_fields=["silenced_at"])
        record_action(moderator, ActionKind.UNSILENCE, target, None, text)


def remove_status(
    moderator: Account, status: Status, *, report: Report | None = None, text: str = ""
) -> None:
    _require_moderator(moderator)
    with transaction.atomic():
        record_action(
            moderator,
            ActionKind.DELETE_STATUS,
            status.account,
            report,
            text,
            details={"status_id": str(status.pk), "status_text": status.text[:500]},
        )
        delete_status(status)


def resolve(moderator: Account, report: Report, *, text: str = "") -> None:
    _require_moderator(moderator)
    with transaction.atomic():
        record_action(moderator, ActionKind.RESOLVE, report.target, report, text)
        _close(report, moderator)


def approve_sign_up(moderator: Account, user: User) -> None:
    _require_moderator(moderator)
    with transaction.atomic():
        user.approved = True
        user.save(update_fields=["approved"])
        record_action(moderator, ActionKind.APPROVE, user.account)


def reject_sign_up(moderator: Account, user: User) -> None:
    _require_moderator(moderator)
    if user.approved:
        raise NotFound(user.pk)
    from babillard.accounts.services import delete_user

    with transaction.atomic():
        record_action(moderator, ActionKind.REJECT, details={"username": user.username})
        delete_user(user)


# --- Domain blocks -------------------------------------------------------------

_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"^{_LABEL}(\.{_LABEL})*(:\d{{1,5}})?$")


def normalize_domain(value: str) -> str:
    """A server's domain as accounts store it: lower case, no scheme, path or ``@user``."""
    text = value.strip().lower()
    if "://" in text:
        text = urlsplit(text).netloc
    text = text.rsplit("@", 1)[-1].strip("/ .")
    if not _DOMAIN.match(text) or ("." not in text and ":" not in text):
        raise ValidationError(_("Enter a server's domain, such as example.org."), code="domain")
    if text == settings.DOMAIN.lower():
        raise ValidationError(_("You cannot block this server itself."), code="domain")
    return text


def block_domain(
    moderator: Account,
    domain: str,
    *,
    severity: str = DomainSeverity.SUSPEND,
    reject_media: bool = False,
    public_comment: str = "",
) -> DomainBlock:
    """Block a remote server for the whole instance, or change how it is blocked."""
    _require_moderator(moderator)
    domain = normalize_domain(domain)
    if severity not in DomainSeverity.values:
        raise ValidationError(_("Unknown severity."), code="severity")
    if severity == DomainSeverity.NOOP and not reject_media:
        raise ValidationError(_("Choose a severity or refuse the server's media."), code="severity")
    with transaction.atomic():
        blocked, _created = DomainBlock.objects.update_or_create(
            domain=domain,
            defaults={
                "severity": severity,
                "reject_media": reject_media or severity == DomainSeverity.SUSPEND,
                "public_comment": public_comment.strip()[:1000],
            },
        )
        if severity == DomainSeverity.SILENCE:
            Account.objects.filter(domain__iexact=domain, silenced_at__isnull=True).update(
                silenced_at=timezone.now()
            )
        record_action(
            moderator,
            ActionKind.BLOCK_DOMAIN,
            details={
                "domain": domain,
                "severity": severity,
                "reject_media": blocked.reject_media,
                "public_comment": blocked.public_comment,
            },
        )
    return blocked


def unblock_domain(moderator: Account, domain: str) -> None:
    _require_moderator(moderator)
    with transaction.atomic():
        deleted, _count = DomainBlock.objects.filter(domain__iexact=domain.strip()).delete()
        if not deleted:
            raise NotFound(domain)
        record_action(
            moderator, ActionKind.UNBLOCK_DOMAIN, details={"domain": domain.strip().lower()}
        )


def hide_domain(account: Account, domain: str) -> AccountDomainBlock:
    """Hide a whole remote server from one person, with Mastodon's effects.

    Its accounts' posts and notifications disappear for the person (unless the
    person follows them), its accounts stop following the person (each is sent
    a Reject), and their pending follow requests are rejected.
    """
    from babillard.accounts.services import reject_follow_request, remove_follower

    domain = normalize_domain(domain)
    with transaction.atomic():
        hidden, _created = AccountDomainBlock.objects.get_or_create(account=account, domain=domain)
        for follower in Account.objects.filter(following_rel__target=account, domain=domain):
            remove_follower(account, follower)
        for request in FollowRequest.objects.filter(target=account, account__domain=domain):
            reject_follow_request(account, request.account)
    return hidden


def unhide_domain(account: Account, domain: str) -> None:
    AccountDomainBlock.objects.filter(account=account, domain=domain.strip().lower()).delete()
