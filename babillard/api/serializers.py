"""One function per Mastodon entity: domain objects in, the documented JSON shape out.

Ids are strings, times are ISO 8601 in UTC with milliseconds, URLs are
absolute: clients (masto.js, Mastodon.py) rely on all three. The shapes are
described for the OpenAPI document by the classes of ``schemas.py``.
"""

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import prefetch_related_objects
from django.db.models.signals import post_delete, post_save

from babillard.accounts.models import Account, AccountKind, User
from babillard.accounts.queries import Relationship
from babillard.core import links
from babillard.notifications.models import Notification
from babillard.statuses.models import (
    MediaAttachment,
    Poll,
    PollVote,
    QuotePolicy,
    Status,
    StatusEdit,
    Tag,
)
from babillard.statuses.queries import (
    interactions,
    muted_statuses,
    quote_approval,
    quote_context,
    shown_quote,
)
from babillard.timelines.models import Filter, FilterKeyword, FilterStatus, List
from babillard.timelines.services import FilterMatch, active_filters, match_filters
from babillard.timelines.trends import DayUse

JSON = dict[str, Any]


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def absolute(url: str) -> str:
    if not url:
        return url
    if url.startswith("/"):
        return links.absolute(url)
    return url


def account(item: Account, institutions: Mapping[int, JSON] | None = None) -> JSON:
    avatar = absolute(item.avatar_url)
    header = absolute(item.header_url) or links.absolute("/headers/original/missing.png")
    return {
        "id": str(item.pk),
        "username": item.username,
        "acct": item.acct,
        "display_name": item.display_name,
        "locked": item.locked,
        "bot": item.bot,
        "discoverable": item.discoverable,
        "indexable": item.discoverable,
        "group": item.kind == AccountKind.GROUP,
        "hide_collections": item.hide_collections,
        "noindex": not item.discoverable,
        "created_at": iso(item.created_at.replace(hour=0, minute=0, second=0, microsecond=0)),
        "note": item.note_html,
        "url": item.url or item.uri or "",
        "uri": item.uri or "",
        "avatar": avatar,
        "avatar_static": avatar,
        "header": header,
        "header_static": header,
        "followers_count": item.followers_count,
        "following_count": item.following_count,
        "statuses_count": item.statuses_count,
        "last_status_at": item.last_status_at.date().isoformat() if item.last_status_at else None,
        "emojis": [],
        "fields": [
            {"name": f.get("name", ""), "value": f.get("value_html", ""), "verified_at": None}
            for f in (item.fields or [])
        ],
        "roles": [],
        "moved": None,
        "suspended": item.is_suspended or None,
        "limited": item.is_silenced or None,
        **_babillard_account(item, institutions),
    }


def _babillard_account(item: Account, institutions: Mapping[int, JSON] | None) -> JSON:
    """Babillard's own fields of an account: ``babillard.institution`` for institutions
    (from ``institutions`` when the caller loaded them for many accounts at once)."""
    from babillard.institutions.queries import institution_entity

    found = institutions.get(item.pk) if institutions is not None else institution_entity(item)
    return {"babillard": {"institution": found}} if found is not None else {}


def credential_account(item: Account, follow_requests_count: int = 0) -> JSON:
    user: User | None = item.user
    data = account(item)
    data["source"] = {
        "privacy": user.default_visibility if user else "public",
        "sensitive": bool(user and user.default_sensitive),
        "language": (user.default_language if user else "") or None,
        "note": item.note,
        "fields": [
            {"name": f.get("name", ""), "value": f.get("value", ""), "verified_at": None}
            for f in (item.fields or [])
        ],
        "follow_requests_count": follow_requests_count,
        "hide_collections": item.hide_collections,
        "discoverable": item.discoverable,
        "indexable": item.discoverable,
    }
    data["role"] = {
        "id": "0",
        "name": "Moderator" if user and user.can_moderate else "",
        "color": "",
        "permissions": "0",
        "highlighted": False,
    }
    return data


