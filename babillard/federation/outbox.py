"""What the domain services call to tell other servers about a change.

Each ``deliver_*`` function is called inside the service's transaction: it
builds the activity while the rows it describes still exist, writes one
``Delivery`` row per inbox (shared inboxes first, so a server gets it once),
and enqueues the delivery tasks when the transaction commits. A rolled-back
write therefore sends nothing. Remote actors' own changes, replayed here by
the inbox, send nothing: only local actors deliver.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from babillard.accounts.models import Account, Block, Follow, FollowRequest, Visibility
from babillard.core.tasks import enqueue_at, enqueue_on_commit
from babillard.federation import activities
from babillard.federation.models import Delivery, RemoteServer
from babillard.statuses.models import Favourite, Mention, Poll, Quote, Status

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from babillard.moderation.models import Report

logger = logging.getLogger(__name__)


def _refused_domains(domains: Iterable[str], sender: Account | None) -> set[str]:
    """Servers that get nothing: suspended ones, and those the sender hides."""
    from babillard.moderation.models import AccountDomainBlock, DomainBlock

    domains = list(domains)
    refused = DomainBlock.objects.filter(domain__in=domains, severity="suspend")
    found = {d.lower() for d in refused.values_list("domain", flat=True)}
    if sender is not None:
        hidden = AccountDomainBlock.objects.filter(account=sender, domain__in=domains)
        found.update(hidden.values_list("domain", flat=True))
    return found


def inboxes_of(accounts: Iterable[Account], sender: Account | None = None) -> list[str]:
    """One inbox per server where it has a shared inbox, else each actor's own."""
    remote = [a for a in accounts if not a.is_local and not a.is_suspended]
    refused = _refused_domains({a.domain for a in remote}, sender)
    found: list[str] = []
    for account in remote:
        if account.domain.lower() in refused:
            continue
        inbox = account.shared_inbox_url or account.inbox_url
        if inbox and inbox not in found:
            found.append(inbox)
    return found


def send(
    sender: Account | None,
    activity: dict[str, Any],
    recipients: Iterable[Account],
    *,
    keep_key: bool = False,
) -> int:
    """Queue ``activity`` for every inbox of ``recipients``; return how many were queued.

    ``sender`` None is the instance actor. ``keep_key`` copies the sender's key
    into the rows, for an account about to be deleted.
    """
    if sender is not None and not sender.is_local:
        return 0
    from babillard.federation.tasks import deliver

    # A Reject still reaches a server the sender hides: it ends the follow there too.
    hiding = sender if activity.get("type") != "Reject" else None
    queued = 0
    for inbox in inboxes_of(recipients, hiding):
        domain = (urlsplit(inbox).netloc or "").lower()
        server = RemoteServer.objects.filter(domain=domain).first()
        later = server.unavailable_until if server and server.is_unavailable else None
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    sender=sender,
                    activity_id=activity["id"],
                    activity_type=activity["type"],
                    inbox_url=inbox,
                    domain=domain,
                    payload=activity,
                    next_attempt_at=later or timezone.now(),
                    key_id=activities.key_id(sender) if keep_key and sender else "",
                    signing_key=sender.private_key if keep_key and sender else "",
                )
        except IntegrityError:
            continue  # already queued: sending twice is harmless but pointless
        if later is None:
            enqueue_on_commit(deliver, delivery.pk)
        else:
            # The server is marked unavailable: try when that ends (or sooner if it speaks).
            enqueue_at(deliver, later, delivery.pk)
        queued += 1
    return queued


def _remote_followers(account: Account) -> list[Account]:
    return list(Account.objects.filter(following_rel__target=account).exclude(domain=""))


def _status_audience(status: Status) -> list[Account]:
    audience = [m.account for m in status.mentions.select_related("account")]
    if status.visibility != Visibility.DIRECT:
        audience += _remote_followers(status.account)
    if status.in_reply_to_id and status.in_reply_to:
        audience.append(status.in_reply_to.account)
    return audience


FEDERATED_VISIBILITIES = {
    Visibility.PUBLIC,
    Visibility.UNLISTED,
    Visibility.PRIVATE,
    Visibility.DIRECT,
}


def _federated(status: Status) -> bool:
    """Local-only posts (and any audience narrower than these four) never leave the server."""
    return (
        status.account.is_local
        and not status.local_only
        and status.visibility in FEDERATED_VISIBILITIES
    )


def deliver_status_create(status: Status) -> None:
    if _federated(status) and not status.is_reblog:
        send(status.account, activities.create_activity(status), _status_audience(status))


def deliver_status_update(status: Status) -> None:
    if _federated(status) and not status.is_reblog:
        send(status.account, activities.update_activity(status), _status_audience(status))


