"""Reports and moderators' actions; every action leaves a row in the audit log."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from babillard.accounts.models import Account, User
from babillard.core.errors import Forbidden, NotFound
from babillard.moderation.models import ActionKind, ModerationAction, Report, ReportCategory
from babillard.notifications.models import NotificationType
from babillard.notifications.services import notify
from babillard.statuses.models import Status
from babillard.statuses.queries import can_see
from babillard.statuses.services import delete_status


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
    with transaction.atomic():
        created = Report.objects.create(
            reporter=reporter,
            target=target,
            category=category,
            comment=comment.strip(),
            forward=forward,
        )
        created.statuses.set(statuses)
        for moderator in Account.objects.filter(user__is_moderator=True).exclude(pk=target.pk):
            notification = notify(moderator, reporter, NotificationType.ADMIN_REPORT)
            if notification:
                notification.report = created
                notification.save(update_fields=["report"])
    return created


def _log(
    moderator: Account,
    kind: str,
    target: Account | None,
    report: Report | None = None,
    text: str = "",
) -> None:
    ModerationAction.objects.create(
        moderator=moderator, kind=kind, target=target, report=report, text=text
    )


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
        _log(moderator, ActionKind.SUSPEND, target, report, text)
        _close(report, moderator)


def unsuspend(moderator: Account, target: Account, *, text: str = "") -> None:
    _require_moderator(moderator)
    with transaction.atomic():
        target.suspended_at = None
        target.save(update_fields=["suspended_at"])
        if target.user:
            User.objects.filter(pk=target.user.pk).update(is_active=True)
        _log(moderator, ActionKind.UNSUSPEND, target, None, text)


def silence(
    moderator: Account, target: Account, *, report: Report | None = None, text: str = ""
) -> None:
    """Limit an account: its posts stay visible to its followers but leave public timelines."""
    _require_moderator(moderator)
    with transaction.atomic():
        target.silenced_at = timezone.now()
        target.save(update_fields=["silenced_at"])
        _log(moderator, ActionKind.SILENCE, target, report, text)
        _close(report, moderator)


def unsilence(moderator: Account, target: Account, *, text: str = "") -> None:
    _require_moderator(moderator)
    with transaction.atomic():
        target.silenced_at = None
        target.save(update_fields=["silenced_at"])
        _log(moderator, ActionKind.UNSILENCE, target, None, text)


def remove_status(
    moderator: Account, status: Status, *, report: Report | None = None, text: str = ""
) -> None:
    _require_moderator(moderator)
    with transaction.atomic():
        _log(moderator, ActionKind.DELETE_STATUS, status.account, report, text or status.text[:500])
        delete_status(status)


def resolve(moderator: Account, report: Report, *, text: str = "") -> None:
    _require_moderator(moderator)
    with transaction.atomic():
        _log(moderator, ActionKind.RESOLVE, report.target, report, text)
        _close(report, moderator)


def approve_sign_up(moderator: Account, user: User) -> None:
    _require_moderator(moderator)
    with transaction.atomic():
        user.approved = True
        user.save(update_fields=["approved"])
        _log(moderator, ActionKind.APPROVE, user.account)


def reject_sign_up(moderator: Account, user: User) -> None:
    _require_moderator(moderator)
    if user.approved:
        raise NotFound(user.pk)
    from babillard.accounts.services import delete_user

    with transaction.atomic():
        _log(moderator, ActionKind.REJECT, None, text=user.username)
        delete_user(user)