def relationship(target: Account, rel: Relationship) -> JSON:
    return {
        "id": str(target.pk),
        "following": rel.following,
        "showing_reblogs": rel.showing_reblogs,
        "notifying": rel.notifying,
        "languages": None,
        "followed_by": rel.followed_by,
        "blocking": rel.blocking,
        "blocked_by": rel.blocked_by,
        "muting": rel.muting,
        "muting_notifications": rel.muting_notifications,
        "requested": rel.requested,
        "requested_by": rel.requested_by,
        "domain_blocking": rel.domain_blocking,
        "endorsed": rel.endorsed,
        "note": rel.note,
    }


def media(item: MediaAttachment) -> JSON:
    meta: JSON = {}
    if item.width and item.height:
        meta["original"] = {
            "width": item.width,
            "height": item.height,
            "size": f"{item.width}x{item.height}",
            "aspect": item.width / item.height,
        }
        longest = max(item.width, item.height)
        scale = min(1.0, settings.MEDIA_THUMBNAIL_SIZE / longest)
        small_w, small_h = max(1, round(item.width * scale)), max(1, round(item.height * scale))
        meta["small"] = {
            "width": small_w,
            "height": small_h,
            "size": f"{small_w}x{small_h}",
            "aspect": small_w / small_h,
        }
    return {
        "id": str(item.pk),
        "type": item.media_type or "image",
        "url": absolute(item.url) or None,
        "preview_url": absolute(item.preview_url) or None,
        "remote_url": item.remote_url or None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": meta,
        "description": item.description or None,
        "blurhash": item.blurhash or None,
    }


def tag(item: Tag, following: bool | None = None) -> JSON:
    data: JSON = {
        "name": item.display_name or item.name,
        "url": links.tag_url(item.name),
        "history": [],
    }
    if following is not None:
        data["following"] = following
    return data


def tag_history(days: list[DayUse]) -> list[JSON]:
    """Mastodon's ``history`` of a hashtag or link: one entry a day, today first."""
    return [
        {
            "day": str(int(datetime(d.day.year, d.day.month, d.day.day, tzinfo=UTC).timestamp())),
            "uses": str(d.uses),
            "accounts": str(d.accounts),
        }
        for d in days
    ]


def poll(item: Poll, viewer: Account | None, own_votes: list[int] | None = None) -> JSON:
    if own_votes is None:
        own_votes = (
            sorted(
                PollVote.objects.filter(poll=item, account=viewer).values_list("choice", flat=True)
            )
            if viewer
            else []
        )
    hide = (
        item.hide_totals
        and not item.expired
        and not (viewer and viewer.pk == item.status.account_id)
    )
    return {
        "id": str(item.pk),
        "expires_at": iso(item.expires_at),
        "expired": item.expired,
        "multiple": item.multiple,
        "votes_count": item.votes_count,
        "voters_count": item.voters_count if item.multiple else None,
        "options": [
            {"title": title, "votes_count": None if hide else item.votes_counts[i]}
            for i, title in enumerate(item.options)
        ],
        "emojis": [],
        "voted": bool(own_votes) if viewer else None,
        "own_votes": own_votes if viewer else None,
    }


def filter_entity(item: Filter) -> JSON:
    return {
        "id": str(item.pk),
        "title": item.title,
        "context": list(item.contexts),
        "expires_at": iso(item.expires_at),
        "filter_action": item.action,
        "keywords": [filter_keyword(k) for k in item.keywords.all()],
        "statuses": [filter_status(s) for s in item.statuses.all()],
    }


def filter_keyword(item: FilterKeyword) -> JSON:
    return {"id": str(item.pk), "keyword": item.keyword, "whole_word": item.whole_word}


def filter_status(item: FilterStatus) -> JSON:
    return {"id": str(item.pk), "status_id": str(item.status_id)}


# A status's entity without what depends on the viewer or changes without the status row
# (``account``, the marks, ``poll``) is kept in the cache under the status id, beside a
# fingerprint of the row's changing columns: an edit or a new count makes a new
# fingerprint. The version of this file is part of the key, so that a field added here
# is served at once; saving or deleting a status or one of its images drops its entry.
STATUS_BODY_SECONDS = 24 * 3600
_BODY_VERSION = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]


