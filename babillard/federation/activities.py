"""ActivityPub documents of local objects: actors, notes, questions and activities.

Everything the server sends is shaped here (``*_to_activity``), as Mastodon
shapes it, so that Mastodon, GoToSocial, Misskey and the others read it as
they read Mastodon's.
"""

import hashlib
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from babillard.accounts.models import Account, AccountKind, Visibility
from babillard.core import links
from babillard.statuses.models import Poll, Quote, Status

if TYPE_CHECKING:
    from babillard.moderation.models import Report

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
PUBLIC_ALIASES = {PUBLIC, "as:Public", "Public"}
ACTIVITY_TYPES = ("application/activity+json", "application/ld+json")
CONTENT_TYPE = "application/activity+json"

CONTEXT: list[Any] = [
    "https://www.w3.org/ns/activitystreams",
    "https://w3id.org/security/v1",
    {
        "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
        "sensitive": "as:sensitive",
        "Hashtag": "as:Hashtag",
        "toot": "http://joinmastodon.org/ns#",
        "featured": {"@id": "toot:featured", "@type": "@id"},
        "featuredTags": {"@id": "toot:featuredTags", "@type": "@id"},
        "alsoKnownAs": {"@id": "as:alsoKnownAs", "@type": "@id"},
        "movedTo": {"@id": "as:movedTo", "@type": "@id"},
        "discoverable": "toot:discoverable",
        "indexable": "toot:indexable",
        "blurhash": "toot:blurhash",
        "votersCount": "toot:votersCount",
        "schema": "http://schema.org#",
        "PropertyValue": "schema:PropertyValue",
        "value": "schema:value",
        # Quotes (FEP-044f) and interaction policies, with Mastodon's and GoToSocial's terms.
        "quote": {"@id": "https://w3id.org/fep/044f#quote", "@type": "@id"},
        "quoteUri": "http://fedibird.com/ns#quoteUri",
        "_misskey_quote": "https://misskey-hub.net/ns#_misskey_quote",
        "quoteAuthorization": {
            "@id": "https://w3id.org/fep/044f#quoteAuthorization",
            "@type": "@id",
        },
        "QuoteRequest": "https://w3id.org/fep/044f#QuoteRequest",
        "gts": "https://gotosocial.org/ns#",
        "interactionPolicy": {"@id": "gts:interactionPolicy", "@type": "@id"},
        "canQuote": {"@id": "gts:canQuote", "@type": "@id"},
        "canReply": {"@id": "gts:canReply", "@type": "@id"},
        "automaticApproval": {"@id": "gts:automaticApproval", "@type": "@id"},
        "manualApproval": {"@id": "gts:manualApproval", "@type": "@id"},
        "interactingObject": {"@id": "gts:interactingObject"},
        "interactionTarget": {"@id": "gts:interactionTarget"},
    },
]


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def iso(moment: Any) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def with_context(document: dict[str, Any]) -> dict[str, Any]:
    return {"@context": CONTEXT, **document}


def actor_type(account: Account) -> str:
    if account.kind == AccountKind.INSTITUTION:
        return "Organization"
    if account.kind in (AccountKind.TEAM, AccountKind.GROUP):
        return "Group"
    return "Service" if account.bot else "Person"


def key_id(account: Account) -> str:
    return f"{account.uri}#main-key"


def followers_uri(account: Account) -> str:
    return account.followers_url or f"{account.uri}/followers"


