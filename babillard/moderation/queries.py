"""Reads of the moderation domain that other domains share: domain blocks, per server and per person."""

from django.db.models import Q, QuerySet

from babillard.accounts.models import Account, Follow
from babillard.moderation.models import AccountDomainBlock, DomainBlock, DomainSeverity


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