def _body_key(status_id: int) -> str:
    return f"status-body:{_BODY_VERSION}:{status_id}"


def _fingerprint(item: Status) -> str:
    changing = (item.edited_at, item.replies_count, item.reblogs_count, item.favourites_count)
    return f"{settings.DOMAIN}|{changing}"


def _forget_body(sender: type, instance: Status | MediaAttachment, **kwargs: Any) -> None:
    status_id = instance.pk if isinstance(instance, Status) else instance.status_id
    if status_id is not None:
        cache.delete(_body_key(status_id))


for _model in (Status, MediaAttachment):
    post_save.connect(_forget_body, sender=_model, dispatch_uid=f"status-body-{_model.__name__}")
    post_delete.connect(
        _forget_body, sender=_model, dispatch_uid=f"status-body-d-{_model.__name__}"
    )


class StatusRenderer:
    """Renders statuses for one viewer, loading their favourites, boosts and votes at once.

    With a filter ``context`` (home, public, thread, account, notifications) the
    viewer's filters apply: matching statuses carry ``filtered``, and those of a
    filter whose action is ``hide`` are left out by ``many``. What does not depend on
    the viewer comes from the cache when it is there (see ``STATUS_BODY_SECONDS``);
    the images, mentions and hashtags of the others are loaded in one go.
    """

    def __init__(
        self,
        viewer: Account | None,
        statuses: Iterable[Status],
        context: str | None = None,
        *,
        shallow: bool = False,
    ) -> None:
        self.viewer = viewer
        self.filters = active_filters(viewer, context) if viewer and context else []
        items = list(statuses)
        originals = [s.reblog or s for s in items]
        self._load_quotes(originals, context, shallow)
        self.marks = {
            **interactions(viewer, items + originals),
            "muted": muted_statuses(viewer, items + originals),
        }
        self.accounts: dict[int, JSON] = {}
        from babillard.institutions.queries import institution_entities

        self.institutions = institution_entities(s.account for s in items + originals)
        self.bodies = self._cached_bodies(items + [s.reblog for s in items if s.reblog])
        from babillard.api.babillard.events import events_of_statuses

        self.events = events_of_statuses(originals)
        from babillard.api.babillard.books import status_book_fields

        self.books = status_book_fields(viewer, originals)
        from babillard.api.v1.reactions import reactions_of_statuses

        self.reactions = reactions_of_statuses(viewer, originals)
        self.votes: dict[int, list[int]] = {}
        if viewer is not None:
            poll_ids = [s.poll.pk for s in originals if _poll_of(s) is not None]
            for poll_id, choice in PollVote.objects.filter(
                account=viewer, poll_id__in=poll_ids
            ).values_list("poll_id", "choice"):
                self.votes.setdefault(poll_id, []).append(choice)

    def render(self, item: Status) -> JSON:
        data = self._one(item)
        if item.reblog is not None:
            data["reblog"] = self._one(item.reblog)
            for flag in ("favourited", "reblogged", "bookmarked"):
                data[flag] = data["reblog"][flag]
        if self.filters:
            matches = self.matches(item)
            data["filtered"] = [
                {
                    "filter": filter_entity(m.filter),
                    "keyword_matches": m.keyword_matches or None,
                    "status_matches": m.status_matches or None,
                }
                for m in matches
            ]
            if data["reblog"] is not None:
                data["reblog"]["filtered"] = data["filtered"]
        return data

    def matches(self, item: Status) -> list[FilterMatch]:
        if not self.filters or (self.viewer and item.account_id == self.viewer.pk):
            return []
        return match_filters(self.filters, item)

    def hidden(self, item: Status) -> bool:
        return any(m.filter.action == "hide" for m in self.matches(item))

    def many(self, items: Iterable[Status]) -> list[JSON]:
        return [self.render(s) for s in items if not self.hidden(s)]

    def _cached_bodies(self, items: list[Status]) -> dict[int, JSON]:
        """Cached bodies still matching their status; the relations of the others loaded."""
        found = cache.get_many([_body_key(s.pk) for s in items]) if items else {}
        bodies = {}
        for item in items:
            entry = found.get(_body_key(item.pk))
            if entry is not None and entry[0] == _fingerprint(item):
                bodies[item.pk] = entry[1]
        missing = [s for s in items if s.pk not in bodies]
        if missing:
            prefetch_related_objects(missing, "media", "mentions__account", "tags")
        return bodies

    def _account(self, item: Account) -> JSON:
        if item.pk not in self.accounts:
            self.accounts[item.pk] = account(item, self.institutions)
        return self.accounts[item.pk]

    def _one(self, item: Status) -> JSON:
        marks, viewer = self.marks, self.viewer
        found_poll = _poll_of(item)
        body = self.bodies.get(item.pk)
        if body is None:
            body = self.bodies[item.pk] = self._body(item)
            cache.set(_body_key(item.pk), (_fingerprint(item), body), timeout=STATUS_BODY_SECONDS)
        data = dict(body)
        data.update(
            {
                "favourited": item.pk in marks["favourited"] if viewer else None,
                "reblogged": item.pk in marks["reblogged"] if viewer else None,
                "muted": item.pk in marks["muted"] if viewer else None,
                "bookmarked": item.pk in marks["bookmarked"] if viewer else None,
                "account": self._account(item.account),
                "poll": (
                    poll(found_poll, viewer, self.votes.get(found_poll.pk, []) if viewer else None)
                    if found_poll is not None
                    else None
                ),
            }
        )
        # Akkoma's field, read at the top level by Phanpy and Elk, and under ``pleroma``.
        data["emoji_reactions"] = self.reactions.get(item.pk, [])
        data["pleroma"] = {"emoji_reactions": data["emoji_reactions"]}
        if item.pk in self.books:
            data["babillard"] = {**data.get("babillard", {}), **self.books[item.pk]}
        if item.pk in self.events:
            from babillard.api.babillard.events import event_entity

            event = event_entity(self.events[item.pk], viewer)
            data["babillard"] = {**data.get("babillard", {}), "event": event}
        if viewer is not None and viewer.pk == item.account_id:
            data["pinned"] = item.pk in marks["pinned"]
        self._add_quote_fields(item, data)
        return data

    def _load_quotes(self, originals: list[Status], context: str | None, shallow: bool) -> None:
        """Quotes and quote policies of these posts; the quoted posts rendered one level deep
        (their own quotes as ShallowQuote), as Mastodon renders them."""
        self.shallow = shallow
        self.quoting = quote_context(self.viewer, originals)
        self.quote_states = {
            status_id: shown_quote(self.viewer, quote)
            for status_id, quote in self.quoting.quotes.items()
        }
        self.quoted: dict[int, JSON] = {}
        shown = [quoted for _state, quoted in self.quote_states.values() if quoted is not None]
        if shown and not shallow:
            nested = StatusRenderer(self.viewer, shown, context, shallow=True)
            self.quoted = {s.pk: nested.render(s) for s in shown}

    def _add_quote_fields(self, item: Status, data: JSON) -> None:
        """``quote``, ``quote_approval`` and ``quotes_count`` (Mastodon 4.5), and the
        post's policies under ``babillard``."""
        entity: JSON | None = None
        if item.pk in self.quote_states:
            state, quoted = self.quote_states[item.pk]
            if self.shallow:
                entity = {"state": state, "quoted_status_id": str(quoted.pk) if quoted else None}
            else:
                entity = {
                    "state": state,
                    "quoted_status": self.quoted.get(quoted.pk) if quoted else None,
                }
        approval = quote_approval(
            self.viewer,
            item,
            follows=item.account_id in self.quoting.followed,
            blocked=False,  # rendered posts are visible, so never across a block
        )
        automatic = [] if item.quote_policy == QuotePolicy.NOBODY else [item.quote_policy]
        data["quote"] = entity
        data["quote_approval"] = {"automatic": automatic, "manual": [], "current_user": approval}
        data["quotes_count"] = item.quotes_count
        data["babillard"] = {
            **data.get("babillard", {}),
            "quote_policy": item.quote_policy,
            "reply_policy": item.reply_policy,
        }

    @staticmethod
    def _body(item: Status) -> JSON:
        """What a status's entity shows every viewer; ``_one`` fills in the rest."""
        is_reblog = item.reblog_id is not None
        data: JSON = {
            "id": str(item.pk),
            "created_at": iso(item.created_at),
            "in_reply_to_id": str(item.in_reply_to_id) if item.in_reply_to_id else None,
            "in_reply_to_account_id": (
                str(item.in_reply_to_account_id) if item.in_reply_to_account_id else None
            ),
            "sensitive": item.sensitive,
            "spoiler_text": item.spoiler_text,
            # Staff-only posts are shown to Mastodon clients as followers-only, the
            # nearest audience they know; ``babillard_visibility`` keeps the real one.
            "visibility": "private" if item.visibility == "internal" else item.visibility,
            "babillard_visibility": item.visibility,
            "babillard": {"visibility": item.visibility},
            "language": item.language or None,
            "uri": item.uri or "",
            "url": (item.url or item.uri or None) if not is_reblog else None,
            "replies_count": item.replies_count,
            "reblogs_count": item.reblogs_count,
            "favourites_count": item.favourites_count,
            "edited_at": iso(item.edited_at),
            "favourited": None,
            "reblogged": None,
            "muted": None,
            "bookmarked": None,
            "content": item.content if not is_reblog else "",
            "filtered": [],
            "reblog": None,
            "application": None,
            "account": None,
            "media_attachments": [media(m) for m in item.media.all()] if not is_reblog else [],
            "mentions": [
                {
                    "id": str(m.account.pk),
                    "username": m.account.username,
                    "url": m.account.url or m.account.uri or "",
                    "acct": m.account.acct,
                }
                for m in item.mentions.all()
            ]
            if not is_reblog
            else [],
            "tags": [tag(t) for t in item.tags.all()] if not is_reblog else [],
            "emojis": [],
            "card": None,
            "poll": None,
            "local_only": item.local_only,
        }
        if not is_reblog:
            data["text"] = None
        return data


