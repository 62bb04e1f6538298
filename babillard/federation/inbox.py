"""Incoming activities: cheap checks in the request, the work in a task.

``receive`` runs inside the POST to an inbox: size, JSON shape and depth, domain
blocks, the HTTP signature, and that the ids are on the signer's host; then it
logs the activity once (``InboxActivity``) and enqueues ``process``. ``process``
dispatches on the activity's type through ``HANDLERS``; every handler calls the
same services as the web pages, inside one transaction, so an activity is
either applied whole or not at all.
"""

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from babillard.accounts.models import Account, Follow, FollowRequest
from babillard.core.errors import Forbidden, NotFound
from babillard.core.tasks import enqueue_on_commit
from babillard.federation import conf, signatures
from babillard.federation.client import FetchError
from babillard.federation.models import InboxActivity, InboxState
from babillard.federation.remote import (
    InvalidDocument,
    as_list,
    author_uri,
    fetch_note,
    find_status,
    host_of,
    id_of,
    is_local_uri,
    note_fields,
    resolve_actor,
    store_actor,
    store_note,
)
from babillard.statuses.models import Status

logger = logging.getLogger(__name__)


@dataclass
class Answer:
    status: int
    message: str


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def json_depth(value: Any, limit: int) -> int:
    """Depth of nested lists and objects, stopping once ``limit`` is passed (no recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict | list):
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
            children = current.values() if isinstance(current, dict) else current
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _parse(body: bytes) -> dict[str, Any]:
    if len(body) > conf.MAX_INBOX_BYTES:
        raise Refused(413, "activity too large")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        raise Refused(400, "not JSON") from None
    if not isinstance(payload, dict):
        raise Refused(400, "an activity is a JSON object")
    if json_depth(payload, conf.MAX_JSON_DEPTH) > conf.MAX_JSON_DEPTH:
        raise Refused(400, "activity nested too deeply")
    for name in ("id", "type"):
        if not isinstance(payload.get(name), str) or not payload[name]:
            raise Refused(400, f"activity without {name}")
    if not payload["id"].startswith(("https://", "http://")):
        raise Refused(400, "activity id is not a URL")
    actor = id_of(payload.get("actor"))
    if not actor.startswith(("https://", "http://")):
        raise Refused(400, "activity without an actor")
    return payload


def _check_ownership(payload: dict[str, Any]) -> None:
    """Ids must be on the actor's host; a remote actor never touches local objects."""
    actor = id_of(payload["actor"])
    domain = host_of(actor)
    if is_local_uri(actor):
        raise Refused(403, "a remote server cannot speak for a local actor")
    if host_of(payload["id"]) != domain:
        raise Refused(400, "activity id is not on the actor's host")
    kind = payload["type"]
    target = payload.get("object")
    target_id = id_of(target)
    if kind in ("Create", "Update", "Delete"):
        if not target_id:
            raise Refused(400, "activity without an object")
        if is_local_uri(target_id):
            raise Refused(403, "a remote server cannot change local objects")
        if host_of(target_id) != domain:
            raise Refused(400, "object is not on the actor's host")
    if kind in ("Create", "Update") and isinstance(target, dict):
        attributed = author_uri(target)
        if attributed and attributed != actor:
            raise Refused(400, "object attributed to someone else")
        if target.get("type") not in (None, "Tombstone") and json_depth(target, 12) > 12:
            raise Refused(400, "object nested too deeply")
    if kind == "Create" and not isinstance(target, dict):
        raise Refused(400, "Create needs the object inline")


def _domain_refused(domain: str) -> bool:
    from babillard.moderation.queries import is_domain_suspended

    return is_domain_suspended(domain)


