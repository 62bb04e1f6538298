"""Reading remote documents into domain objects: actors, notes, handles (``from_activity``).

Everything fetched is checked before it is stored: an object's id must be on
the host it was fetched from, types must be what they claim, and remote HTML is
cleaned by the same sanitiser as local text (inside the services).
"""

import logging
from datetime import datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from babillard.accounts.models import Account, AccountKind, Visibility
from babillard.core import links
from babillard.federation import activities, conf
from babillard.federation.client import FetchError, fetch, fetch_plain_json
from babillard.statuses.models import Status

logger = logging.getLogger(__name__)

WEBFINGER_SELF_TYPES = (
    *activities.ACTIVITY_TYPES,
    'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
)
# A ``Group`` actor with one of these is a discussion group (FEP-1b12: Lemmy, Babillard);
# without, an institution's team (or a Mobilizon group).
GROUP_MARKERS = ("attributedTo", "moderators", "postingRestrictedToMods")
ACTOR_TYPES = {"Person", "Service", "Application", "Organization", "Group"}
NOTE_TYPES = {"Note", "Question", "Article", "Page", "Comment", "Review", "Quotation"}
MAX_REPLY_FETCH_DEPTH = 3
# Posts with a title: BookWyrm reviews, blog articles. Their summary is an excerpt, not a warning.
LONG_FORM_TYPES = ("Article", "Page", "Review")


class InvalidDocument(Exception):
    """A remote document that is malformed, forged or not allowed here."""


def host_of(uri: Any) -> str:
    if not isinstance(uri, str):
        return ""
    return (urlsplit(uri).netloc or "").lower()


def is_local_uri(uri: Any) -> bool:
    return host_of(uri) == settings.DOMAIN.lower()


