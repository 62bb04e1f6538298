"""Every write about posts: compose, edit, delete, boost, favourite, bookmark, pin, vote.

Each function checks its input (``ValidationError`` with a message a person
understands), writes in one transaction, and triggers the side effects after
commit: home-feed fan-out, notifications, the search index.
"""

import errno
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from html import escape
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from babillard.accounts.models import Account, Visibility
from babillard.core import links, ratelimits, streaming
from babillard.core.errors import NotFound
from babillard.core.ids import new_id
from babillard.core.tasks import enqueue_at, enqueue_on_commit
from babillard.federation import outbox
from babillard.notifications.models import NotificationType
from babillard.notifications.services import notify
from babillard.statuses import formatting
from babillard.statuses.media import process_image
from babillard.statuses.models import (
    Bookmark,
    ConversationMute,
    ConversationState,
    Favourite,
    FeaturedTag,
    MediaAttachment,
    Mention,
    Pin,
    Poll,
    PollVote,
    Quote,
    QuotePolicy,
    QuoteState,
    ReplyPolicy,
    ScheduledStatus,
    Status,
    StatusEdit,
    Tag,
)
from babillard.statuses.queries import (
    AUTOMATIC,
    PUBLICLY_LISTED,
    can_see,
    may_reply,
    quote_approval,
)

logger = logging.getLogger(__name__)
MAX_MEDIA = 4
MAX_PINS = 5
MAX_POLL_OPTIONS = 4
MAX_POLL_OPTION_LENGTH = 50
POLL_MIN_SECONDS = 300
POLL_MAX_SECONDS = 30 * 24 * 3600
MAX_ALT_TEXT = 1500
MAX_FEATURED_TAGS = 10

# Sent with ``status`` for each new local post, inside its transaction and after its
# deliveries are queued, so that feature apps can add what they read in the text.
published = Signal()
# Sent with ``status`` for each post the instance stores, local or received from another
# server, inside its transaction: apps that read every arrival (antennas) listen here.
arrived = Signal()


@dataclass
class PollSpec:
    options: list[str]
    expires_in: int
    multiple: bool = False
    hide_totals: bool = False


def _resolve_mention(username: str, domain: str) -> formatting.MentionTarget | None:
    if domain in ("", settings.DOMAIN.lower()):
        domain = ""
    account = (
        Account.objects.active().filter(username__iexact=username, domain__iexact=domain).first()
    )
    if account is None:
        return None
    return formatting.MentionTarget(
        key=account.pk, acct=account.acct, url=account.url or account.uri or ""
    )


def render_text(text: str) -> formatting.RenderedText:
    """Render typed text to safe HTML, resolving mentions against known accounts."""
    return formatting.render(text, _resolve_mention)


def _validate_text(text: str, spoiler_text: str, has_attachments: bool) -> None:
    if not text.strip() and not has_attachments:
        raise ValidationError(_("Write something, or attach an image or a poll."), code="empty")
    length = formatting.character_count(text) + len(spoiler_text)
    if length > settings.MAX_STATUS_CHARACTERS:
        raise ValidationError(
            _("This post is %(length)d characters long; the limit is %(limit)d.")
            % {"length": length, "limit": settings.MAX_STATUS_CHARACTERS},
            code="too_long",
        )


def _validate_poll(poll: PollSpec) -> None:
    options = [o.strip() for o in poll.options]
    if not 2 <= len(options) <= MAX_POLL_OPTIONS or not all(options):
        raise ValidationError(_("A poll has two to four non-empty choices."), code="poll")
    if any(len(o) > MAX_POLL_OPTION_LENGTH for o in options):
        raise ValidationError(_("A poll choice has at most 50 characters."), code="poll")
    if len({o.casefold() for o in options}) != len(options):
        raise ValidationError(_("The poll's choices must differ."), code="poll")
    if not POLL_MIN_SECONDS <= poll.expires_in <= POLL_MAX_SECONDS:
        raise ValidationError(_("A poll lasts from five minutes to thirty days."), code="poll")


def _owned_media(author: Account, media_ids: Sequence[int | str]) -> list[MediaAttachment]:
    if len(media_ids) > MAX_MEDIA:
        raise ValidationError(_("A post has at most four images."), code="media")
    try:
        ids = [int(i) for i in media_ids]
    except (TypeError, ValueError):
        raise ValidationError(_("Unknown image."), code="media") from None
    found = {m.pk: m for m in MediaAttachment.objects.filter(account=author, pk__in=ids)}
    if len(found) != len(set(ids)):
        raise ValidationError(_("Unknown image."), code="media")
    return [found[i] for i in ids]


def upload_media(author: Account, upload: Any, description: str = "") -> MediaAttachment:
    """Store a checked image with its thumbnail, blurhash and alt text."""
    if len(description) > MAX_ALT_TEXT:
        raise ValidationError(
            _("An image description has at most 1500 characters."), code="too_long"
        )
    ratelimits.spend(author, "media")
    image = process_image(upload, "media")
    media = MediaAttachment(
        account=author,
        file=image.original,
        thumbnail=image.thumbnail,
        mime_type=image.mime_type,
        blurhash=image.blurhash,
        description=description.strip(),
    )
    try:
        with transaction.atomic():
            media.save()
    except OSError as error:
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        _forget_files(media)
        logger.error("No room left to store media: %s", error)
        raise ValidationError(
            _("The server has no room left for images just now. Please try again later."),
            code="storage_full",
        ) from None
    return media


def _forget_files(media: MediaAttachment) -> None:
    """Remove whatever part of an upload reached the disk before it filled up."""
    for stored in (media.file, media.thumbnail):
        if stored.name and stored.storage.exists(stored.name):
            stored.storage.delete(stored.name)


def describe_media(author: Account, media_id: int | str, description: str) -> MediaAttachment:
    if len(description) > MAX_ALT_TEXT:
        raise ValidationError(
            _("An image description has at most 1500 characters."), code="too_long"
        )
    media = _owned_media(author, [media_id])[0]
    media.description = description.strip()
    media.save(update_fields=["description"])
    return media