def verify_signer(method: str, path: str, headers: Mapping[str, str], body: bytes) -> Account:
    """The remote account that signed this request; ``Refused(401)`` if none did.

    The key is read from the cached actor first, and fetched again once when it
    does not verify, since the actor may have rotated its key.
    """
    try:
        parsed = signatures.check_request(method, path, headers, body)
    except signatures.SignatureError as error:
        raise Refused(401, str(error)) from None
    key_owner = parsed.key_id.split("#", 1)[0]
    if not Account.objects.filter(uri=key_owner).exists() and key_owner.endswith("/main-key"):
        # GoToSocial names keys <actor>/main-key: use the cached actor rather than fetch
        # the key every time (a key that does not verify is fetched again below anyway).
        actor_uri = key_owner.rsplit("/", 1)[0]
        if Account.objects.filter(uri=actor_uri).exclude(domain="").exists():
            key_owner = actor_uri
    if _domain_refused(host_of(key_owner)):
        raise Refused(403, "this server is blocked")
    for refresh in (False, True):
        try:
            account = resolve_actor(key_owner, refresh=refresh)
        except (FetchError, InvalidDocument, ValidationError) as error:
            raise Refused(401, f"cannot get the signing key: {error}") from None
        if account.is_local:
            raise Refused(401, "signed with a local key")
        if account.public_key:
            try:
                if signatures.verify(parsed, method, path, headers, account.public_key):
                    return account
            except signatures.SignatureError as error:
                raise Refused(401, str(error)) from None
    raise Refused(401, "signature does not verify")


def receive(
    body: bytes,
    *,
    method: str,
    path: str,
    headers: Mapping[str, str],
    recipient: Account | None = None,
) -> Answer:
    """Check an incoming POST and queue it; the answer's status is the HTTP status."""
    try:
        payload = _parse(body)
        actor_uri = id_of(payload["actor"])
        if _domain_refused(host_of(actor_uri)):
            raise Refused(403, "this server is blocked")
        _check_ownership(payload)
        if (
            payload["type"] == "Delete"
            and id_of(payload.get("object")) == actor_uri
            and not Account.objects.filter(uri=actor_uri).exists()
        ):
            # Mastodon tells every server it knows when an account is deleted; about an
            # actor never seen here there is nothing to do (and its key is gone).
            return Answer(202, "unknown actor")
        signer = verify_signer(method, path, headers, body)
        if signer.uri != actor_uri:
            raise Refused(401, "signer is not the activity's actor")
    except Refused as refusal:
        logger.warning("inbox refused (%s): %s", refusal.status, refusal)
        return Answer(refusal.status, str(refusal))
    from babillard.federation.models import RemoteServer
    from babillard.federation.tasks import process_inbox_activity, resume_deliveries

    # Hearing from a server proves it is up again.
    if RemoteServer.objects.filter(domain=signer.domain, unavailable_until__isnull=False).exists():
        RemoteServer.objects.filter(domain=signer.domain).update(unavailable_until=None, failures=0)
        resume_deliveries(signer.domain)
    try:
        with transaction.atomic():
            item = InboxActivity.objects.create(
                activity_id=payload["id"][:2000],
                activity_type=payload["type"][:32],
                actor_uri=actor_uri[:2000],
                recipient=recipient,
                payload=payload,
            )
            enqueue_on_commit(process_inbox_activity, item.pk)
    except IntegrityError:
        return Answer(202, "already received")
    return Answer(202, "accepted")


# --- Processing ---------------------------------------------------------------

Handler = Callable[[dict[str, Any], Account], str]


def _local_account(uri: str) -> Account:
    if not is_local_uri(uri):
        raise NotFound(uri)
    account = Account.objects.filter(uri=uri, domain="").first()
    if account is None:
        raise NotFound(uri)
    return account


def handle_follow(activity: dict[str, Any], actor: Account) -> str:
    from babillard.accounts.queries import is_blocked_either_way
    from babillard.accounts.services import follow
    from babillard.federation import outbox
    from babillard.moderation.queries import blocks_domain

    target = _local_account(id_of(activity.get("object")))
    if is_blocked_either_way(actor, target) or blocks_domain(target, actor.domain):
        # Mastodon answers a Follow it will not honour with a Reject, so the other side stops waiting.
        outbox.reject_refused_follow(target, actor, activity["id"])
        return "refused: blocked"
    follow(actor, target, uri=activity["id"])
    return "followed"


def _our_follower(activity: dict[str, Any], actor: Account) -> Account:
    """The local account whose Follow the remote actor answers.

    Mastodon embeds our Follow; some servers send only its id, which carries
    the follower's URI before ``#follows/``.
    """
    inner = activity.get("object")
    follower_uri = ""
    if isinstance(inner, dict):
        follower_uri = id_of(inner.get("actor"))
        if id_of(inner.get("object")) not in ("", actor.uri):
            raise Forbidden("answer about someone else's follow")
    if not follower_uri:
        follower_uri = id_of(inner).split("#follows/", 1)[0]
    return _local_account(follower_uri)


