"""Reads of the moderation domain that other domains share: domain blocks, per server and per person."""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from babillard.accounts.models import Account, Follow
from babillard.moderation.models import (
    AccountDomainBlock,
    ActionKind,
    DomainBlock,
    DomainSeverity,
    ModerationAction,
)


def audit_log(actor_id: int | None = None, kind: str = "") -> QuerySet[ModerationAction]:
    """The audit log, newest first; of one moderator or administrator, of one kind of action.

    The web page and ``GET /api/babillard/v1/admin/audit_log`` read it; the caller checks
    that the viewer may.
    """
    if kind and kind not in ActionKind.values:
        raise ValidationError(_("Unknown kind of action."), code="kind")
    entries = ModerationAction.objects.select_related("moderator", "target")
    if actor_id is not None:
        entries = entries.filter(moderator_id=actor_id)
    if kind:
        entries = entries.filter(kind=kind)
    return entries.order_by("-id")


def audit_log_actors() -> QuerySet[Account]:
    """Everyone who has an entry in the audit log, to filter it by."""
    acted = ModerationAction.objects.filter(moderator__isnull=False).values("moderator_id")
    return Account.objects.filter(pk__in=acted).order_by("username")


def domain_block(domain: str) -> DomainBlock | None:
    return DomainBlock.objects.filter(domain__iexact=domain).first()


def is_domain_suspended(domain: str) -> bool:
    return DomainBlock.objects.filter(
        domain__iexact=domain, severity=DomainSeverity.SUSPEND
    ).exists()


def is_domain_silenced(domain: str) -> bool:
    return DomainBlock.objects.filter(
        domain__iexact=domain, severity=DomainSeverity.SILENCE
    ).exists()


def rejects_media(domain: str) -> bool:
    """Whether remote media of this server are refused (neither shown nor fetched)."""
    return DomainBlock.objects.filter(
        Q(reject_media=True) | Q(severity=DomainSeverity.SUSPEND), domain__iexact=domain
    ).exists()


def domains_blocked_by(account: Account) -> QuerySet[AccountDomainBlock]:
    return AccountDomainBlock.objects.filter(account=account)


def blocks_domain(account: Account, domain: str) -> bool:
    return bool(domain) and domains_blocked_by(account).filter(domain=domain.lower()).exists()


def hidden_domain_account_ids(viewer: Account) -> set[int]:
    """Accounts of the servers the viewer hides, except those the viewer still follows.

    As on Mastodon, a follow made before or after the block is kept and shows its posts.
    """
    domains = domains_blocked_by(viewer).values("domain")
    return set(
        Account.objects.filter(domain__in=domains)
        .exclude(pk__in=Follow.objects.filter(account=viewer).values("target_id"))
        .values_list("pk", flat=True)
    )


def readers_hiding_domain_of(*authors: Account) -> set[int]:
    """Local readers who hide the server of one of these authors and do not follow that author."""
    hiding: set[int] = set()
    for author in {a for a in authors if a.domain}:
        readers = set(
            AccountDomainBlock.objects.filter(domain=author.domain.lower()).values_list(
                "account_id", flat=True
            )
        )
        if readers:
            followers = Follow.objects.filter(account_id__in=readers, target=author)
            hiding |= readers - set(followers.values_list("account_id", flat=True))
    return hiding