def _check_reply(author: Account, in_reply_to: Status | None) -> None:
    if in_reply_to is None:
        return
    if in_reply_to.is_reblog or not can_see(author, in_reply_to):
        raise ValidationError(
            _("The post you reply to does not exist or is hidden from you."), code="reply"
        )
    if not may_reply(author, in_reply_to):
        if in_reply_to.reply_policy == ReplyPolicy.FOLLOWING:
            message = _("Only the people @%(acct)s follows may reply to this post.")
        else:
            message = _("Only the people mentioned in this post may reply to it.")
        raise ValidationError(message % {"acct": in_reply_to.account.acct}, code="reply_policy")


def post_status(
    author: Account,
    text: str,
    *,
    visibility: str | None = None,
    spoiler_text: str = "",
    sensitive: bool | None = None,
    language: str | None = None,
    in_reply_to: Status | None = None,
    media_ids: Sequence[int | str] = (),
    poll: PollSpec | None = None,
    local_only: bool = False,
    scheduled_at: datetime | None = None,
    internal_to: Account | None = None,
    quoted_status: Status | None = None,
    quote_policy: str | None = None,
    reply_policy: str | None = None,
) -> Status | ScheduledStatus:
    """Publish a post by a local account, or schedule it when ``scheduled_at`` is given.

    An ``internal`` post names the institution whose staff may read it
    (``internal_to``); a reply to an internal post is internal to the same
    institution whatever was asked, and internal posts never leave the instance.
    A quote (``quoted_status``) is checked against the quoted post's policy, as
    Mastodon checks it: a quote of a followers-only post is followers-only.
    """
    if author.is_suspended:
        raise ValidationError(_("This account is suspended."), code="suspended")
    ratelimits.spend(author, "statuses")
    user = author.user
    visibility = visibility or (user.default_visibility if user else Visibility.PUBLIC)
    if visibility not in Visibility.values:
        raise ValidationError(_("Unknown visibility."), code="visibility")
    spoiler_text = spoiler_text.strip()
    media = _owned_media(author, media_ids)
    if media and poll:
        raise ValidationError(_("A post cannot carry both images and a poll."), code="media")
    if any(m.status_id for m in media):
        raise ValidationError(_("This image is already attached to a post."), code="media")
    if poll:
        _validate_poll(poll)
    _validate_text(text, spoiler_text, bool(media or poll))
    _check_reply(author, in_reply_to)
    if quoted_status is not None:
        _check_quote(author, quoted_status, bool(media or poll), visibility, text)
        # A quote reaches no wider audience than the post it quotes.
        if quoted_status.visibility == Visibility.PRIVATE and visibility in PUBLICLY_LISTED:
            visibility = Visibility.PRIVATE
        if quoted_status.visibility == Visibility.INTERNAL:
            visibility, internal_to = Visibility.INTERNAL, quoted_status.internal_to
    if any(parent is not None and parent.local_only for parent in (in_reply_to, quoted_status)):
        # A reply to or a quote of a local-only post stays here too: it would name the post.
        local_only = True
    if in_reply_to is not None and in_reply_to.visibility == Visibility.INTERNAL:
        visibility, internal_to = Visibility.INTERNAL, in_reply_to.internal_to
    if visibility == Visibility.INTERNAL:
        from babillard.institutions.queries import in_internal_audience

        if internal_to is None or not in_internal_audience(author, internal_to.pk):
            raise ValidationError(
                _("Staff-only posts are written by the members of an institution."),
                code="visibility",
            )
        local_only = True
    if sensitive is None:
        sensitive = bool(spoiler_text) or bool(user and user.default_sensitive and media)
    params = {
        "text": text,
        "visibility": visibility,
        "spoiler_text": spoiler_text,
        "sensitive": sensitive or bool(spoiler_text),
        "language": (language or (user.default_language if user else "") or "")[:8],
        "local_only": local_only,
        "quote_policy": _quote_policy(quote_policy, visibility),
        "reply_policy": _reply_policy(reply_policy),
    }
    if visibility == Visibility.INTERNAL and internal_to is not None:
        params["internal_to_id"] = internal_to.pk
    if scheduled_at is not None:
        return _schedule(author, scheduled_at, params, in_reply_to, media, poll, quoted_status)
    return _publish(author, params, in_reply_to, media, poll, quoted_status)


def _schedule(
    author: Account,
    when: datetime,
    params: dict[str, Any],
    in_reply_to: Status | None,
    media: list[MediaAttachment],
    poll: PollSpec | None,
    quoted: Status | None = None,
) -> ScheduledStatus:
    if when < timezone.now() + timedelta(minutes=5):
        raise ValidationError(
            _("A scheduled post must be at least five minutes ahead."), code="schedule"
        )
    params = {
        **params,
        "in_reply_to_id": in_reply_to.pk if in_reply_to else None,
        "poll": poll.__dict__ if poll else None,
        "quoted_status_id": quoted.pk if quoted else None,
    }
    with transaction.atomic():
        scheduled = ScheduledStatus.objects.create(account=author, scheduled_at=when, params=params)
        scheduled.media.set(media)
    from babillard.statuses.tasks import publish_scheduled_status

    enqueue_at(publish_scheduled_status, when, scheduled.pk)
    return scheduled


def publish_scheduled(scheduled_id: int) -> Status | None:
    """Publish a scheduled post if it is due; nothing if it is gone or not yet due."""
    with transaction.atomic():
        scheduled = (
            ScheduledStatus.objects.select_for_update()
            .filter(pk=scheduled_id, scheduled_at__lte=timezone.now())
            .first()
        )
        if scheduled is None:
            return None
        params = dict(scheduled.params)
        reply_id = params.pop("in_reply_to_id", None)
        poll_params = params.pop("poll", None)
        quoted_id = params.pop("quoted_status_id", None)
        in_reply_to = Status.objects.filter(pk=reply_id).first() if reply_id else None
        quoted = Status.objects.filter(pk=quoted_id).first() if quoted_id else None
        media = list(scheduled.media.all())
        scheduled.delete()
        if reply_id and (in_reply_to is None or not can_see(scheduled.account, in_reply_to)):
            in_reply_to = None
        if quoted is not None and quote_approval(scheduled.account, quoted) != AUTOMATIC:
            quoted = None
        return _publish(
            scheduled.account,
            params,
            in_reply_to,
            media,
            PollSpec(**poll_params) if poll_params else None,
            quoted,
        )