def handle_accept(activity: dict[str, Any], actor: Account) -> str:
    from babillard.accounts.services import accept_follow_request

    follower = _our_follower(activity, actor)
    if Follow.objects.filter(account=follower, target=actor).exists():
        return "already following"
    accept_follow_request(actor, follower)
    return "follow accepted"


def handle_reject(activity: dict[str, Any], actor: Account) -> str:
    from babillard.accounts.services import unfollow

    follower = _our_follower(activity, actor)
    unfollow(follower, actor)
    return "follow rejected"


def _vote(note: dict[str, Any], actor: Account) -> str | None:
    """A poll answer (Mastodon: a Note with a ``name`` and no content, replying to the poll)."""
    from babillard.statuses.services import add_vote_choice, vote

    if not isinstance(note.get("name"), str) or note.get("content"):
        return None
    question = find_status(id_of(note.get("inReplyTo")))
    if question is None or not question.account.is_local or not hasattr(question, "poll"):
        return None
    poll = question.poll
    if note["name"] not in poll.options:
        raise InvalidDocument("vote for a choice the poll does not have")
    choice = poll.options.index(note["name"])
    if poll.votes.filter(account=actor, choice=choice).exists():
        return "already voted"
    if poll.multiple:
        # One Note per chosen option: each counts, the voter once.
        add_vote_choice(actor, poll, choice)
    else:
        vote(actor, poll, [choice])
    return "voted"


def handle_create(activity: dict[str, Any], actor: Account) -> str:
    note = activity["object"]
    if author_uri(note) != actor.uri:
        raise Forbidden("object attributed to someone else")
    voted = _vote(note, actor)
    if voted is not None:
        return voted
    stored = store_note(note)
    if stored is not None:
        from babillard.books.federation import receive_book_post

        receive_book_post(stored, note)
    return "stored" if stored is not None else "nobody here needs it"


def _is_edit(document: dict[str, Any], status: Status) -> bool:
    """As Mastodon decides: an edit carries an ``updated`` later than the last one known.

    An Update of a Question without it only refreshes the poll's counts.
    """
    value = document.get("updated")
    updated = parse_datetime(value) if isinstance(value, str) else None
    return updated is not None and (status.edited_at is None or updated > status.edited_at)


def handle_update(activity: dict[str, Any], actor: Account) -> str:
    from babillard.statuses.services import refresh_remote_poll, update_remote_status

    target = activity.get("object")
    if not isinstance(target, dict):
        raise InvalidDocument("Update needs the object inline")
    if target.get("id") == actor.uri:
        store_actor(target, fetched_from=actor.uri or "")
        return "actor updated"
    status = find_status(id_of(target))
    if status is None:
        return "unknown object"
    if status.account_id != actor.pk or author_uri(target) != actor.uri:
        raise Forbidden("only the author updates a post")
    fields = note_fields(target, actor)
    if fields["poll"] and hasattr(status, "poll") and not _is_edit(target, status):
        refresh_remote_poll(status, fields["poll"])
        return "poll counts updated"
    if _quote_or_policy_only(target, status, fields):
        return "quote and policies updated"
    update_remote_status(
        status,
        content=fields["content"],
        spoiler_text=fields["spoiler_text"],
        sensitive=fields["sensitive"],
        language=fields["language"],
        tags=fields["tags"],
        media=fields["media"],
        poll=fields["poll"],
    )
    return "post updated"


def _quote_or_policy_only(document: dict[str, Any], status: Status, fields: dict[str, Any]) -> bool:
    """Read a post's quote and policies; true when nothing else changed (not an edit).

    Mastodon sends an Update when a quote is approved or revoked, or a policy changes.
    """
    from babillard.federation.quotes import read_quote
    from babillard.statuses.formatting import sanitize
    from babillard.statuses.services import refresh_remote_policies

    refresh_remote_policies(
        status, quote_policy=fields["quote_policy"], reply_policy=fields["reply_policy"]
    )
    read_quote(status, document)
    return (
        not _is_edit(document, status)
        and sanitize(fields["content"]) == status.content
        and fields["spoiler_text"] == status.spoiler_text
    )


