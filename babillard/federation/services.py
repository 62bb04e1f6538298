"""Writes of federation's own domain: the aliases a local account declares (``alsoKnownAs``).

An alias names an account elsewhere that is the same person, so that a Move
from it to the local account is accepted (the old server checks that the new
account names it, as Mastodon does before it sends the Move).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from babillard.accounts.models import Account
from babillard.core.errors import NotFound
from babillard.federation import outbox
from babillard.federation.client import FetchError
from babillard.federation.models import AccountAlias, InboxActivity
from babillard.federation.remote import InvalidDocument, resolve_actor, webfinger

MAX_ALIASES = 10


def _find_account(handle: str) -> Account:
    handle = handle.strip()
    try:
        if handle.startswith(("https://", "http://")):
            return resolve_actor(handle)
        return webfinger(handle)
    except (FetchError, InvalidDocument, NotFound):
        raise ValidationError(
            _("No account was found at this address."), code="not_found"
        ) from None


def add_alias(account: Account, handle: str) -> AccountAlias:
    """Declare that the account at ``handle`` (user@domain or its URI) is also this person."""
    if not account.is_local:
        raise ValidationError(_("Only local accounts have aliases."), code="remote")
    other = _find_account(handle)
    if other.pk == account.pk:
        raise ValidationError(_("An account cannot be its own alias."), code="self")
    if account.aliases.count() >= MAX_ALIASES:
        raise ValidationError(
            _("An account has at most %(count)d aliases.") % {"count": MAX_ALIASES}, code="limit"
        )
    with transaction.atomic():
        alias, created = AccountAlias.objects.get_or_create(
            account=account, uri=other.uri, defaults={"acct": other.acct}
        )
        if created:
            outbox.deliver_actor_update(account)
    return alias


def remove_alias(account: Account, alias_id: int) -> None:
    with transaction.atomic():
        deleted, _count = AccountAlias.objects.filter(account=account, pk=alias_id).delete()
        if not deleted:
            raise NotFound(alias_id)
        outbox.deliver_actor_update(account)


def forget_account(sender: Any, account: Account, **kwargs: Any) -> None:
    """``accounts.services.account_deleting``: empty what other servers sent to it.

    The log of incoming activities keeps their ids (the guard against replays), not
    their content: a direct message to a deleted account is not kept.
    """
    InboxActivity.objects.filter(recipient=account).update(payload={})