def _mentions_and_tags(rendered: formatting.RenderedText) -> tuple[list[Account], list[Tag]]:
    accounts = list(Account.objects.filter(pk__in=[m.key for m in rendered.mentions]))
    tags = [get_or_create_tag(name) for name in rendered.tags]
    return accounts, tags


def get_or_create_tag(name: str) -> Tag:
    tag, _created = Tag.objects.get_or_create(
        name=name.casefold()[:100], defaults={"display_name": name[:100]}
    )
    return tag


def _publish(
    author: Account,
    params: dict[str, Any],
    in_reply_to: Status | None,
    media: list[MediaAttachment],
    poll: PollSpec | None,
    quoted: Status | None = None,
) -> Status:
    rendered = render_text(params["text"])
    mentioned, tags = _mentions_and_tags(rendered)
    if in_reply_to and in_reply_to.account not in mentioned and in_reply_to.account != author:
        mentioned.append(in_reply_to.account)
    with transaction.atomic():
        content = rendered.html
        if quoted is not None:
            content = _quote_fallback(params["text"], quoted) + content
        status = Status(account=author, content=content, in_reply_to=in_reply_to, **params)
        status.uri = links.status_uri(author.username, status.pk)
        status.url = links.status_url(author.username, status.pk)
        if in_reply_to:
            status.in_reply_to_account = in_reply_to.account
            status.thread_root_id = in_reply_to.thread_root_id or in_reply_to.pk
        status.save(force_insert=True)
        status.tags.set(tags)
        Mention.objects.bulk_create(
            [Mention(status=status, account=a) for a in mentioned if a != author]
        )
        for position, attachment in enumerate(media):
            MediaAttachment.objects.filter(pk=attachment.pk).update(
                status=status, position=position
            )
        if poll:
            Poll.objects.create(
                status=status,
                options=[o.strip() for o in poll.options],
                multiple=poll.multiple,
                hide_totals=poll.hide_totals,
                votes_counts=[0] * len(poll.options),
                expires_at=timezone.now() + timedelta(seconds=poll.expires_in),
            )
        Account.objects.filter(pk=author.pk).update(
            statuses_count=F("statuses_count") + 1, last_status_at=status.created_at
        )
        if in_reply_to:
            Status.objects.filter(pk=in_reply_to.pk).update(replies_count=F("replies_count") + 1)
        for account in mentioned:
            if status.visibility != Visibility.INTERNAL or can_see(account, status):
                notify(account, author, NotificationType.MENTION, status)
        quote = _attach_quote(status, quoted) if quoted is not None else None
        _after_publish(status)
        outbox.deliver_status_create(status)
        if quote is not None and quote.state == QuoteState.PENDING:
            outbox.deliver_quote_request(quote)
        published.send(Status, status=status)
    if poll:
        from babillard.statuses.tasks import end_poll

        enqueue_at(end_poll, timezone.now() + timedelta(seconds=poll.expires_in), status.pk)
    return status


def _after_publish(status: Status) -> None:
    from babillard.search.services import index_status
    from babillard.timelines.tasks import fan_out_status

    index_status(status)
    enqueue_on_commit(fan_out_status, status.pk)
    arrived.send(Status, status=status)


def _save_version(status: Status) -> None:
    StatusEdit.objects.create(
        status=status,
        text=status.text,
        content=status.content,
        spoiler_text=status.spoiler_text,
        sensitive=status.sensitive,
        media_descriptions=[m.description for m in status.media.all()],
        poll_options=status.poll.options if hasattr(status, "poll") else None,
    )


def edit_status(
    author: Account,
    status: Status,
    text: str,
    *,
    spoiler_text: str = "",
    sensitive: bool | None = None,
    language: str | None = None,
    media_ids: Sequence[int | str] | None = None,
    media_descriptions: dict[int, str] | None = None,
    quote_policy: str | None = None,
) -> Status:
    """Edit one's own post, keeping every version for the visible history."""
    if status.account_id != author.pk or status.is_reblog:
        raise NotFound(status.pk)
    media = _owned_media(author, media_ids) if media_ids is not None else list(status.media.all())
    if any(m.status_id not in (None, status.pk) for m in media):
        raise ValidationError(_("This image is already attached to a post."), code="media")
    spoiler_text = spoiler_text.strip()
    _validate_text(text, spoiler_text, bool(media) or hasattr(status, "poll"))
    rendered = render_text(text)
    mentioned, tags = _mentions_and_tags(rendered)
    with transaction.atomic():
        if not status.edits.exists():
            _save_version(status)
        status.text, status.spoiler_text, status.content = text, spoiler_text, rendered.html
        status.sensitive = (
            bool(spoiler_text) if sensitive is None else sensitive or bool(spoiler_text)
        )
        if language:
            status.language = language[:8]
        if quote_policy is not None:
            status.quote_policy = _quote_policy(quote_policy, status.visibility)
        status.edited_at = timezone.now()
        status.save()
        status.tags.set(tags)
        known = set(status.mentions.values_list("account_id", flat=True))
        new_mentions = [a for a in mentioned if a.pk not in known and a != author]
        Mention.objects.bulk_create([Mention(status=status, account=a) for a in new_mentions])
        status.media.exclude(pk__in=[m.pk for m in media]).delete()
        for position, attachment in enumerate(media):
            description = (media_descriptions or {}).get(attachment.pk, attachment.description)
            MediaAttachment.objects.filter(pk=attachment.pk).update(
                status=status, position=position, description=description[:MAX_ALT_TEXT]
            )
        _save_version(status)
        for account in new_mentions:
            if status.visibility != Visibility.INTERNAL or can_see(account, status):
                notify(account, author, NotificationType.MENTION, status)
        for booster_id in status.reblogs.values_list("account_id", flat=True):
            notify(Account.objects.get(pk=booster_id), author, NotificationType.UPDATE, status)
        _notify_quoters(status)
        from babillard.search.services import index_status

        index_status(status)
        outbox.deliver_status_update(status)
        streaming.publish("*", "status.update", status.pk)
    return status


