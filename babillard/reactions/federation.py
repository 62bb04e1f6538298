"""Reactions over ActivityPub, sent and received.

Sent: to the post's author only (as a ``Like`` goes), and only for a post of
another server. Servers that know reactions (Pleroma, Akkoma, Misskey and its
forks, Babillard) get ``EmojiReact`` as Pleroma and Akkoma send it: the emoji
in ``content``, a custom one also as an ``Emoji`` in ``tag``. Every other
server, or one whose NodeInfo says nothing, gets the ``Like`` Misskey sends,
with the emoji in ``content`` and ``_misskey_reaction``: Mastodon counts it as
a favourite, which is all it understands. The software is read from NodeInfo
in the delivery task, never inside the reacting request.

Received: ``EmojiReact`` (and Pleroma's older ``EmojiReaction``), a ``Like``
carrying an emoji in ``content`` or ``_misskey_reaction``, and the ``Undo`` of
either. A plain ``Like`` stays a favourite.
"""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

from babillard.accounts.models import Account
from babillard.core.tasks import enqueue_on_commit
from babillard.federation import activities
from babillard.federation.remote import InvalidDocument, as_list, find_status, id_of
from babillard.reactions.emoji import is_unicode_emoji, shortcode
from babillard.reactions.models import Reaction
from babillard.statuses.models import Status

if TYPE_CHECKING:
    from collections.abc import Callable

REACTION_TYPES = ("EmojiReact", "EmojiReaction")
# NodeInfo software names of servers that read EmojiReact.
REACTING_SOFTWARE = {
    "akkoma",
    "babillard",
    "calckey",
    "catodon",
    "cherrypick",
    "firefish",
    "foundkey",
    "iceshrimp",
    "iceshrimp.net",
    "incestoma",
    "misskey",
    "pleroma",
    "sharkey",
}
MISSKEY_CONTEXT = {
    "misskey": "https://misskey-hub.net/ns#",
    "_misskey_reaction": "misskey:_misskey_reaction",
    "litepub": "http://litepub.social/ns#",
    "EmojiReact": "litepub:EmojiReact",
    "Emoji": "toot:Emoji",
}


def reaction_id(reaction: Reaction) -> str:
    return reaction.uri or f"{reaction.account.uri}#reactions/{reaction.pk}"


def _sent(reaction: Reaction) -> bool:
    """Only a local account's reaction to another server's post leaves, never on a local-only post."""
    status = reaction.status
    return reaction.account.is_local and not status.account.is_local and not status.local_only


def reaction_activity(reaction: Reaction, *, emoji_react: bool) -> dict[str, Any]:
    status = reaction.status
    document: dict[str, Any] = {
        "@context": [*activities.CONTEXT, MISSKEY_CONTEXT],
        "id": reaction_id(reaction),
        "type": "EmojiReact" if emoji_react else "Like",
        "actor": reaction.account.uri,
        "object": status.uri,
        "to": [status.account.uri],
        "cc": [],
        "content": reaction.name,
    }
    if not emoji_react:
        document["_misskey_reaction"] = reaction.name
    if reaction.is_custom and reaction.image_url:
        document["tag"] = [
            {
                "id": reaction.image_url,
                "type": "Emoji",
                "name": reaction.name,
                "icon": {"type": "Image", "url": reaction.image_url},
            }
        ]
    return document


def deliver_reaction(reaction: Reaction) -> None:
    from babillard.reactions.tasks import send_reaction

    if _sent(reaction):
        enqueue_on_commit(send_reaction, reaction.pk)


def deliver_unreaction(reaction: Reaction) -> None:
    """Queue the Undo with what it needs, since the reaction row is deleted meanwhile."""
    from babillard.reactions.tasks import send_unreaction

    if _sent(reaction):
        enqueue_on_commit(
            send_unreaction,
            reaction.pk,
            reaction.account_id,
            reaction.status_id,
            reaction.name,
            reaction.image_url,
        )


def send(reaction: Reaction, *, undo: bool = False) -> None:
    """Build the activity for the author's server and queue its delivery."""
    from babillard.federation import outbox
    from babillard.federation.remote import server_software

    author = reaction.status.account
    activity = reaction_activity(
        reaction, emoji_react=server_software(author.uri or "") in REACTING_SOFTWARE
    )
    if undo:
        activity = activities.undo_activity(reaction.account, activity)
        activity["@context"] = [*activities.CONTEXT, MISSKEY_CONTEXT]
    outbox.send(reaction.account, activity, [author])


# --- Received ---------------------------------------------------------------------


def _reaction_name(activity: dict[str, Any]) -> str:
    """The emoji a reaction activity carries, "" when it carries none."""
    for key in ("content", "_misskey_reaction"):
        value = activity.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _image_of(activity: dict[str, Any], name: str) -> str:
    """The image of custom emoji ``name`` in the activity's ``tag`` (Misskey, Akkoma)."""
    for tag in as_list(activity.get("tag")):
        if not isinstance(tag, dict) or tag.get("type") != "Emoji":
            continue
        if shortcode(str(tag.get("name", ""))) != name:
            continue
        icon = tag.get("icon")
        url = icon.get("url") if isinstance(icon, dict) else None
        if isinstance(url, str):
            return url
    return ""


def _is_reaction(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    kind = document.get("type")
    if kind in REACTION_TYPES:
        return True
    return kind == "Like" and bool(_reaction_name(document))


def handle_reaction(activity: dict[str, Any], actor: Account) -> str:
    from babillard.reactions.services import react

    status = find_status(id_of(activity.get("object")))
    if status is None:
        return "unknown object"
    name = _reaction_name(activity)
    custom = shortcode(name)
    if not (is_unicode_emoji(name) or custom):
        raise InvalidDocument("a reaction without an emoji")
    try:
        react(
            actor, status, custom or name, uri=activity["id"], image_url=_image_of(activity, custom)
        )
    except ValidationError as error:
        raise InvalidDocument(" ".join(error.messages)) from None
    return "reacted"


def handle_undo_reaction(activity: dict[str, Any], actor: Account) -> str:
    from babillard.core.errors import Forbidden
    from babillard.reactions.services import unreact, unreact_by_uri

    inner = activity.get("object")
    if isinstance(inner, dict) and id_of(inner.get("actor")) not in ("", actor.uri):
        raise Forbidden("undo of someone else's activity")
    if unreact_by_uri(actor, id_of(inner)):
        return "reaction removed"
    # Some servers give the Undo a reaction rebuilt without its first id: match its emoji.
    if isinstance(inner, dict):
        status: Status | None = find_status(id_of(inner.get("object")))
        name = _reaction_name(inner)
        if status is not None and name:
            unreact(actor, status, shortcode(name) or name)
            return "reaction removed"
    return "unknown reaction"


def reaction_handler(activity: dict[str, Any]) -> "Callable[[dict[str, Any], Account], str] | None":
    """The handler for a reaction or its Undo, or ``None`` for the inbox's own handlers."""
    if _is_reaction(activity):
        return handle_reaction
    if activity.get("type") == "Undo":
        inner = activity.get("object")
        if _is_reaction(inner):
            return handle_undo_reaction
        inner_id = id_of(inner)
        if inner_id and Reaction.objects.filter(uri=inner_id).exists():
            return handle_undo_reaction
    return None
