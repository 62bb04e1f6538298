"""Quotes (FEP-044f, as Mastodon 4.5 implements it) and interaction policies, incoming.

What we send is shaped in ``activities`` (``add_quote_fields``, ``quote_request_activity``,
``quote_answer_activity``, ``quote_revoke_activity``). Here: reading a remote post's
quote and policies, checking a quote's stamp, and the inbox handlers, asked by
``inbox.apply`` before its own table (``quote_handler``):

- ``QuoteRequest`` about a local post: approved when the post's policy allows the
  requester (``Accept`` whose ``result`` is the stamp we host), else ``Reject``;
- ``Accept`` / ``Reject`` of our own ``QuoteRequest``;
- ``Delete`` of a stamp (``QuoteAuthorization``): the quoted author revoked the quote.

A remote post's quote is shown only when its stamp checks out: fetched from the quoted
author's server, a ``QuoteAuthorization`` attributed to that author, naming this post
as ``interactingObject`` and the quoted post as ``interactionTarget`` (Mastodon's
``VerifyQuoteService`` checks the same). Quotes in the older forms (``quoteUrl``,
``quoteUri``, ``_misskey_quote``, without ``quote``) carry no consent: they are read
and stay pending, so their text (with its ``RE:`` link) shows without the quoted post.
"""

import logging
from collections.abc import Callable
from typing import Any

from babillard.accounts.models import Account
from babillard.core.errors import Forbidden
from babillard.federation.activities import PUBLIC_ALIASES, followers_uri
from babillard.federation.client import FetchError, fetch
from babillard.federation.remote import (
    InvalidDocument,
    as_list,
    fetch_note,
    find_status,
    host_of,
    id_of,
    is_local_uri,
    store_note,
)
from babillard.statuses import services
from babillard.statuses.models import Quote, QuotePolicy, QuoteState, ReplyPolicy, Status

logger = logging.getLogger(__name__)

# The properties servers put the quoted post's address in, newest first (Mastodon's order).
QUOTE_KEYS = ("quote", "_misskey_quote", "quoteUrl", "quoteUri")

Handler = Callable[[dict[str, Any], Account], str]


def quoted_uri_of(document: dict[str, Any]) -> str:
    for key in QUOTE_KEYS:
        for value in as_list(document.get(key))[:1]:
            found = id_of(value)
            if found.startswith(("https://", "http://")):
                return found
    return ""


def _approvers(policy: Any, key: str) -> list[str]:
    rule = policy.get(key) if isinstance(policy, dict) else None
    if not isinstance(rule, dict):
        return []
    # GoToSocial's first vocabulary said ``always``; ``automaticApproval`` replaced it.
    listed = as_list(rule.get("automaticApproval", rule.get("always")))
    return [uri for uri in (id_of(item) for item in listed) if uri]


def policies_of(document: dict[str, Any], author: Account) -> dict[str, str]:
    """The quote and reply policies a remote post announces (``interactionPolicy``).

    Without a policy, anyone may ask to quote (the quoted server decides) and reply.
    ``canReply`` listing only the author and the people mentioned reads as
    ``mentioned``; listing anyone else (the author's following collection) as
    ``following``.
    """
    policy = document.get("interactionPolicy")
    if not isinstance(policy, dict):
        return {"quote_policy": QuotePolicy.PUBLIC, "reply_policy": ReplyPolicy.ANYONE}
    quoters = _approvers(policy, "canQuote")
    if "canQuote" not in policy or PUBLIC_ALIASES & set(quoters):
        quote_policy = QuotePolicy.PUBLIC
    elif followers_uri(author) in quoters:
        quote_policy = QuotePolicy.FOLLOWERS
    else:
        quote_policy = QuotePolicy.NOBODY
    repliers = _approvers(policy, "canReply")
    if "canReply" not in policy or PUBLIC_ALIASES & set(repliers):
        reply_policy = ReplyPolicy.ANYONE
    else:
        mentioned = {
            id_of(tag.get("href"))
            for tag in as_list(document.get("tag"))
            if isinstance(tag, dict) and tag.get("type") == "Mention"
        }
        others = set(repliers) - mentioned - {author.uri}
        reply_policy = ReplyPolicy.FOLLOWING if others else ReplyPolicy.MENTIONED
    return {"quote_policy": quote_policy, "reply_policy": reply_policy}


def _stamp_checks_out(approval_uri: str, status: Status, quoted_uri: str) -> bool | None:
    """Whether the stamp names this quote; ``None`` when it cannot be read just now."""
    if is_local_uri(approval_uri):
        return Quote.objects.filter(
            approval_uri=approval_uri, status=status, state=QuoteState.ACCEPTED
        ).exists()
    try:
        stamp = fetch(approval_uri)
    except FetchError as error:
        logger.info("cannot read the quote stamp %s: %s", approval_uri, error)
        return None
    author = id_of(stamp.get("attributedTo"))
    return (
        stamp.get("id") == approval_uri
        and "QuoteAuthorization" in as_list(stamp.get("type"))
        and host_of(author) == host_of(approval_uri)
        and host_of(author) == host_of(quoted_uri)
        and id_of(stamp.get("interactingObject")) == status.uri
        and id_of(stamp.get("interactionTarget")) == quoted_uri
    )