def delete_status(status: Status) -> None:
    """Delete a post everywhere: feeds, notifications, boosts, search index, media files."""
    with transaction.atomic():
        files = [f for m in status.media.all() for f in (m.file, m.thumbnail) if f]
        if status.in_reply_to_id:
            Status.objects.filter(pk=status.in_reply_to_id, replies_count__gt=0).update(
                replies_count=F("replies_count") - 1
            )
        if status.reblog_id:
            Status.objects.filter(pk=status.reblog_id, reblogs_count__gt=0).update(
                reblogs_count=F("reblogs_count") - 1
            )
        for quote in Quote.objects.filter(status=status):
            _uncount(quote)
        else:
            Account.objects.filter(pk=status.account_id, statuses_count__gt=0).update(
                statuses_count=F("statuses_count") - 1
            )
        outbox.deliver_status_delete(status)
        streaming.publish("*", "delete", status.pk)
        status.delete()
    for stored in files:
        transaction.on_commit(partial(stored.storage.delete, str(stored.name)))


def forget_account(sender: Any, account: Account, **kwargs: Any) -> None:
    """``accounts.services.account_deleting``: the account's posts and boosts go everywhere
    (feeds, counters, search, files), its favourites leave the counters, and the images it
    uploaded without posting them leave the disk.

    Poll votes stay counted: a result is an anonymous total.
    """
    for status_id in account.statuses.order_by("-id").values_list("id", flat=True):
        status = Status.objects.filter(pk=status_id).first()
        if status is not None:
            delete_status(status)
    favourites = Favourite.objects.filter(account=account)
    Status.objects.filter(pk__in=favourites.values("status_id"), favourites_count__gt=0).update(
        favourites_count=F("favourites_count") - 1
    )
    favourites.delete()
    loose = MediaAttachment.objects.filter(account=account)
    files = [f for m in loose for f in (m.file, m.thumbnail) if f]
    loose.delete()
    for stored in files:
        transaction.on_commit(partial(stored.storage.delete, str(stored.name)))


def delete_own_status(author: Account, status: Status) -> None:
    if status.account_id != author.pk:
        raise NotFound(status.pk)
    delete_status(status)


def reblog(account: Account, status: Status, *, uri: str = "") -> Status:
    """Boost a post to one's followers; followers-only and direct posts cannot be boosted."""
    original = status.reblog or status
    if not can_see(account, original):
        raise NotFound(status.pk)
    if original.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
        raise ValidationError(
            _("Only public and unlisted posts can be boosted."), code="visibility"
        )
    existing = Status.objects.filter(account=account, reblog=original).first()
    if existing:
        return existing
    ratelimits.spend(account, "statuses")
    with transaction.atomic():
        boost = Status(
            account=account,
            reblog=original,
            visibility=original.visibility,
            local=account.is_local,
            local_only=original.local_only,
        )
        boost.uri = uri or links.absolute(f"/users/{account.username}/statuses/{boost.pk}/activity")
        try:
            with transaction.atomic():
                boost.save(force_insert=True)
        except IntegrityError:
            return Status.objects.get(account=account, reblog=original)
        Status.objects.filter(pk=original.pk).update(reblogs_count=F("reblogs_count") + 1)
        notify(original.account, account, NotificationType.REBLOG, original)
        outbox.deliver_reblog(boost)
        from babillard.timelines.tasks import fan_out_status

        enqueue_on_commit(fan_out_status, boost.pk)
    return boost


def unreblog(account: Account, status: Status) -> Status:
    original = status.reblog or status
    boost = Status.objects.filter(account=account, reblog=original).first()
    if boost:
        delete_status(boost)
    original.refresh_from_db()
    return original


def favourite(account: Account, status: Status, *, uri: str = "") -> Status:
    original = status.reblog or status
    if not can_see(account, original):
        raise NotFound(status.pk)
    ratelimits.spend(account, "favourites")
    with transaction.atomic():
        _fav, created = Favourite.objects.get_or_create(
            account=account, status=original, defaults={"uri": uri}
        )
        if created:
            Status.objects.filter(pk=original.pk).update(favourites_count=F("favourites_count") + 1)
            notify(original.account, account, NotificationType.FAVOURITE, original)
            outbox.deliver_favourite(account, original)
    original.refresh_from_db()
    return original


def unfavourite(account: Account, status: Status) -> Status:
    original = status.reblog or status
    with transaction.atomic():
        outbox.deliver_unfavourite(account, original)
        deleted, _count = Favourite.objects.filter(account=account, status=original).delete()
        if deleted:
            Status.objects.filter(pk=original.pk, favourites_count__gt=0).update(
                favourites_count=F("favourites_count") - 1
            )
    original.refresh_from_db()
    return original


def bookmark(account: Account, status: Status) -> Status:
    original = status.reblog or status
    if not can_see(account, original):
        raise NotFound(status.pk)
    Bookmark.objects.get_or_create(account=account, status=original)
    return original


def unbookmark(account: Account, status: Status) -> Status:
    original = status.reblog or status
    Bookmark.objects.filter(account=account, status=original).delete()
    return original


def pin(account: Account, status: Status) -> Status:
    if status.account_id != account.pk or status.is_reblog:
        raise ValidationError(_("You can only pin your own posts."), code="pin")
    if status.visibility == Visibility.DIRECT:
        raise ValidationError(_("Direct messages cannot be pinned."), code="pin")
    with transaction.atomic():
        if Pin.objects.filter(account=account).exclude(status=status).count() >= MAX_PINS:
            raise ValidationError(_("You can pin at most five posts."), code="pin")
        Pin.objects.get_or_create(account=account, status=status)
    return status