def _media_url(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else links.absolute(path)


def actor_to_activity(account: Account) -> dict[str, Any]:
    """The actor document served at the account's URI."""
    uri = str(account.uri)
    document: dict[str, Any] = {
        "id": uri,
        "type": actor_type(account),
        "following": f"{uri}/following",
        "followers": followers_uri(account),
        "inbox": account.inbox_url or f"{uri}/inbox",
        "outbox": account.outbox_url or f"{uri}/outbox",
        "featured": f"{uri}/collections/featured",
        "featuredTags": f"{uri}/collections/tags",
        "preferredUsername": account.username,
        "name": account.display_name,
        "summary": account.note_html,
        "url": account.url or links.account_url(account.username),
        "manuallyApprovesFollowers": account.locked,
        "discoverable": account.discoverable,
        "indexable": account.discoverable,
        "published": iso(account.created_at),
        "publicKey": {"id": key_id(account), "owner": uri, "publicKeyPem": account.public_key},
        "endpoints": {"sharedInbox": links.absolute("/inbox")},
        "tag": [],
        "attachment": [
            {"type": "PropertyValue", "name": f.get("name", ""), "value": f.get("value_html", "")}
            for f in account.fields or []
        ],
    }
    if account.kind == AccountKind.INSTITUTION:
        from babillard.institutions.queries import actor_properties

        document["attachment"] += actor_properties(account)
    if account.kind == AccountKind.GROUP:
        from babillard.groups.queries import actor_properties as group_properties

        document.update(group_properties(account))
    if account.avatar:
        document["icon"] = {"type": "Image", "url": _media_url(account.avatar_url)}
    if account.header:
        document["image"] = {"type": "Image", "url": _media_url(account.header_url)}
    if account.moved_to_id and account.moved_to:
        document["movedTo"] = account.moved_to.uri
    aliases = [alias.uri for alias in account.aliases.all()]
    if aliases:
        document["alsoKnownAs"] = aliases
    return document


def _mention_uris(status: Status) -> list[str]:
    return [str(m.account.uri) for m in status.mentions.all() if m.account.uri]


def addressing(status: Status) -> tuple[list[str], list[str]]:
    """``to`` and ``cc`` of a status, exactly as Mastodon derives them from visibility."""
    followers = followers_uri(status.account)
    mentions = _mention_uris(status)
    if status.visibility == Visibility.PUBLIC:
        return [PUBLIC], [followers, *mentions]
    if status.visibility == Visibility.UNLISTED:
        return [followers], [PUBLIC, *mentions]
    if status.visibility == Visibility.PRIVATE:
        return [followers], mentions
    return mentions, []


def note_to_activity(status: Status) -> dict[str, Any]:
    """A post as a Note (or a Question when it carries a poll)."""
    to, cc = addressing(status)
    tags: list[dict[str, Any]] = [
        {
            "type": "Mention",
            "href": m.account.uri,
            "name": f"@{m.account.username}@{m.account.domain or settings.DOMAIN}",
        }
        for m in status.mentions.all()
    ]
    tags += [
        {"type": "Hashtag", "href": links.tag_url(t.name), "name": f"#{t.display_name}"}
        for t in status.tags.all()
    ]
    language = status.language or settings.LANGUAGE_CODE
    note: dict[str, Any] = {
        "id": status.uri,
        "type": "Note",
        "summary": status.spoiler_text or None,
        "inReplyTo": status.in_reply_to.uri if status.in_reply_to else None,
        "published": iso(status.created_at),
        "url": status.url or status.uri,
        "attributedTo": status.account.uri,
        "to": to,
        "cc": cc,
        "sensitive": status.sensitive,
        "atomUri": status.uri,
        "content": status.content,
        "contentMap": {language: status.content},
        "attachment": [
            {
                "type": "Document",
                "mediaType": m.mime_type or "image/jpeg",
                "url": _media_url(m.url),
                "name": m.description or None,
                "blurhash": m.blurhash or None,
                "width": m.width,
                "height": m.height,
            }
            for m in status.media.all()
        ],
        "tag": tags,
    }
    if status.edited_at:
        note["updated"] = iso(status.edited_at)
    poll = getattr(status, "poll", None) if hasattr(status, "poll") else None
    if poll is not None:
        note["type"] = "Question"
        key = "anyOf" if poll.multiple else "oneOf"
        note[key] = [
            {
                "type": "Note",
                "name": option,
                "replies": {"type": "Collection", "totalItems": poll.votes_counts[i]},
            }
            for i, option in enumerate(poll.options)
        ]
        note["votersCount"] = poll.voters_count
        if poll.expires_at:
            note["endTime"] = iso(poll.expires_at)
            if poll.expired:
                note["closed"] = iso(poll.expires_at)
    add_quote_fields(status, note)
    from babillard.books.federation import add_book_fields

    return add_book_fields(status, note)


def create_activity(status: Status) -> dict[str, Any]:
    note = note_to_activity(status)
    return with_context(
        {
            "id": f"{status.uri}/activity",
            "type": "Create",
            "actor": status.account.uri,
            "published": note["published"],
            "to": note["to"],
            "cc": note["cc"],
            "object": note,
        }
    )


def update_activity(status: Status) -> dict[str, Any]:
    note = note_to_activity(status)
    stamp = int((status.edited_at or timezone.now()).timestamp())
    return with_context(
        {
            "id": f"{status.uri}#updates/{stamp}",
            "type": "Update",
            "actor": status.account.uri,
            "published": note.get("updated", note["published"]),
            "to": note["to"],
            "cc": note["cc"],
            "object": note,
        }
    )


def poll_update_activity(status: Status) -> dict[str, Any]:
    """An Update that is not an edit: a poll's new counts, a quote's approval or a post's
    interaction policy (each one a new id, unlike edits)."""
    activity = update_activity(status)
    activity["id"] = f"{status.uri}#updates/{int(timezone.now().timestamp() * 1000)}"
    return activity


def delete_activity(status: Status) -> dict[str, Any]:
    to, cc = addressing(status)
    return with_context(
        {
            "id": f"{status.uri}#delete",
            "type": "Delete",
            "actor": status.account.uri,
            "to": to,
            "cc": cc,
            "object": {"id": status.uri, "type": "Tombstone", "atomUri": status.uri},
        }
    )


def announce_activity(boost: Status) -> dict[str, Any]:
    original = boost.reblog
    assert original is not None
    followers = followers_uri(boost.account)
    if boost.visibility == Visibility.PUBLIC:
        to, cc = [PUBLIC], [original.account.uri, followers]
    else:
        to, cc = [followers], [original.account.uri, PUBLIC]
    return with_context(
        {
            "id": boost.uri,
            "type": "Announce",
            "actor": boost.account.uri,
            "published": iso(boost.created_at),
            "to": to,
            "cc": cc,
            "object": original.uri,
            # FEP-1b12: a group's boost names the group as the post's audience.
            **({"audience": boost.account.uri} if boost.account.kind == AccountKind.GROUP else {}),
        }
    )


def undo_activity(actor: Account, inner: dict[str, Any]) -> dict[str, Any]:
    inner = {k: v for k, v in inner.items() if k != "@context"}
    return with_context(
        {
            "id": f"{inner['id']}#undo" if "#" not in inner["id"] else f"{inner['id']}/undo",
            "type": "Undo",
            "actor": actor.uri,
            "to": inner.get("to", []),
            "cc": inner.get("cc", []),
            "object": inner,
        }
    )


def like_activity(actor: Account, status: Status, like_id: str) -> dict[str, Any]:
    return with_context({"id": like_id, "type": "Like", "actor": actor.uri, "object": status.uri})


def follow_activity(follower: Account, target: Account, follow_id: str) -> dict[str, Any]:
    return with_context(
        {"id": follow_id, "type": "Follow", "actor": follower.uri, "object": target.uri}
    )


def answer_activity(
    kind: str, target: Account, requester: Account, follow_id: str
) -> dict[str, Any]:
    """Accept or Reject of a follow; the Follow is embedded, as Mastodon sends it."""
    follow = {"id": follow_id, "type": "Follow", "actor": requester.uri, "object": target.uri}
    return with_context(
        {
            "id": f"{target.uri}#{kind.lower()}s/follows/{_short_hash(follow_id)}",
            "type": kind,
            "actor": target.uri,
            "object": follow,
        }
    )


def block_activity(account: Account, target: Account, block_id: str) -> dict[str, Any]:
    return with_context(
        {"id": block_id, "type": "Block", "actor": account.uri, "object": target.uri}
    )


def actor_update_activity(account: Account) -> dict[str, Any]:
    stamp = int(timezone.now().timestamp() * 1000)
    return with_context(
        {
            "id": f"{account.uri}#updates/{stamp}",
            "type": "Update",
            "actor": account.uri,
            "to": [PUBLIC],
            "object": actor_to_activity(account),
        }
    )


def move_activity(account: Account, target: Account) -> dict[str, Any]:
    stamp = int(timezone.now().timestamp() * 1000)
    return with_context(
        {
            "id": f"{account.uri}#moves/{stamp}",
            "type": "Move",
            "actor": account.uri,
            "object": account.uri,
            "target": target.uri,
        }
    )


def vote_activity(account: Account, poll: Poll, choice: int) -> dict[str, Any]:
    """A poll answer as Mastodon sends it: a Create of a Note with only a ``name``."""
    question = poll.status
    vote_id = f"{account.uri}#votes/{poll.pk}/{choice}"
    return with_context(
        {
            "id": f"{vote_id}/activity",
            "type": "Create",
            "actor": account.uri,
            "to": [question.account.uri],
            "object": {
                "id": vote_id,
                "type": "Note",
                "name": poll.options[choice],
                "attributedTo": account.uri,
                "to": [question.account.uri],
                "inReplyTo": question.uri,
            },
        }
    )


def flag_activity(report: "Report") -> dict[str, Any]:
    """A report forwarded to the reported account's server, as Mastodon sends it."""
    from babillard.federation.client import instance_actor_uri

    reported = [str(report.target.uri)]
    reported += [str(s.uri) for s in report.statuses.all() if s.uri]
    return with_context(
        {
            "id": f"{instance_actor_uri()}#reports/{report.pk}",
            "type": "Flag",
            "actor": instance_actor_uri(),
            "content": report.comment,
            "object": reported,
        }
    )


# Quotes (FEP-044f, as Mastodon 4.5 sends them) and interaction policies -----------------


def following_uri(account: Account) -> str:
    return f"{account.uri}/following"


def interaction_policy(status: Status) -> dict[str, Any]:
    """``canQuote`` as Mastodon sends it (automatic approval only) and ``canReply`` as
    GoToSocial does; the author and, for replies, the people mentioned always may."""
    author = str(status.account.uri)
    quote = {
        "public": [PUBLIC],
        "followers": [followers_uri(status.account)],
    }.get(status.quote_policy, [author])
    mentioned = _mention_uris(status)
    reply = {
        "anyone": [PUBLIC],
        "following": [following_uri(status.account), author, *mentioned],
    }.get(status.reply_policy, [author, *mentioned])
    return {
        "canQuote": {"automaticApproval": quote},
        "canReply": {"automaticApproval": reply, "manualApproval": []},
    }


def add_quote_fields(status: Status, note: dict[str, Any]) -> None:
    """``quote`` (with the older ``_misskey_quote`` and ``quoteUri``), the stamp once the
    quoted author approved, and the post's interaction policy."""
    note["interactionPolicy"] = interaction_policy(status)
    try:
        quote = status.quote
    except ObjectDoesNotExist:
        return
    if quote.quoted_status_id is None and quote.state == "accepted":
        note["quote"] = {"type": "Tombstone"}
        return
    note["quote"] = quote.quoted_uri
    note["_misskey_quote"] = quote.quoted_uri
    note["quoteUri"] = quote.quoted_uri
    if quote.state == "accepted" and quote.approval_uri:
        note["quoteAuthorization"] = quote.approval_uri


def quote_request_id(quote: Quote) -> str:
    return f"{quote.status.account.uri}#quote_requests/{quote.pk}"


def quote_request_activity(quote: Quote) -> dict[str, Any]:
    """Asks the quoted author's server for a stamp; the quote travels inline (``instrument``)."""
    return with_context(
        {
            "id": quote_request_id(quote),
            "type": "QuoteRequest",
            "actor": quote.status.account.uri,
            "object": quote.quoted_uri,
            "instrument": note_to_activity(quote.status),
        }
    )


def quote_authorization(quote: Quote) -> dict[str, Any]:
    """The stamp a quoted author's server hosts for an approved quote."""
    quoted_account = quote.quoted_account
    return {
        "id": quote.approval_uri,
        "type": "QuoteAuthorization",
        "attributedTo": quoted_account.uri if quoted_account else None,
        "interactingObject": quote.status.uri,
        "interactionTarget": quote.quoted_uri,
    }


def quote_answer_activity(quote: Quote, *, accepted: bool) -> dict[str, Any]:
    """``Accept`` (with the stamp as ``result``) or ``Reject`` of a ``QuoteRequest``."""
    quoted_account = quote.quoted_account
    actor = quoted_account.uri if quoted_account else None
    request = {
        "id": quote.request_uri or f"{quote.status.account.uri}#quote_requests/{quote.pk}",
        "type": "QuoteRequest",
        "actor": quote.status.account.uri,
        "object": quote.quoted_uri,
        "instrument": quote.status.uri,
    }
    kind = "accepts" if accepted else "rejects"
    activity: dict[str, Any] = {
        "id": f"{actor}#{kind}/quote_requests/{quote.pk}",
        "type": "Accept" if accepted else "Reject",
        "actor": actor,
        "object": request,
    }
    if accepted:
        activity["result"] = quote.approval_uri
    return with_context(activity)


def quote_revoke_activity(quote: Quote) -> dict[str, Any]:
    """The quoted author deletes the stamp (Mastodon's revocation)."""
    quoted_account = quote.quoted_account
    return with_context(
        {
            "id": f"{quote.approval_uri}#delete",
            "type": "Delete",
            "actor": quoted_account.uri if quoted_account else None,
            "to": [PUBLIC],
            "object": quote.approval_uri,
        }
    )