def handle_delete(activity: dict[str, Any], actor: Account) -> str:
    from babillard.accounts.services import forget_remote_account
    from babillard.statuses.services import delete_status

    target_id = id_of(activity.get("object"))
    if target_id == actor.uri:
        forget_remote_account(actor)
        return "actor deleted"
    status = find_status(target_id)
    if status is None:
        return "unknown object"
    if status.account_id != actor.pk:
        raise Forbidden("only the author deletes a post")
    delete_status(status)
    return "post deleted"


def handle_announce(activity: dict[str, Any], actor: Account) -> str:
    from babillard.statuses.services import reblog

    target_id = id_of(activity.get("object"))
    if not target_id:
        raise InvalidDocument("Announce without an object")
    status = find_status(target_id)
    if status is None:
        if not Account.objects.filter(following_rel__target=actor, domain="").exists():
            return "nobody here follows the booster"
        status = fetch_note(target_id)
    if status is None:
        return "unknown object"
    reblog(actor, status, uri=activity["id"])
    return "boosted"


def handle_like(activity: dict[str, Any], actor: Account) -> str:
    from babillard.statuses.services import favourite

    status = find_status(id_of(activity.get("object")))
    if status is None:
        return "unknown object"
    favourite(actor, status, uri=activity["id"])
    return "favourited"


def handle_block(activity: dict[str, Any], actor: Account) -> str:
    from babillard.accounts.services import block

    target = _local_account(id_of(activity.get("object")))
    block(actor, target, uri=activity["id"])
    return "blocked"


def handle_undo(activity: dict[str, Any], actor: Account) -> str:
    from babillard.accounts.services import unblock, unfollow
    from babillard.statuses.services import unfavourite, unreblog

    inner = activity.get("object")
    inner_id = id_of(inner)
    inner_type = inner.get("type") if isinstance(inner, dict) else None
    if isinstance(inner, dict) and id_of(inner.get("actor")) not in ("", actor.uri):
        raise Forbidden("undo of someone else's activity")
    if inner_type is None:
        # Only an id: find what it named among the things this actor did.
        if Status.objects.filter(uri=inner_id, account=actor, reblog__isnull=False).exists():
            inner_type = "Announce"
        elif (
            FollowRequest.objects.filter(uri=inner_id, account=actor).exists()
            or Follow.objects.filter(uri=inner_id, account=actor).exists()
        ):
            inner_type = "Follow"
    if inner_type == "Follow":
        target_uri = id_of(inner.get("object")) if isinstance(inner, dict) else ""
        if target_uri:
            target = _local_account(target_uri)
        else:
            relation = (
                Follow.objects.filter(uri=inner_id, account=actor).first()
                or FollowRequest.objects.filter(uri=inner_id, account=actor).first()
            )
            if relation is None:
                return "unknown follow"
            target = relation.target
        unfollow(actor, target)
        return "unfollowed"
    if inner_type == "Announce":
        boost = Status.objects.filter(uri=inner_id, account=actor, reblog__isnull=False).first()
        if boost is None and isinstance(inner, dict):
            original = find_status(id_of(inner.get("object")))
            boost = (
                Status.objects.filter(account=actor, reblog=original).first() if original else None
            )
        if boost is None:
            return "unknown boost"
        unreblog(actor, boost)
        return "unboosted"
    if inner_type == "Like":
        status = find_status(id_of(inner.get("object")) if isinstance(inner, dict) else "")
        if status is None:
            return "unknown object"
        unfavourite(actor, status)
        return "unfavourited"
    if inner_type == "Block":
        target = _local_account(id_of(inner.get("object")) if isinstance(inner, dict) else "")
        unblock(actor, target)
        return "unblocked"
    return "nothing to undo"


def handle_move(activity: dict[str, Any], actor: Account) -> str:
    """An actor moved: its new account must name the old one in ``alsoKnownAs``."""
    from babillard.accounts.services import move_account
    from babillard.federation.client import fetch

    if id_of(activity.get("object")) != actor.uri:
        raise Forbidden("only an actor moves itself")
    target_uri = id_of(activity.get("target"))
    if not target_uri:
        raise InvalidDocument("Move without a target")
    if is_local_uri(target_uri):
        return _move_here(actor, target_uri)
    document = fetch(target_uri)
    aliases = [id_of(alias) for alias in as_list(document.get("alsoKnownAs"))]
    if actor.uri not in aliases:
        raise Forbidden("the new account does not name the old one")
    target = store_actor(document, fetched_from=target_uri)
    if actor.moved_to_id == target.pk:
        return "already moved"
    move_account(actor, target)
    return "moved"