def unpin(account: Account, status: Status) -> Status:
    Pin.objects.filter(account=account, status=status).delete()
    return status


def vote(account: Account, poll: Poll, choices: Sequence[int]) -> Poll:
    """Vote once in a poll the account can see; several choices only in multiple polls."""
    if not can_see(account, poll.status):
        raise NotFound(poll.pk)
    if poll.expired:
        raise ValidationError(_("This poll has ended."), code="poll")
    picked = sorted(set(choices))
    if not picked or any(not 0 <= c < len(poll.options) for c in picked):
        raise ValidationError(_("Choose one of the poll's choices."), code="poll")
    if len(picked) > 1 and not poll.multiple:
        raise ValidationError(_("This poll takes a single choice."), code="poll")
    if poll.status.account_id == account.pk:
        raise ValidationError(_("You cannot vote in your own poll."), code="poll")
    with transaction.atomic():
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        if PollVote.objects.filter(poll=locked, account=account).exists():
            raise ValidationError(_("You have already voted in this poll."), code="poll")
        PollVote.objects.bulk_create(
            [PollVote(poll=locked, account=account, choice=c) for c in picked]
        )
        counts = list(locked.votes_counts)
        for choice in picked:
            counts[choice] += 1
        locked.votes_counts = counts
        locked.voters_count += 1
        locked.save(update_fields=["votes_counts", "voters_count"])
        outbox.deliver_vote(account, locked, picked)
    return locked


def add_vote_choice(account: Account, poll: Poll, choice: int) -> Poll:
    """One more choice of a voter in a multiple-choice poll (remote servers send one per choice)."""
    if not poll.multiple:
        raise ValidationError(_("This poll takes a single choice."), code="poll")
    if not PollVote.objects.filter(poll=poll, account=account).exists():
        return vote(account, poll, [choice])
    if poll.expired:
        raise ValidationError(_("This poll has ended."), code="poll")
    if not 0 <= choice < len(poll.options):
        raise ValidationError(_("Choose one of the poll's choices."), code="poll")
    with transaction.atomic():
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        _row, created = PollVote.objects.get_or_create(poll=locked, account=account, choice=choice)
        if created:
            counts = list(locked.votes_counts)
            counts[choice] += 1
            locked.votes_counts = counts
            locked.save(update_fields=["votes_counts"])
            outbox.deliver_vote(account, locked, [choice])
    return locked


def end_poll(status_id: int) -> None:
    """Tell the voters and the author that a poll has ended (once, when it has)."""
    with transaction.atomic():
        poll = (
            Poll.objects.select_for_update()
            .filter(status_id=status_id, ended_notified=False, expires_at__lte=timezone.now())
            .select_related("status__account")
            .first()
        )
        if poll is None:
            return
        poll.ended_notified = True
        poll.save(update_fields=["ended_notified"])
        author = poll.status.account
        voters = Account.objects.filter(pk__in=poll.votes.values("account_id"))
        for account in [author, *voters]:
            notify(account, author, NotificationType.POLL, poll.status)


def cancel_scheduled(account: Account, scheduled_id: int) -> None:
    deleted, _count = ScheduledStatus.objects.filter(account=account, pk=scheduled_id).delete()
    if not deleted:
        raise NotFound(scheduled_id)


@dataclass
class RemotePoll:
    options: list[str]
    votes_counts: list[int]
    multiple: bool = False
    expires_at: datetime | None = None
    voters_count: int = 0


def _remote_media(status: Status, media: Sequence[dict[str, Any]]) -> None:
    status.media.all().delete()
    MediaAttachment.objects.bulk_create(
        [
            MediaAttachment(
                account=status.account,
                status=status,
                position=position,
                remote_url=item["url"],
                mime_type=item.get("mime_type", ""),
                description=item.get("description", "")[:MAX_ALT_TEXT],
                blurhash=item.get("blurhash", ""),
                width=item.get("width"),
                height=item.get("height"),
            )
            for position, item in enumerate(media)
        ]
    )


def _remote_poll(status: Status, poll: dict[str, Any] | None) -> None:
    if not poll:
        return
    spec = RemotePoll(**poll)
    counts = (list(spec.votes_counts) + [0] * len(spec.options))[: len(spec.options)]
    Poll.objects.update_or_create(
        status=status,
        defaults={
            "options": spec.options,
            "multiple": spec.multiple,
            "expires_at": spec.expires_at,
            "votes_counts": counts,
            "voters_count": spec.voters_count or 0,
        },
    )


def refresh_remote_poll(status: Status, poll: dict[str, Any]) -> None:
    """New counts of a remote poll, sent by its server as votes arrive: not an edit."""
    if status.account.is_local:
        raise ValidationError(
            _("Only remote posts are updated from remote servers."), code="invalid"
        )
    _remote_poll(status, poll)


def receive_remote_status(
    author: Account,
    *,
    uri: str,
    url: str,
    content: str,
    visibility: str,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str = "",
    in_reply_to: Status | None = None,
    mentions: Sequence[Account] = (),
    tags: Sequence[str] = (),
    media: Sequence[dict[str, Any]] = (),
    poll: dict[str, Any] | None = None,
    created_at: datetime | None = None,
    quote_policy: str = QuotePolicy.PUBLIC,
    reply_policy: str = ReplyPolicy.ANYONE,
) -> Status:
    """Store a post received from another server, once per URI.

    Its HTML is sanitised like local text; mentions notify, the post reaches
    local followers' home feeds, hashtag timelines and search, as a local one.
    """
    if author.is_local:
        raise ValidationError(_("Only remote posts are received."), code="invalid")
    if visibility not in Visibility.values:
        raise ValidationError(_("Unknown visibility."), code="visibility")
    existing = Status.objects.filter(uri=uri).first()
    if existing is not None:
        return existing
    html = formatting.sanitize(content)
    moment = min(created_at or timezone.now(), timezone.now())
    with transaction.atomic():
        status = Status(
            id=new_id(moment),
            account=author,
            uri=uri,
            url=url,
            local=False,
            text=formatting.plain_text(html),
            content=html,
            spoiler_text=spoiler_text[:500],
            sensitive=sensitive or bool(spoiler_text),
            visibility=visibility,
            language=language[:8],
            in_reply_to=in_reply_to,
            created_at=moment,
            quote_policy=quote_policy,
            reply_policy=reply_policy,
        )
        if in_reply_to:
            status.in_reply_to_account = in_reply_to.account
            status.thread_root_id = in_reply_to.thread_root_id or in_reply_to.pk
        try:
            with transaction.atomic():
                status.save(force_insert=True)
        except IntegrityError:
            return Status.objects.get(uri=uri)
        status.tags.set([get_or_create_tag(name) for name in tags])
        mentioned = [a for a in mentions if a != author]
        Mention.objects.bulk_create([Mention(status=status, account=a) for a in mentioned])
        _remote_media(status, media)
        _remote_poll(status, poll)
        Account.objects.filter(pk=author.pk).update(
            statuses_count=F("statuses_count") + 1, last_status_at=status.created_at
        )
        if in_reply_to:
            Status.objects.filter(pk=in_reply_to.pk).update(replies_count=F("replies_count") + 1)
        for account in mentioned:
            if account.is_local:
                notify(account, author, NotificationType.MENTION, status)
        _after_publish(status)
    return status