def id_of(value: Any) -> str:
    """The id of an object that may be given inline or by its URI."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return ""


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(value: Any, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _url(value: Any) -> str:
    """A link given as a string, a Link object or a list of either."""
    for item in as_list(value):
        if isinstance(item, str) and item.startswith(("http://", "https://")):
            return item[:2000]
        if isinstance(item, dict):
            href = item.get("href") or item.get("url")
            if isinstance(href, str) and href.startswith(("http://", "https://")):
                return href[:2000]
    return ""


def _domain_suspended(domain: str) -> bool:
    from babillard.moderation.queries import is_domain_suspended

    return is_domain_suspended(domain)


def _domain_silenced(domain: str) -> bool:
    from babillard.moderation.queries import is_domain_silenced

    return is_domain_silenced(domain)


def actor_fields(document: dict[str, Any], fetched_from: str = "") -> dict[str, Any]:
    """The account fields an actor document carries; ``InvalidDocument`` if it is not one."""
    uri = document.get("id")
    if not isinstance(uri, str) or not uri.startswith(("http://", "https://")):
        raise InvalidDocument("actor without an id")
    if document.get("type") not in ACTOR_TYPES:
        raise InvalidDocument(f"not an actor: {document.get('type')!r}")
    if fetched_from and host_of(uri) != host_of(fetched_from):
        raise InvalidDocument("actor id is not on the host it came from")
    if is_local_uri(uri):
        raise InvalidDocument("a remote document may not describe a local actor")
    username = document.get("preferredUsername")
    inbox = document.get("inbox")
    if not isinstance(username, str) or not username or not isinstance(inbox, str):
        raise InvalidDocument("actor without preferredUsername or inbox")
    key = document.get("publicKey")
    keys = [k for k in as_list(key) if isinstance(k, dict)]
    public_key = ""
    for candidate in keys:
        if candidate.get("owner") in (None, uri) and isinstance(candidate.get("publicKeyPem"), str):
            public_key = candidate["publicKeyPem"]
            break
    endpoints = document.get("endpoints") if isinstance(document.get("endpoints"), dict) else {}
    shared = endpoints.get("sharedInbox") if endpoints else ""
    kind = {"Organization": AccountKind.INSTITUTION, "Group": AccountKind.TEAM}.get(
        str(document["type"]), AccountKind.PERSON
    )
    if kind == AccountKind.TEAM and any(key in document for key in GROUP_MARKERS):
        kind = AccountKind.GROUP
    fields = []
    for item in as_list(document.get("attachment")):
        if isinstance(item, dict) and item.get("type") == "PropertyValue":
            fields.append(
                {
                    "name": _text(item.get("name"), 255),
                    "value": "",
                    "value_html": _text(item.get("value"), 2000),
                }
            )
    icon = document.get("icon")
    image = document.get("image")
    return {
        "uri": uri,
        "username": username[:64],
        "domain": host_of(uri),
        "kind": kind,
        "bot": document["type"] in ("Service", "Application"),
        "display_name": _text(document.get("name"), 100),
        "note_html": _text(document.get("summary"), 10000),
        "fields": fields[:8],
        "url": _url(document.get("url")) or uri,
        "inbox_url": inbox[:2000],
        "shared_inbox_url": shared[:2000] if isinstance(shared, str) else "",
        "outbox_url": _text(document.get("outbox"), 2000),
        "followers_url": _text(document.get("followers"), 2000),
        "public_key": public_key,
        "locked": document.get("manuallyApprovesFollowers") is True,
        "discoverable": document.get("discoverable") is not False,
        "avatar_remote_url": _url(icon.get("url") if isinstance(icon, dict) else icon),
        "header_remote_url": _url(image.get("url") if isinstance(image, dict) else image),
    }


def store_actor(document: dict[str, Any], fetched_from: str = "") -> Account:
    from babillard.accounts.services import update_remote_account

    fields = actor_fields(document, fetched_from)
    if _domain_suspended(fields["domain"]):
        raise InvalidDocument("this server is blocked")
    silenced = _domain_silenced(fields["domain"])
    if _rejects_media(fields["domain"]):
        fields["avatar_remote_url"] = fields["header_remote_url"] = ""
    return update_remote_account(silenced=silenced, **fields)


def resolve_actor(uri: str, *, refresh: bool = False) -> Account:
    """The account of an actor URI: local, cached, or fetched now (``InvalidDocument``/``FetchError``)."""
    uri = uri.split("#", 1)[0]
    if is_local_uri(uri):
        local = Account.objects.filter(uri=uri, domain="").first()
        if local is None:
            raise InvalidDocument("unknown local actor")
        return local
    known = Account.objects.filter(uri=uri).first()
    stale = known is not None and (
        known.fetched_at is None
        or (timezone.now() - known.fetched_at).total_seconds() > conf.ACTOR_REFRESH_SECONDS
    )
    if known is not None and not refresh and not stale:
        return known
    if _domain_suspended(host_of(uri)):
        raise InvalidDocument("this server is blocked")
    try:
        document = fetch(uri)
    except FetchError:
        if known is not None and not refresh:
            return known
        raise
    if document.get("type") not in ACTOR_TYPES and isinstance(document.get("owner"), str):
        # A key document (keyId pointing at the key itself): its owner is the actor.
        if host_of(document["owner"]) != host_of(uri):
            raise InvalidDocument("key owner on another host")
        return resolve_actor(document["owner"], refresh=refresh)
    return store_actor(document, fetched_from=uri)


def webfinger(handle: str) -> Account:
    """Find ``user@domain`` through WebFinger and fetch its actor."""
    handle = handle.strip().lstrip("@")
    if "@" not in handle:
        local = Account.objects.filter(username__iexact=handle, domain="").first()
        if local is None:
            raise InvalidDocument("unknown local account")
        return local
    username, domain = handle.rsplit("@", 1)
    if domain.lower() == settings.DOMAIN.lower():
        return webfinger(username)
    known = Account.objects.filter(username__iexact=username, domain__iexact=domain).first()
    if known is not None:
        return known
    if _domain_suspended(domain):
        raise InvalidDocument("this server is blocked")
    from babillard.core.http import plain_http_allowed

    schemes = ["https", "http"] if plain_http_allowed() else ["https"]
    last_error: Exception = FetchError("no scheme tried")
    for scheme in schemes:
        url = f"{scheme}://{domain}/.well-known/webfinger?resource=acct:{username}@{domain}"
        try:
            answer = fetch_plain_json(url)
        except FetchError as error:
            last_error = error
            continue
        links_found = answer.get("links", []) if isinstance(answer, dict) else []
        for link in links_found:
            if (
                isinstance(link, dict)
                and link.get("rel") == "self"
                and link.get("type") in WEBFINGER_SELF_TYPES
                and isinstance(link.get("href"), str)
            ):
                return resolve_actor(link["href"])
        raise InvalidDocument("WebFinger answer without an ActivityPub link")
    raise last_error


# --- Notes -----------------------------------------------------------------


def visibility_of(document: dict[str, Any], author: Account) -> str:
    """Mastodon's rule read backwards: Public in to, in cc, followers, or only mentions."""
    to = {id_of(x) for x in as_list(document.get("to"))}
    cc = {id_of(x) for x in as_list(document.get("cc"))}
    if to & activities.PUBLIC_ALIASES:
        return Visibility.PUBLIC
    if cc & activities.PUBLIC_ALIASES:
        return Visibility.UNLISTED
    followers = author.followers_url or f"{author.uri}/followers"
    if followers in to | cc:
        return Visibility.PRIVATE
    return Visibility.DIRECT