def read_quote(status: Status, document: dict[str, Any]) -> None:
    """The quote of a remote post just stored or updated, with its stamp checked."""
    quoted_uri = quoted_uri_of(document)
    inline = document.get("quote")
    if isinstance(inline, dict) and inline.get("type") == "Tombstone":
        return
    if not quoted_uri:
        if hasattr(status, "quote"):
            services.receive_remote_quote(
                status, quoted_uri=status.quote.quoted_uri, quoted=None, approved=False
            )
        return
    quoted = find_status(quoted_uri)
    if quoted is None:
        try:
            quoted = fetch_note(quoted_uri, depth=1)
        except (FetchError, InvalidDocument) as error:
            logger.info("cannot fetch the quoted post %s: %s", quoted_uri, error)
    approved: bool | None = False
    approval = id_of((as_list(document.get("quoteAuthorization")) or [None])[0])
    if quoted is not None and quoted.account_id == status.account_id and "quote" in document:
        approved = True  # FEP-044f: quoting oneself needs no stamp
    elif approval and "quote" in document:
        approved = _stamp_checks_out(approval, status, quoted_uri)
        if approved is None:
            return
    services.receive_remote_quote(
        status, quoted_uri=quoted_uri, quoted=quoted, approved=bool(approved)
    )


def quotes_local_post(document: dict[str, Any]) -> bool:
    """A remote post quoting one of ours concerns us (its author will ask for a stamp)."""
    uri = quoted_uri_of(document)
    return bool(uri) and is_local_uri(uri) and find_status(uri) is not None


def handle_quote_request(activity: dict[str, Any], actor: Account) -> str:
    quoted = find_status(id_of(activity.get("object")))
    if quoted is None or not quoted.account.is_local:
        return "unknown object"
    instrument = activity.get("instrument")
    quoting_uri = id_of(instrument)
    if host_of(quoting_uri) != host_of(actor.uri):
        raise Forbidden("a quote is requested by its author")
    quoting = find_status(quoting_uri)
    if quoting is None and isinstance(instrument, dict):
        quoting = store_note(instrument, force=True)
    if quoting is None:
        quoting = fetch_note(quoting_uri)
    if quoting is None or quoting.account_id != actor.pk:
        raise Forbidden("a quote is requested by its author")
    quote = services.answer_quote_request(quoted, quoting, activity["id"])
    return f"quote {quote.state}"


def _our_quote(request: Any, actor: Account) -> Quote:
    """The quote an answer is about: by the embedded request's ``instrument``, or by our id."""
    quoting_uri = id_of(request.get("instrument")) if isinstance(request, dict) else ""
    quote = None
    if quoting_uri:
        quote = Quote.objects.filter(status__uri=quoting_uri).first()
    else:
        number = id_of(request).rpartition("#quote_requests/")[2]
        if number.isdigit():
            quote = Quote.objects.filter(pk=int(number)).first()
    if quote is None or not quote.status.account.is_local:
        raise InvalidDocument("answer about a quote we did not ask for")
    if quote.quoted_account_id != actor.pk:
        raise Forbidden("only the quoted author answers")
    return quote


def handle_quote_answer(activity: dict[str, Any], actor: Account) -> str:
    quote = _our_quote(activity.get("object"), actor)
    accepted = activity["type"] == "Accept"
    approval = id_of((as_list(activity.get("result")) or [None])[0])
    if accepted and host_of(approval) != host_of(actor.uri):
        raise InvalidDocument("a quote stamp lives on the quoted author's server")
    services.quote_answered(quote, approval_uri=approval, accepted=accepted)
    return "quote accepted" if accepted else "quote rejected"


def handle_stamp_delete(activity: dict[str, Any], actor: Account) -> str:
    uri = id_of(activity.get("object"))
    quotes = list(Quote.objects.filter(approval_uri=uri, quoted_account=actor))
    for quote in quotes:
        services.quote_revoked(quote)
    return "quote revoked" if quotes else "unknown object"


def _is_stamp_delete(payload: dict[str, Any]) -> bool:
    target = payload.get("object")
    if isinstance(target, dict) and target.get("type") == "QuoteAuthorization":
        return True
    uri = id_of(target)
    return bool(uri) and Quote.objects.filter(approval_uri=uri).exists()


def quote_handler(payload: dict[str, Any]) -> Handler | None:
    """The handler for activities about quotes, or None to let the inbox's table decide."""
    kind = payload.get("type")
    if kind == "QuoteRequest":
        return handle_quote_request
    if kind in ("Accept", "Reject"):
        inner = payload.get("object")
        if (isinstance(inner, dict) and inner.get("type") == "QuoteRequest") or (
            "#quote_requests/" in id_of(inner)
        ):
            return handle_quote_answer
    if kind == "Delete" and _is_stamp_delete(payload):
        return handle_stamp_delete
    return None


def refuses_reply(author: Account, parent: Status | None) -> bool:
    """A remote reply to a local post whose reply policy does not let its author reply."""
    from babillard.statuses.queries import may_reply

    return parent is not None and parent.account.is_local and not may_reply(author, parent)