def update_remote_status(
    status: Status,
    *,
    content: str,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str = "",
    tags: Sequence[str] = (),
    media: Sequence[dict[str, Any]] = (),
    poll: dict[str, Any] | None = None,
    edited_at: datetime | None = None,
) -> Status:
    """Apply an edit received from the post's own server, keeping the history."""
    if status.account.is_local or status.is_reblog:
        raise ValidationError(
            _("Only remote posts are updated from remote servers."), code="invalid"
        )
    html = formatting.sanitize(content)
    with transaction.atomic():
        if not status.edits.exists():
            _save_version(status)
        status.content, status.text = html, formatting.plain_text(html)
        status.spoiler_text = spoiler_text[:500]
        status.sensitive = sensitive or bool(spoiler_text)
        if language:
            status.language = language[:8]
        status.edited_at = edited_at or timezone.now()
        status.save()
        status.tags.set([get_or_create_tag(name) for name in tags])
        _remote_media(status, media)
        _remote_poll(status, poll)
        _save_version(status)
        for booster_id in status.reblogs.values_list("account_id", flat=True):
            booster = Account.objects.get(pk=booster_id)
            if booster.is_local:
                notify(booster, status.account, NotificationType.UPDATE, status)
        _notify_quoters(status)
        from babillard.search.services import index_status

        index_status(status)
    return status


def reschedule(account: Account, scheduled_id: int, when: datetime) -> ScheduledStatus:
    """Move a scheduled post; the task left at the old time finds it not yet due."""
    if when < timezone.now() + timedelta(minutes=5):
        raise ValidationError(
            _("A scheduled post must be at least five minutes ahead."), code="schedule"
        )
    updated = ScheduledStatus.objects.filter(account=account, pk=scheduled_id).update(
        scheduled_at=when
    )
    if not updated:
        raise NotFound(scheduled_id)
    from babillard.statuses.tasks import publish_scheduled_status

    enqueue_at(publish_scheduled_status, when, scheduled_id)
    return ScheduledStatus.objects.get(pk=scheduled_id)


def feature_tag(account: Account, name: str) -> FeaturedTag:
    """Feature a hashtag on the account's profile (at most ten)."""
    name = name.strip().lstrip("#")
    if not re.fullmatch(formatting.HASHTAG_RE, f"#{name}") or len(name) > 100:
        raise ValidationError(_("This is not a valid hashtag."), code="tag")
    tag = get_or_create_tag(name)
    with transaction.atomic():
        existing = FeaturedTag.objects.filter(account=account, tag=tag).first()
        if existing is not None:
            return existing
        if FeaturedTag.objects.filter(account=account).count() >= MAX_FEATURED_TAGS:
            raise ValidationError(_("You can feature at most ten hashtags."), code="tag")
        return FeaturedTag.objects.create(account=account, tag=tag)


def unfeature_tag(account: Account, featured_id: int) -> None:
    deleted, _count = FeaturedTag.objects.filter(account=account, pk=featured_id).delete()
    if not deleted:
        raise NotFound(featured_id)


def _thread_of(status: Status) -> int:
    original = status.reblog or status
    return original.thread_root_id or original.pk


def mute_conversation(account: Account, status: Status) -> Status:
    """No more notifications about the thread of ``status`` for ``account``."""
    if not can_see(account, status):
        raise NotFound(status.pk)
    ConversationMute.objects.get_or_create(account=account, thread_root_id=_thread_of(status))
    return status


def unmute_conversation(account: Account, status: Status) -> Status:
    ConversationMute.objects.filter(account=account, thread_root_id=_thread_of(status)).delete()
    return status


def mark_conversation_read(account: Account, thread_root_id: int, up_to: int) -> None:
    state, _new = ConversationState.objects.get_or_create(
        account=account, thread_root_id=thread_root_id
    )
    if up_to > state.read_up_to:
        state.read_up_to = up_to
        state.save(update_fields=["read_up_to"])


def remove_conversation(account: Account, thread_root_id: int, up_to: int) -> None:
    """Take a conversation off the list until a newer post comes in it."""
    ConversationState.objects.update_or_create(
        account=account,
        thread_root_id=thread_root_id,
        defaults={"removed_up_to": up_to, "read_up_to": up_to},
    )


# Imported history: posts of an archive from another server, added to a local account.