def _mentioned_accounts(document: dict[str, Any]) -> list[Account]:
    """Accounts named by Mention tags and addressed directly, that we know."""
    uris: list[str] = []
    for tag in as_list(document.get("tag")):
        if (
            isinstance(tag, dict)
            and tag.get("type") == "Mention"
            and isinstance(tag.get("href"), str)
        ):
            uris.append(tag["href"])
    for target in as_list(document.get("to")) + as_list(document.get("cc")):
        uri = id_of(target)
        if is_local_uri(uri):
            uris.append(uri)
    found = Account.objects.filter(uri__in=uris[:50])
    by_url = Account.objects.filter(url__in=uris[:50], domain="")
    return list({a.pk: a for a in [*found, *by_url]}.values())


def _hashtags(document: dict[str, Any]) -> list[str]:
    names = []
    for tag in as_list(document.get("tag")):
        if (
            isinstance(tag, dict)
            and tag.get("type") == "Hashtag"
            and isinstance(tag.get("name"), str)
        ):
            name = tag["name"].lstrip("#").strip()
            if name and len(name) <= 100:
                names.append(name)
    return names[:30]


def _media(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for item in as_list(document.get("attachment")):
        if not isinstance(item, dict) or item.get("type") not in (
            "Document",
            "Image",
            "Video",
            "Audio",
        ):
            continue
        url = _url(item.get("url"))
        if not url:
            continue
        media_type = _text(item.get("mediaType"), 64)
        found.append(
            {
                "url": url,
                "mime_type": media_type,
                "description": _text(item.get("name"), 1500),
                "blurhash": _text(item.get("blurhash"), 100),
                "width": item.get("width") if isinstance(item.get("width"), int) else None,
                "height": item.get("height") if isinstance(item.get("height"), int) else None,
            }
        )
    return found[:8]


def _content(document: dict[str, Any]) -> tuple[str, str]:
    """The HTML and its language, preferring the ``contentMap`` entry that matches ``content``."""
    content = document.get("content")
    language = ""
    content_map = document.get("contentMap")
    if isinstance(content_map, dict) and content_map:
        for lang, html in content_map.items():
            if isinstance(html, str) and (not isinstance(content, str) or html == content):
                language, content = str(lang)[:8], html
                break
    if not isinstance(content, str):
        content = ""
    if document.get("type") in LONG_FORM_TYPES and isinstance(document.get("name"), str):
        # Long-form posts (BookWyrm reviews, blogs) lead with their title, as Mastodon shows them.
        link = _url(document.get("url")) or document["id"]
        title, href = escape(document["name"][:200]), escape(link)
        content = f'<p><strong>{title}</strong></p>{content}<p><a href="{href}">{href}</a></p>'
    return content[:100_000], language


def _poll(document: dict[str, Any]) -> dict[str, Any] | None:
    if document.get("type") != "Question":
        return None
    multiple = "anyOf" in document
    options = []
    counts = []
    for option in as_list(document.get("anyOf") if multiple else document.get("oneOf")):
        if isinstance(option, dict) and isinstance(option.get("name"), str):
            options.append(option["name"][:200])
            replies = option.get("replies")
            total = replies.get("totalItems") if isinstance(replies, dict) else 0
            counts.append(total if isinstance(total, int) and total >= 0 else 0)
    if len(options) < 2:
        return None
    end = document.get("endTime") or document.get("closed")
    return {
        "options": options[:20],
        "votes_counts": counts[:20],
        "multiple": multiple,
        "expires_at": parse_datetime(end) if isinstance(end, str) else None,
        "voters_count": document.get("votersCount")
        if isinstance(document.get("votersCount"), int)
        else 0,
    }


def _published(document: dict[str, Any]) -> datetime:
    value = document.get("published")
    moment = parse_datetime(value) if isinstance(value, str) else None
    now = timezone.now()
    if moment is None or moment > now:
        return now
    return moment


def _as_links(media: list[dict[str, Any]]) -> str:
    """Attachments of a server whose media are refused: links under the text, as Mastodon shows them."""
    anchors = [
        f'<a href="{escape(item["url"])}">{escape(item["description"] or item["url"])}</a>'
        for item in media
    ]
    return f"<p>{'<br>'.join(anchors)}</p>"


def _rejects_media(domain: str) -> bool:
    from babillard.moderation.queries import rejects_media

    return rejects_media(domain)


def note_fields(document: dict[str, Any], author: Account) -> dict[str, Any]:
    """The arguments of ``receive_remote_status`` for a Note-like object."""
    from babillard.federation.quotes import policies_of

    content, language = _content(document)
    media = _media(document)
    if media and _rejects_media(author.domain):
        content, media = content + _as_links(media), []
    return {
        **policies_of(document, author),
        "uri": document["id"],
        "url": _url(document.get("url")) or document["id"],
        "content": content,
        "spoiler_text": _text(document.get("summary"), 500)
        if document.get("type") not in LONG_FORM_TYPES
        else "",
        "sensitive": document.get("sensitive") is True,
        "visibility": visibility_of(document, author),
        "language": language,
        "mentions": _mentioned_accounts(document),
        "tags": _hashtags(document),
        "media": media,
        "poll": _poll(document),
        "created_at": _published(document),
    }


def check_note(document: dict[str, Any]) -> None:
    if document.get("type") not in NOTE_TYPES:
        raise InvalidDocument(f"unsupported object type {document.get('type')!r}")
    if not isinstance(document.get("id"), str) or not document["id"].startswith(
        ("http://", "https://")
    ):
        raise InvalidDocument("object without an id")
    author = id_of(
        document.get("attributedTo")
        if not isinstance(document.get("attributedTo"), list)
        else (document["attributedTo"] or [None])[0]
    )
    if not author:
        raise InvalidDocument("object without attributedTo")
    if host_of(author) != host_of(document["id"]):
        raise InvalidDocument("object id and author are on different hosts")
    if is_local_uri(document["id"]):
        raise InvalidDocument("a remote server may not create local objects")


def author_uri(document: dict[str, Any]) -> str:
    attributed = document.get("attributedTo")
    if isinstance(attributed, list):
        attributed = next((a for a in attributed if id_of(a)), None)
    return id_of(attributed)


def find_status(uri: str) -> Status | None:
    if not uri:
        return None
    if is_local_uri(uri):
        found = Status.objects.filter(uri=uri).first()
        if found is None:
            # Mastodon links to /@user/id as well as /users/user/statuses/id.
            found = Status.objects.filter(url=uri).first()
        return found
    return Status.objects.filter(uri=uri).first()


def relevant_here(document: dict[str, Any], author: Account, reply_to: Status | None) -> bool:
    """Whether a post concerns anyone here: followed author, local mention, reply to a local
    post, quote of a local post."""
    from babillard.federation.quotes import quotes_local_post

    if Account.objects.filter(following_rel__target=author, domain="").exists():
        return True
    if any(a.is_local for a in _mentioned_accounts(document)):
        return True
    if quotes_local_post(document):
        return True
    return reply_to is not None and reply_to.account.is_local


def store_note(document: dict[str, Any], *, depth: int = 0, force: bool = False) -> Status | None:
    """Store a remote Note (creating or refreshing it); ``None`` when nobody here needs it."""
    from babillard.statuses.services import receive_remote_status

    check_note(document)
    existing = find_status(document["id"])
    if existing is not None:
        return existing
    author = resolve_actor(author_uri(document))
    if author.is_local or author.is_suspended:
        raise InvalidDocument("author may not post here")
    parent_uri = id_of(document.get("inReplyTo"))
    parent = find_status(parent_uri)
    if (
        parent is None
        and parent_uri
        and depth < MAX_REPLY_FETCH_DEPTH
        and not is_local_uri(parent_uri)
    ):
        try:
            parent = fetch_note(parent_uri, depth=depth + 1)
        except (FetchError, InvalidDocument) as error:
            logger.info("cannot fetch the post replied to, %s: %s", parent_uri, error)
    from babillard.federation.quotes import read_quote, refuses_reply

    if refuses_reply(author, parent):
        # The reply policy of the local post refuses this author: the reply is dropped,
        # or kept outside the thread when a reader here asked for it by its address.
        if not force:
            return None
        parent = None
    if not force and not relevant_here(document, author, parent):
        return None
    status = receive_remote_status(author, in_reply_to=parent, **note_fields(document, author))
    read_quote(status, document)
    return status


def fetch_note(uri: str, *, depth: int = 0) -> Status | None:
    existing = find_status(uri)
    if existing is not None:
        return existing
    document = fetch(uri)
    if host_of(document.get("id")) != host_of(uri):
        raise InvalidDocument("object id is not on the host it came from")
    return store_note(document, depth=depth, force=True)


def local_object_path(uri: str) -> str:
    return uri.removeprefix(links.absolute(""))


# A server's software is asked again after this long (it may have been upgraded or replaced).
SOFTWARE_RECHECK = timedelta(days=7)


def server_software(uri: str) -> str:
    """The NodeInfo ``software.name`` of the server holding ``uri``, "" when it gives none.

    Remembered on ``RemoteServer`` for a week, failures included, so that a
    server without NodeInfo is not asked at every activity.
    """
    from babillard.federation.models import RemoteServer

    parts = urlsplit(uri)
    domain = (parts.netloc or "").lower()
    if not domain or is_local_uri(uri):
        return ""
    server, _created = RemoteServer.objects.get_or_create(domain=domain)
    fresh = server.software_checked_at and server.software_checked_at > timezone.now() - (
        SOFTWARE_RECHECK
    )
    if fresh:
        return server.software
    name = ""
    try:
        index = fetch_plain_json(f"{parts.scheme}://{domain}/.well-known/nodeinfo")
        links = [link for link in as_list(index.get("links")) if isinstance(link, dict)]
        hrefs = [
            link.get("href")
            for link in links
            if str(link.get("rel", "")).startswith("http://nodeinfo.diaspora.software/ns/schema/")
        ]
        href = next((h for h in reversed(hrefs) if isinstance(h, str) and host_of(h) == domain), "")
        if href:
            software = fetch_plain_json(href).get("software")
            if isinstance(software, dict) and isinstance(software.get("name"), str):
                name = software["name"].strip().lower()[:64]
    except (FetchError, AttributeError) as error:
        logger.info("no NodeInfo from %s: %s", domain, error)
    RemoteServer.objects.filter(pk=server.pk).update(
        software=name, software_checked_at=timezone.now()
    )
    return name
