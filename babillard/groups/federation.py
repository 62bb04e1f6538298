"""What the inbox does for groups: a remote ``Follow`` of a group is a request to join;
a ``Create`` whose ``audience`` is a local group (Lemmy's posts, FEP-1b12) is a post to it.

A ``Create`` that only mentions the group (Mastodon, Friendica) needs nothing here: it
is stored like any post mentioning a local account, and ``services.receive_post``
shares it once stored.
"""

from collections.abc import Callable
from typing import Any

from babillard.accounts.models import Account
from babillard.core.errors import Forbidden
from babillard.federation.remote import author_uri, id_of, is_local_uri, store_note
from babillard.groups import queries, services
from babillard.groups.models import Group

Handler = Callable[[dict[str, Any], Account], str]


def _local_group(uri: str) -> Group | None:
    if not uri or not is_local_uri(uri):
        return None
    return Group.objects.select_related("account").filter(account__uri=uri).first()


def _audience(payload: dict[str, Any]) -> Group | None:
    note = payload.get("object")
    if not isinstance(note, dict):
        return None
    return _local_group(id_of(note.get("audience") or payload.get("audience")))


def group_handler(payload: dict[str, Any]) -> Handler | None:
    """The handler for a ``Follow`` of a local group or a ``Create`` for one, else None."""
    if payload.get("type") == "Follow" and _local_group(id_of(payload.get("object"))):
        return handle_join
    if payload.get("type") == "Create" and _audience(payload) is not None:
        return handle_group_create
    return None


def handle_join(activity: dict[str, Any], actor: Account) -> str:
    group = _local_group(id_of(activity.get("object")))
    assert group is not None
    return services.receive_follow(group, actor, activity["id"])


def handle_group_create(activity: dict[str, Any], actor: Account) -> str:
    """Store a member's post to the group (even with no mention) and submit it."""
    group = _audience(activity)
    assert group is not None
    note = activity["object"]
    if author_uri(note) != actor.uri:
        raise Forbidden("object attributed to someone else")
    if not queries.is_member(actor, group):
        return "refused: not a member of the group"
    status = store_note(note, force=True)
    if status is None:
        return "nobody here needs it"
    post = services.submit(group, status)
    return f"group post {post.state}" if post is not None else "stored"