def import_status(
    author: Account,
    *,
    content: str,
    created_at: datetime,
    visibility: str,
    spoiler_text: str = "",
    sensitive: bool = False,
    language: str = "",
    tags: Sequence[str] = (),
    media: Sequence[MediaAttachment] = (),
    in_reply_to: Status | None = None,
) -> Status:
    """Add an old post to a local account's history, at its original date.

    The post is the author's past, not news: it is indexed for search and shown on
    the profile and the hashtag pages at its date, but it is not delivered to other
    servers, not fanned out to home feeds and notifies nobody (Mastodon itself
    refuses such imports for fear of re-announcing a whole history).
    """
    if not author.is_local:
        raise ValidationError(_("Only local accounts receive imported posts."), code="invalid")
    if visibility not in (Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE):
        raise ValidationError(_("Unknown visibility."), code="visibility")
    if any(m.account_id != author.pk or m.status_id for m in media):
        raise ValidationError(_("This image is already attached to a post."), code="media")
    html = formatting.sanitize(content)
    moment = min(created_at, timezone.now())
    with transaction.atomic():
        status = Status(
            id=new_id(moment),
            account=author,
            text=formatting.plain_text(html),
            content=html,
            spoiler_text=spoiler_text.strip()[:500],
            sensitive=sensitive or bool(spoiler_text.strip()),
            visibility=visibility,
            language=language[:8],
            created_at=moment,
        )
        status.uri = links.status_uri(author.username, status.pk)
        status.url = links.status_url(author.username, status.pk)
        if in_reply_to is not None and in_reply_to.account_id == author.pk:
            status.in_reply_to = in_reply_to
            status.in_reply_to_account = author
            status.thread_root_id = in_reply_to.thread_root_id or in_reply_to.pk
        status.save(force_insert=True)
        status.tags.set([get_or_create_tag(name) for name in tags if name])
        for position, attachment in enumerate(media[:MAX_MEDIA]):
            MediaAttachment.objects.filter(pk=attachment.pk).update(
                status=status, position=position
            )
        Account.objects.filter(pk=author.pk).update(statuses_count=F("statuses_count") + 1)
        from babillard.search.services import index_status

        index_status(status)
    return status


# Quotes and interaction policies --------------------------------------------------------
#
# A quote is a post carrying a ``Quote`` row. Its state follows Mastodon 4.5: a quote of
# one's own post or of a local post the policy allows is accepted at once; a quote of a
# remote post is pending until the quoted author's server sends its ``Accept`` (with the
# ``QuoteAuthorization`` stamp it hosts) or ``Reject``; the quoted author may revoke an
# accepted quote later. Only accepted quotes show the quoted post.


def _quote_policy(value: str | None, visibility: str) -> str:
    """Followers-only, direct and staff-only posts are quotable by their author only."""
    if value and value not in QuotePolicy.values:
        raise ValidationError(_("Unknown quote policy."), code="quote_policy")
    if visibility not in PUBLICLY_LISTED:
        return QuotePolicy.NOBODY
    return value or QuotePolicy.PUBLIC


def _reply_policy(value: str | None) -> str:
    if value and value not in ReplyPolicy.values:
        raise ValidationError(_("Unknown reply policy."), code="reply_policy")
    return value or ReplyPolicy.ANYONE


def _check_quote(
    author: Account, quoted: Status, has_attachments: bool, visibility: str, text: str
) -> None:
    if quoted.is_reblog or not can_see(author, quoted):
        raise ValidationError(
            _("The post you quote does not exist or is hidden from you."), code="quote"
        )
    if quoted.visibility == Visibility.DIRECT:
        raise ValidationError(_("Private mentions cannot be quoted."), code="quote")
    if (
        visibility == Visibility.DIRECT
        and quoted.account_id != author.pk
        and quoted.account_id not in {m.key for m in render_text(text).mentions}
    ):
        # As Mastodon: a private mention quotes only a post of someone it mentions.
        raise ValidationError(
            _("Mention the author of the post you quote in a private mention."), code="quote"
        )
    if has_attachments:
        raise ValidationError(_("A quote cannot carry images or a poll."), code="quote")
    if quote_approval(author, quoted) != AUTOMATIC:
        raise ValidationError(
            _("The author of this post does not allow you to quote it."), code="quote_policy"
        )


def _quote_fallback(text: str, quoted: Status) -> str:
    """The ``RE:`` link Mastodon prepends for servers that do not show quotes."""
    link = quoted.url or quoted.uri or ""
    if not link or link in text or (quoted.uri and quoted.uri in text):
        return ""
    safe = escape(link)
    return f'<p class="quote-inline">RE: <a href="{safe}">{safe}</a></p>'


def quote_authorization_uri(quote: Quote) -> str:
    """Where the stamp of a quote of a local post lives (Mastodon's path)."""
    quoted_account = quote.quoted_account
    if quoted_account is None or not quoted_account.is_local:
        return quote.approval_uri
    return links.absolute(f"/users/{quoted_account.username}/quote_authorizations/{quote.pk}")


def _attach_quote(status: Status, quoted: Status) -> Quote:
    quote = Quote.objects.create(
        status=status,
        quoted_status=quoted,
        quoted_uri=quoted.uri or "",
        quoted_account=quoted.account,
    )
    if quoted.account.is_local or quoted.account_id == status.account_id:
        _accept(quote)
    return quote


def _accept(quote: Quote, approval_uri: str = "") -> None:
    """Mark a quote approved, count it and tell the quoted author (once)."""
    was = quote.state
    quote.state = QuoteState.ACCEPTED
    if approval_uri:
        quote.approval_uri = approval_uri
    elif quote.quoted_account is not None and quote.quoted_account.is_local:
        quote.approval_uri = quote_authorization_uri(quote)
    quote.save(update_fields=["state", "approval_uri"])
    if was != QuoteState.ACCEPTED and quote.quoted_status_id:
        Status.objects.filter(pk=quote.quoted_status_id).update(quotes_count=F("quotes_count") + 1)
        quoted = quote.quoted_status
        if quoted is not None and quoted.account_id != quote.status.account_id:
            notify(quoted.account, quote.status.account, NotificationType.QUOTE, quote.status)
    streaming.publish("*", "status.update", quote.status_id)


def _uncount(quote: Quote) -> None:
    if quote.state == QuoteState.ACCEPTED and quote.quoted_status_id:
        Status.objects.filter(pk=quote.quoted_status_id, quotes_count__gt=0).update(
            quotes_count=F("quotes_count") - 1
        )