def _move_here(actor: Account, target_uri: str) -> str:
    """A remote actor moved to a local account, which must list it among its aliases."""
    from babillard.accounts.services import move_account
    from babillard.federation.models import AccountAlias

    target = _local_account(target_uri)
    if not AccountAlias.objects.filter(account=target, uri=actor.uri).exists():
        raise Forbidden("the new account does not name the old one")
    if actor.moved_to_id == target.pk:
        return "already moved"
    move_account(actor, target)
    return "moved"


def handle_flag(activity: dict[str, Any], actor: Account) -> str:
    """A report forwarded by another server (Mastodon sends it from its instance actor).

    ``object`` lists the reported accounts and posts; one report per local account.
    """
    from babillard.moderation.services import receive_remote_report

    named = [id_of(item) for item in as_list(activity.get("object"))]
    local = [uri for uri in named if is_local_uri(uri)]
    accounts = list(Account.objects.filter(uri__in=local, domain=""))
    statuses = [s for s in (find_status(uri) for uri in local) if s is not None and s.local]
    if not accounts:
        # Some servers name only the posts.
        accounts = list({s.account for s in statuses})
    if not accounts:
        return "unknown object"
    content = activity.get("content")
    comment = content if isinstance(content, str) else ""
    for target in accounts:
        receive_remote_report(
            actor,
            target,
            [s for s in statuses if s.account_id == target.pk],
            comment=comment,
            uri=activity["id"],
        )
    return "reported"


# One table from activity type to handler.
HANDLERS: dict[str, Handler] = {
    "Follow": handle_follow,
    "Accept": handle_accept,
    "Reject": handle_reject,
    "Create": handle_create,
    "Update": handle_update,
    "Delete": handle_delete,
    "Announce": handle_announce,
    "Like": handle_like,
    "Block": handle_block,
    "Undo": handle_undo,
    "Move": handle_move,
    "Flag": handle_flag,
}


def apply(payload: dict[str, Any], actor: Account) -> str:
    """Run the handler for one activity in one transaction; raises on refusal."""
    from babillard.events.federation import event_handler
    from babillard.federation.quotes import quote_handler
    from babillard.groups.federation import group_handler
    from babillard.outages.federation import outage_handler
    from babillard.reactions.federation import reaction_handler

    # Activities about events (Join, Leave, Event objects, answers to our Join) first,
    # then peers' outage reports and probe results, then quotes (QuoteRequest, its
    # answers, a stamp's Delete), then emoji reactions (EmojiReact, a Like with an
    # emoji, their Undo), then requests to join a local group.
    handler = (
        event_handler(payload)
        or outage_handler(payload)
        or quote_handler(payload)
        or reaction_handler(payload)
        or group_handler(payload)
        or HANDLERS.get(payload["type"])
    )
    if handler is None:
        return f"{payload['type']} is not supported"
    with transaction.atomic():
        return handler(payload, actor)


def process(item_id: int) -> None:
    item = InboxActivity.objects.filter(pk=item_id, state=InboxState.RECEIVED).first()
    if item is None:
        return
    state, note = InboxState.PROCESSED, ""
    try:
        actor = resolve_actor(item.actor_uri)
        note = apply(item.payload, actor)
        if note.endswith(("not supported", "nobody here needs it")) or note.startswith(
            ("unknown", "refused")
        ):
            state = InboxState.IGNORED
    except (NotFound, Forbidden, InvalidDocument, FetchError, ValidationError) as error:
        state, note = InboxState.FAILED, f"{type(error).__name__}: {error}"
        logger.warning("inbox activity %s refused: %s", item.activity_id, note)
    except Exception as error:
        # Odd input must not leave the row "received" forever: record it for operators.
        state, note = InboxState.FAILED, f"{type(error).__name__}: {error}"
        logger.exception("inbox activity %s failed", item.activity_id)
    InboxActivity.objects.filter(pk=item.pk).update(
        state=state, error=note[:2000], processed_at=timezone.now()
    )


def handled_types() -> list[str]:
    return sorted(HANDLERS)


def addressed_locally(payload: dict[str, Any]) -> list[str]:
    return [
        uri
        for uri in (id_of(x) for x in as_list(payload.get("to")) + as_list(payload.get("cc")))
        if is_local_uri(uri)
    ]