def deliver_status_delete(status: Status) -> None:
    """A deleted post becomes a Tombstone; a withdrawn boost is an Undo of its Announce."""
    if not _federated(status):
        return
    if status.reblog_id and status.reblog:
        announce = activities.announce_activity(status)
        audience = [*_remote_followers(status.account), status.reblog.account]
        send(status.account, activities.undo_activity(status.account, announce), audience)
        return
    quoters = Account.objects.filter(
        statuses__quote__quoted_status=status, statuses__quote__state="accepted"
    ).distinct()
    audience = [*_status_audience(status), *quoters]
    send(status.account, activities.delete_activity(status), audience)


def deliver_reblog(boost: Status) -> None:
    if _federated(boost) and boost.reblog:
        audience = [*_remote_followers(boost.account), boost.reblog.account]
        send(boost.account, activities.announce_activity(boost), audience)


def _like_id(account: Account, favourite: Favourite) -> str:
    return favourite.uri or f"{account.uri}#likes/{favourite.pk}"


def deliver_favourite(account: Account, status: Status) -> None:
    """A Like goes to the author's server only, as Mastodon sends it."""
    favourite = Favourite.objects.filter(account=account, status=status).first()
    if favourite is None or status.local_only or status.account.is_local:
        return
    like = activities.like_activity(account, status, _like_id(account, favourite))
    send(account, like, [status.account])


def deliver_unfavourite(account: Account, status: Status) -> None:
    favourite = Favourite.objects.filter(account=account, status=status).first()
    if favourite is None or status.local_only or status.account.is_local:
        return
    like = activities.like_activity(account, status, _like_id(account, favourite))
    send(account, activities.undo_activity(account, like), [status.account])


def follow_id(follower: Account, target: Account, request: FollowRequest | None = None) -> str:
    if request is not None and request.uri:
        return request.uri
    suffix = f"/{request.pk}" if request is not None else ""
    return f"{follower.uri}#follows/{target.pk}{suffix}"


def deliver_follow(request: FollowRequest) -> None:
    follower, target = request.account, request.target
    if follower.is_local and not target.is_local:
        send(
            follower,
            activities.follow_activity(follower, target, follow_id(follower, target, request)),
            [target],
        )


def deliver_unfollow(follower: Account, target: Account) -> None:
    if not follower.is_local or target.is_local:
        return
    follow = Follow.objects.filter(account=follower, target=target).first()
    request = FollowRequest.objects.filter(account=follower, target=target).first()
    if follow is None and request is None:
        return
    uri = (follow.uri if follow else "") or follow_id(follower, target, request)
    inner = activities.follow_activity(follower, target, uri)
    send(follower, activities.undo_activity(follower, inner), [target])


def _incoming_follow_id(requester: Account, target: Account) -> str:
    request = FollowRequest.objects.filter(account=requester, target=target).first()
    follow = Follow.objects.filter(account=requester, target=target).first()
    return (request.uri if request else "") or (follow.uri if follow else "") or requester.uri or ""


def deliver_accept(requester: Account, target: Account) -> None:
    """Tell a remote follower that its Follow of a local account is accepted."""
    if requester.is_local or not target.is_local:
        return
    uri = _incoming_follow_id(requester, target)
    send(target, activities.answer_activity("Accept", target, requester, uri), [requester])


def deliver_reject(target: Account, requester: Account) -> None:
    """Reject a remote request, or remove a remote follower (Mastodon sends Reject for both)."""
    if requester.is_local or not target.is_local:
        return
    if not (
        FollowRequest.objects.filter(account=requester, target=target).exists()
        or Follow.objects.filter(account=requester, target=target).exists()
    ):
        return
    uri = _incoming_follow_id(requester, target)
    send(target, activities.answer_activity("Reject", target, requester, uri), [requester])


def reject_refused_follow(target: Account, requester: Account, follow_uri: str) -> None:
    """Reject a Follow that was never recorded (the target blocks the requester)."""
    if target.is_local and not requester.is_local:
        send(
            target, activities.answer_activity("Reject", target, requester, follow_uri), [requester]
        )


def _block_id(block: Block) -> str:
    return block.uri or f"{block.account.uri}#blocks/{block.pk}"


def deliver_block(block: Block) -> None:
    if block.account.is_local and not block.target.is_local:
        activity = activities.block_activity(block.account, block.target, _block_id(block))
        send(block.account, activity, [block.target])


def deliver_unblock(account: Account, target: Account) -> None:
    block = Block.objects.filter(account=account, target=target).first()
    if block is None or not account.is_local or target.is_local:
        return
    inner = activities.block_activity(account, target, _block_id(block))
    send(account, activities.undo_activity(account, inner), [target])


def deliver_actor_update(account: Account) -> None:
    if account.is_local:
        send(account, activities.actor_update_activity(account), _remote_followers(account))


# Votes arriving within this many seconds of each other share one Update of the poll.
POLL_UPDATE_DELAY = 180