def _notify_quoters(status: Status) -> None:
    """``quoted_update``: the local authors of approved quotes of an edited post."""
    for quote in Quote.objects.filter(
        quoted_status=status, state=QuoteState.ACCEPTED
    ).select_related("status__account"):
        if quote.status.account.is_local:
            notify(
                quote.status.account, status.account, NotificationType.QUOTED_UPDATE, quote.status
            )


def set_interaction_policy(
    author: Account,
    status: Status,
    *,
    quote_policy: str | None = None,
    reply_policy: str | None = None,
) -> Status:
    """Change who may quote or reply to one's post; past quotes and replies stay."""
    if status.account_id != author.pk or status.is_reblog:
        raise NotFound(status.pk)
    with transaction.atomic():
        if quote_policy is not None:
            status.quote_policy = _quote_policy(quote_policy, status.visibility)
        if reply_policy is not None:
            status.reply_policy = _reply_policy(reply_policy)
        status.save(update_fields=["quote_policy", "reply_policy"])
        outbox.deliver_status_refresh(status)
    return status


def revoke_quote(author: Account, quoted: Status, quoting: Status) -> Quote:
    """The quoted author withdraws approval: the quote shows as unavailable everywhere."""
    quote = Quote.objects.filter(status=quoting, quoted_status=quoted).first()
    if quote is None or quote.state not in (QuoteState.ACCEPTED, QuoteState.PENDING):
        raise NotFound(quoting.pk)
    if quoted.account_id != author.pk:
        from babillard.core.errors import Forbidden

        raise Forbidden(quoting.pk)
    with transaction.atomic():
        _uncount(quote)
        quote.state = QuoteState.REVOKED
        quote.save(update_fields=["state"])
        outbox.deliver_quote_revoke(quote)
        if quoting.account.is_local:
            outbox.deliver_status_refresh(quoting)
        streaming.publish("*", "status.update", quoting.pk)
    return quote


def receive_remote_quote(
    status: Status,
    *,
    quoted_uri: str,
    quoted: Status | None,
    approved: bool,
) -> Quote:
    """The quote a remote post carries, as its server describes it.

    ``approved`` is true only when the stamp was checked (fetched from the quoted
    author's server, or issued here). A quote that was approved and no longer
    carries a valid stamp is revoked.
    """
    if status.account.is_local:
        raise ValidationError(_("Only remote posts are received."), code="invalid")
    with transaction.atomic():
        quote, _new = Quote.objects.get_or_create(
            status=status,
            defaults={
                "quoted_uri": quoted_uri[:2000],
                "quoted_status": quoted,
                "quoted_account": quoted.account if quoted else None,
            },
        )
        if quoted is not None and quote.quoted_status_id is None and quote.state == "pending":
            quote.quoted_status, quote.quoted_account = quoted, quoted.account
            quote.save(update_fields=["quoted_status", "quoted_account"])
        if approved and quote.state == QuoteState.PENDING:
            _accept(quote)
        elif not approved and quote.state == QuoteState.ACCEPTED:
            _uncount(quote)
            quote.state = QuoteState.REVOKED
            quote.save(update_fields=["state"])
            streaming.publish("*", "status.update", status.pk)
    return quote


def answer_quote_request(quoted: Status, quoting: Status, request_uri: str) -> Quote:
    """A remote account asks to quote a local post: approve it when the policy allows.

    Otherwise the request is refused (Mastodon answers ``Reject``).
    """
    if not quoted.account.is_local or quoting.account.is_local:
        raise ValidationError(_("Only requests about local posts are answered."), code="invalid")
    with transaction.atomic():
        quote, _new = Quote.objects.get_or_create(
            status=quoting,
            defaults={
                "quoted_uri": quoted.uri or "",
                "quoted_status": quoted,
                "quoted_account": quoted.account,
            },
        )
        if quote.quoted_status_id != quoted.pk:
            raise ValidationError(_("This post quotes another post."), code="quote")
        quote.request_uri = request_uri[:2000]
        quote.save(update_fields=["request_uri"])
        if quote.state == QuoteState.ACCEPTED:
            outbox.deliver_quote_answer(quote, accepted=True)
        elif quote.state == QuoteState.PENDING and (
            quote_approval(quoting.account, quoted) == AUTOMATIC
        ):
            _accept(quote)
            outbox.deliver_quote_answer(quote, accepted=True)
        else:
            if quote.state == QuoteState.PENDING:
                quote.state = QuoteState.REJECTED
                quote.save(update_fields=["state"])
            outbox.deliver_quote_answer(quote, accepted=False)
    return quote


def quote_answered(quote: Quote, *, approval_uri: str = "", accepted: bool) -> Quote:
    """The quoted author's server answered our request (``Accept`` or ``Reject``)."""
    if not quote.status.account.is_local:
        raise ValidationError(_("Only our own requests are answered."), code="invalid")
    if quote.state != QuoteState.PENDING:
        return quote
    with transaction.atomic():
        if accepted:
            _accept(quote, approval_uri)
        else:
            quote.state = QuoteState.REJECTED
            quote.save(update_fields=["state"])
        outbox.deliver_status_refresh(quote.status)
    return quote


def quote_revoked(quote: Quote) -> Quote:
    """The quoted author's server deleted the stamp: the quote is no longer approved."""
    if quote.state not in (QuoteState.ACCEPTED, QuoteState.PENDING):
        return quote
    with transaction.atomic():
        _uncount(quote)
        quote.state = QuoteState.REVOKED
        quote.save(update_fields=["state"])
        if quote.status.account.is_local:
            outbox.deliver_status_refresh(quote.status)
        streaming.publish("*", "status.update", quote.status_id)
    return quote


def refresh_remote_policies(status: Status, *, quote_policy: str, reply_policy: str) -> None:
    """The policies a remote post's server now announces."""
    if status.account.is_local:
        raise ValidationError(
            _("Only remote posts are updated from remote servers."), code="invalid"
        )
    Status.objects.filter(pk=status.pk).update(
        quote_policy=_quote_policy(quote_policy, status.visibility),
        reply_policy=_reply_policy(reply_policy),
    )