def _poll_of(item: Status) -> Poll | None:
    try:
        return item.poll
    except Poll.DoesNotExist:
        return None


def statuses(
    viewer: Account | None, items: Iterable[Status], context: str | None = None
) -> list[JSON]:
    listed = list(items)
    return StatusRenderer(viewer, listed, context).many(listed)


def status(viewer: Account | None, item: Status, context: str | None = None) -> JSON:
    return StatusRenderer(viewer, [item], context).render(item)


def status_edit(item: StatusEdit, author: Account, attachments: list[MediaAttachment]) -> JSON:
    descriptions = list(item.media_descriptions or [])
    shown = []
    for index, attachment in enumerate(attachments[: len(descriptions)]):
        data = media(attachment)
        data["description"] = descriptions[index] or None
        shown.append(data)
    return {
        "content": item.content,
        "spoiler_text": item.spoiler_text,
        "sensitive": item.sensitive,
        "created_at": iso(item.created_at),
        "account": account(author),
        "poll": {"options": [{"title": o} for o in item.poll_options]}
        if item.poll_options
        else None,
        "media_attachments": shown,
        "emojis": [],
    }


def notification(item: Notification, viewer: Account, filters: bool = False) -> JSON:
    data: JSON = {
        "id": str(item.pk),
        "type": item.type,
        "created_at": iso(item.created_at),
        "group_key": f"ungrouped-{item.pk}",
        "account": account(item.from_account),
        "status": (
            status(viewer, item.status, "notifications" if filters else None)
            if item.status_id and item.status
            else None
        ),
    }
    if item.report_id:
        data["report"] = {"id": str(item.report_id)}
    if item.type == "reaction":
        from babillard.api.v1.reactions import notification_fields

        data.update(notification_fields(item))
    return data


def list_entity(item: List) -> JSON:
    return {
        "id": str(item.pk),
        "title": item.title,
        "replies_policy": item.replies_policy,
        "exclusive": item.exclusive,
    }