def poll_update_key(poll_id: int) -> str:
    return f"federation:poll-update:{poll_id}"


def _schedule_poll_update(poll: Poll) -> None:
    """Send the poll's new counts once, a little later, however many votes arrive meanwhile."""
    from babillard.federation.tasks import distribute_poll_update

    status = poll.status
    if not _federated(status) or not inboxes_of(_status_audience(status), status.account):
        return  # no other server got the poll
    if cache.add(poll_update_key(poll.pk), 1, timeout=POLL_UPDATE_DELAY):
        when = timezone.now() + timedelta(seconds=POLL_UPDATE_DELAY)
        enqueue_at(distribute_poll_update, when, poll.pk)


def deliver_poll_update(poll: Poll) -> None:
    """An Update of a local Question with its current counts, to everyone who got the poll."""
    status = poll.status
    if _federated(status):
        send(status.account, activities.poll_update_activity(status), _status_audience(status))


def deliver_vote(account: Account, poll: Poll, choices: Iterable[int]) -> None:
    """A vote in a remote poll: one Note per choice, named after it, to the author only.

    A vote in a local poll changes its counts, which remote servers learn by an Update.
    """
    status = poll.status
    if status.account.is_local:
        _schedule_poll_update(poll)
        return
    if not account.is_local:
        return
    for choice in choices:
        send(account, activities.vote_activity(account, poll, choice), [status.account])


def _acquaintances(account: Account) -> "QuerySet[Account]":
    """The remote actors whose servers know ``account``.

    Its followers, those it follows, the follow requests both ways, the accounts its
    posts mention, and the authors of the posts it replied to, boosted or favourited.
    """
    own = Status.objects.filter(account=account)
    return Account.objects.exclude(domain="").filter(
        Q(pk__in=Follow.objects.filter(target=account).values("account"))
        | Q(pk__in=Follow.objects.filter(account=account).values("target"))
        | Q(pk__in=FollowRequest.objects.filter(target=account).values("account"))
        | Q(pk__in=FollowRequest.objects.filter(account=account).values("target"))
        | Q(pk__in=Mention.objects.filter(status__account=account).values("account"))
        | Q(pk__in=own.exclude(in_reply_to_account=None).values("in_reply_to_account"))
        | Q(pk__in=Status.objects.filter(pk__in=own.values("reblog")).values("account"))
        | Q(pk__in=Favourite.objects.filter(account=account).values("status__account"))
    )


def deliver_account_delete(account: Account) -> None:
    """A local account is being deleted: tell every server that knows it, once each.

    Remote servers then drop its posts themselves, so its posts' own Deletes are
    not needed (their rows lose their sender and are discarded).
    """
    if not account.is_local:
        return
    known = list(_acquaintances(account))
    activity = activities.with_context(
        {
            "id": f"{account.uri}#delete",
            "type": "Delete",
            "actor": account.uri,
            "to": [activities.PUBLIC],
            "object": account.uri,
        }
    )
    send(account, activity, known, keep_key=True)


def deliver_move(account: Account, target: Account) -> None:
    if account.is_local:
        send(account, activities.move_activity(account, target), _remote_followers(account))


def deliver_flag(report: "Report") -> None:
    """Forward a report about a remote account to its server, from the instance actor.

    As Mastodon sends it: the account and the reported posts as ``object``, the
    comment as ``content``; the reporter is not named.
    """
    target = report.target
    if target.is_local:
        return
    send(None, activities.flag_activity(report), [target])


# Quotes ----------------------------------------------------------------------------------


def deliver_status_refresh(status: Status) -> None:
    """An Update that is not an edit (a quote approved or revoked, a policy changed)."""
    if _federated(status) and not status.is_reblog:
        send(status.account, activities.poll_update_activity(status), _status_audience(status))


def deliver_quote_request(quote: Quote) -> None:
    """Ask the quoted author's server to approve a quote of a remote post."""
    quoted_account = quote.quoted_account
    if quoted_account is None or quoted_account.is_local or not _federated(quote.status):
        return
    send(quote.status.account, activities.quote_request_activity(quote), [quoted_account])


def deliver_quote_answer(quote: Quote, *, accepted: bool) -> None:
    """Accept (with the stamp) or Reject a remote account's request to quote a local post."""
    quoted_account = quote.quoted_account
    if quoted_account is None or not quoted_account.is_local:
        return
    activity = activities.quote_answer_activity(quote, accepted=accepted)
    send(quoted_account, activity, [quote.status.account])


def deliver_quote_revoke(quote: Quote) -> None:
    """Delete the stamp: to the quoting author's server and the quoted author's followers'."""
    quoted_account = quote.quoted_account
    if quoted_account is None or not quoted_account.is_local or not quote.approval_uri:
        return
    audience = [quote.status.account, *_remote_followers(quoted_account)]
    send(quoted_account, activities.quote_revoke_activity(quote), audience)
