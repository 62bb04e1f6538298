"""Every write about boards: the board and its actor, curators, sections, items, the
suggestion queue, and the newsletter's subscribers and mailings.

Accepting an item makes the board's actor publish it to its followers: a boost of the
post for a post, a ``Note`` with the link and the curator's comment for a link. Private
boards neither publish nor accept followers.
"""

import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext as _

from babillard.accounts.models import Account, Follow
from babillard.accounts.services import (
    RESERVED_USERNAMES,
    create_local_actor,
    reject_follow_request,
    remove_follower,
    update_profile,
)
from babillard.boards.models import (
    Board,
    BoardFeed,
    BoardVisibility,
    Curator,
    Item,
    NewsletterFrequency,
    Section,
    Subscriber,
    Suggestion,
    SuggestionState,
)
from babillard.core import links
from babillard.core.errors import Forbidden, NotFound
from babillard.core.tasks import enqueue_on_commit
from babillard.federation import outbox
from babillard.statuses.models import Status, Visibility
from babillard.statuses.queries import can_see
from babillard.statuses.services import delete_status, post_status, reblog, unreblog
from babillard.watch.models import Antenna, SourceItem

MAX_ITEMS = 2000
MAX_CURATORS = 20
MAX_SECTIONS = 50
NEWSLETTER_PERIOD = timedelta(days=7)
NEWSLETTER_MAX_ITEMS = 50
ACTOR_NAME_LENGTH = 30
ACTOR_NOTE_LENGTH = 500


# --- permissions -------------------------------------------------------------------


def is_curator(account: Account | None, board: Board) -> bool:
    return account is not None and board.curators.filter(account=account).exists()


def is_owner(account: Account | None, board: Board) -> bool:
    return account is not None and board.owner_id == account.pk


def _check_curator(actor: Account, board: Board) -> None:
    if not is_curator(actor, board):
        raise Forbidden(_("Only the board's curators change it."))


def _check_owner(actor: Account, board: Board) -> None:
    if not is_owner(actor, board):
        raise Forbidden(_("Only the board's owner does this."))


# --- the board and its actor -------------------------------------------------------


def _clean_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationError(_("A board needs a title."), code="title")
    if len(title) > 200:
        raise ValidationError(_("A title has at most 200 characters."), code="title")
    return title


def _clean_visibility(visibility: str) -> str:
    if visibility not in BoardVisibility.values:
        raise ValidationError(_("A board is public, unlisted or private."), code="visibility")
    return visibility


def _actor_username(title: str) -> str:
    """A free user name for the board's actor, made from its title (``veille_numerique``)."""
    base = slugify(title).replace("-", "_")[:22].strip("_") or "board"
    candidate, number = base, 1
    while (
        candidate in RESERVED_USERNAMES
        or Account.objects.filter(username__iexact=candidate, domain="").exists()
    ):
        number += 1
        candidate = f"{base}_{number}"
    return candidate


def _actor_profile(board: Board) -> dict[str, Any]:
    return {
        "display_name": board.title[:ACTOR_NAME_LENGTH],
        "note": board.description[:ACTOR_NOTE_LENGTH],
        "locked": board.is_private,
        "discoverable": board.visibility == BoardVisibility.PUBLIC,
    }


def create_board(
    owner: Account, title: str, description: str = "", visibility: str = BoardVisibility.PUBLIC
) -> Board:
    """A board owned (and curated) by ``owner``, with its own actor, a ``Service``."""
    if not owner.is_local or owner.is_suspended:
        raise Forbidden(_("Only this instance's accounts create boards."))
    title = _clean_title(title)
    visibility = _clean_visibility(visibility)
    description = description.strip()[:5000]
    with transaction.atomic():
        username = _actor_username(title)
        actor = create_local_actor(username, display_name=title[:ACTOR_NAME_LENGTH], bot=True)
        board = Board.objects.create(
            account=actor,
            owner=owner,
            title=title,
            description=description,
            visibility=visibility,
        )
        Curator.objects.create(board=board, account=owner, is_owner=True)
        update_profile(actor, **_actor_profile(board))
    return board


def update_board(
    actor: Account,
    board: Board,
    *,
    title: str | None = None,
    description: str | None = None,
    visibility: str | None = None,
    newsletter: str | None = None,
) -> Board:
    """Curators rename and describe; the owner alone changes who may read and follow."""
    _check_curator(actor, board)
    if visibility is not None and visibility != board.visibility:
        _check_owner(actor, board)
        board.visibility = _clean_visibility(visibility)
    if newsletter is not None:
        if newsletter not in NewsletterFrequency.values:
            raise ValidationError(_("A newsletter is sent weekly or on demand."), code="newsletter")
        board.newsletter = newsletter
    if title is not None:
        board.title = _clean_title(title)
    if description is not None:
        board.description = description.strip()[:5000]
    with transaction.atomic():
        board.save()
        update_profile(board.account, **_actor_profile(board))
        if board.is_private:
            # A private board has no audience outside its curators: its followers go.
            for follow in Follow.objects.filter(target=board.account).select_related("account"):
                remove_follower(board.account, follow.account)
    return board


def delete_board(actor: Account, board: Board) -> None:
    """Delete the board, its items and queue, and its actor with the posts it published.

    The servers that know the actor are sent its ``Delete`` (they drop its boosts and
    Notes themselves), as for a person who deletes their account.
    """
    _check_owner(actor, board)
    with transaction.atomic():
        account = board.account
        outbox.deliver_account_delete(account)
        board.delete()
        account.delete()


def forget_account(sender: Any, account: Account, **kwargs: Any) -> None:
    """``accounts.services.account_deleting``: the boards it owns go, with their actors."""
    for board in Board.objects.filter(owner=account).select_related("account"):
        delete_board(account, board)


def refuse_follow_of_private_board(
    sender: Any, instance: Any, created: bool, **kwargs: Any
) -> None:
    """``post_save`` of a follow request: a private board's actor refuses every follower.

    Its actor is locked, so a ``Follow`` waits as a request; it is rejected at once
    (Mastodon, on the other side, stops waiting when the ``Reject`` arrives).
    """
    if not created:
        return
    board = Board.objects.filter(account_id=instance.target_id).first()
    if board is not None and board.is_private:
        reject_follow_request(board.account, instance.account)


# --- curators ------------------------------------------------------------------------


def add_curator(actor: Account, board: Board, account: Account) -> Curator:
    _check_owner(actor, board)
    if not account.is_local or account.user_id is None:
        raise ValidationError(_("Curators are people of this instance."), code="curator")
    if board.curators.count() >= MAX_CURATORS:
        raise ValidationError(_("A board has 20 curators at most."), code="curator")
    curator, _created = Curator.objects.get_or_create(board=board, account=account)
    return curator


def remove_curator(actor: Account, board: Board, account: Account) -> None:
    """The owner removes a curator; a curator may leave. The owner stays."""
    if actor.pk != account.pk:
        _check_owner(actor, board)
    if account.pk == board.owner_id:
        raise ValidationError(_("The owner stays a curator of the board."), code="curator")
    deleted, _rows = board.curators.filter(account=account).delete()
    if not deleted:
        raise NotFound(account.pk)


# --- sections ------------------------------------------------------------------------


def add_section(actor: Account, board: Board, title: str) -> Section:
    _check_curator(actor, board)
    title = title.strip()
    if not title or len(title) > 200:
        raise ValidationError(
            _("A section needs a title of at most 200 characters."), code="section"
        )
    with transaction.atomic():
        count = board.sections.count()
        if count >= MAX_SECTIONS:
            raise ValidationError(_("A board has 50 sections at most."), code="section")
        return Section.objects.create(board=board, title=title, position=count)


def remove_section(actor: Account, board: Board, section_id: int) -> None:
    """Remove a section; its items stay on the board, outside any section."""
    _check_curator(actor, board)
    deleted, _rows = board.sections.filter(pk=section_id).delete()
    if not deleted:
        raise NotFound(section_id)


def _section(board: Board, section_id: int | None) -> Section | None:
    if section_id is None:
        return None
    found = board.sections.filter(pk=section_id).first()
    if found is None:
        raise ValidationError(_("This section is not one of the board's."), code="section")
    return found


# --- items ---------------------------------------------------------------------------


def _clean_url(url: str) -> str:
    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(
            _("Give a web address starting with http:// or https://."), code="url"
        ) from None
    if len(url) > 2000:
        raise ValidationError(_("A web address has at most 2000 characters."), code="url")
    return url


def _visible_post(actor: Account, status: Status) -> Status:
    original = status.reblog or status
    if not can_see(actor, original):
        raise NotFound(status.pk)
    return original


def add_item(
    actor: Account,
    board: Board,
    *,
    status: Status | None = None,
    url: str = "",
    title: str = "",
    excerpt: str = "",
    comment: str = "",
    section_id: int | None = None,
) -> Item:
    """Add a post (one the curator may see) or a link to the board, and publish it."""
    _check_curator(actor, board)
    if (status is None) == (not url.strip()):
        raise ValidationError(_("Give either a post or a web address."), code="item")
    fields: dict[str, Any] = {
        "comment": comment.strip()[:5000],
        "title": title.strip()[:300],
        "excerpt": excerpt.strip()[:2000],
    }
    if status is not None:
        fields["status"] = _visible_post(actor, status)
    else:
        fields["url"] = _clean_url(url)
        fields["title"] = fields["title"] or fields["url"][:300]
    with transaction.atomic():
        section = _section(board, section_id)
        if status is not None and board.items.filter(status=fields["status"]).exists():
            raise ValidationError(_("This post is already on the board."), code="duplicate")
        if board.items.count() >= MAX_ITEMS:
            raise ValidationError(_("A board holds 2000 items at most."), code="items")
        position = (board.items.aggregate(top=Max("position"))["top"] or 0) + 1
        item = Item.objects.create(
            board=board, section=section, added_by=actor, position=position, **fields
        )
        item.announcement = announce(board, item)
        if item.announcement is not None:
            item.save(update_fields=["announcement"])
        board.save(update_fields=["updated_at"])
    return item


def _note_text(item: Item) -> str:
    """The board's post for a link: its title, the address and the curator's comment."""
    head = f"{item.title}\n{item.url}" if item.title != item.url else item.url
    if not item.comment:
        return head
    room = settings.MAX_STATUS_CHARACTERS - len(head) - 2
    comment = item.comment if len(item.comment) <= room else item.comment[: max(room - 1, 0)] + "…"
    return f"{head}\n\n{comment}" if comment else head


def announce(board: Board, item: Item) -> Status | None:
    """Publish the item through the board's actor; nothing for a private board.

    A post the board's actor may not boost (followers-only, direct, staff-only) stays on
    the board for those who may read it, unannounced.
    """
    if board.is_private:
        return None
    visibility = (
        Visibility.PUBLIC if board.visibility == BoardVisibility.PUBLIC else Visibility.UNLISTED
    )
    if item.status is not None:
        if item.status.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
            return None
        return reblog(board.account, item.status)
    published = post_status(board.account, _note_text(item), visibility=visibility, language="")
    assert isinstance(published, Status)
    return published


def _withdraw(board: Board, item: Item) -> None:
    published = item.announcement
    if published is None:
        return
    if published.reblog_id is not None:
        unreblog(board.account, published)
    else:
        delete_status(published)


def update_item(
    actor: Account,
    board: Board,
    item_id: int,
    *,
    comment: str | None = None,
    section_id: int | None = None,
    clear_section: bool = False,
) -> Item:
    _check_curator(actor, board)
    item = board.items.filter(pk=item_id).first()
    if item is None:
        raise NotFound(item_id)
    if comment is not None:
        item.comment = comment.strip()[:5000]
    if clear_section:
        item.section = None
    elif section_id is not None:
        item.section = _section(board, section_id)
    item.save()
    return item


def remove_item(actor: Account, board: Board, item_id: int) -> None:
    """Take the item off the board, and withdraw what the board published for it."""
    _check_curator(actor, board)
    with transaction.atomic():
        item = board.items.select_related("announcement").filter(pk=item_id).first()
        if item is None:
            raise NotFound(item_id)
        _withdraw(board, item)
        item.delete()


def reorder_items(actor: Account, board: Board, order: Sequence[int]) -> None:
    """``order`` lists every item id of the board once, in the new order."""
    _check_curator(actor, board)
    with transaction.atomic():
        ids = list(board.items.values_list("pk", flat=True))
        if sorted(ids) != sorted(order) or len(set(order)) != len(order):
            raise ValidationError(_("The new order must list every item once."), code="order")
        for position, item_id in enumerate(order, start=1):
            Item.objects.filter(pk=item_id).update(position=position)


def move_item(actor: Account, board: Board, item_id: int, step: int) -> None:
    """Move an item one place up (``step`` -1) or down (+1), for pages without scripts."""
    ids = list(board.items.order_by("position", "pk").values_list("pk", flat=True))
    if item_id not in ids:
        raise NotFound(item_id)
    index = ids.index(item_id)
    other = index + (1 if step > 0 else -1)
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    reorder_items(actor, board, ids)


# --- suggestions -------------------------------------------------------------------


def suggest(
    board: Board,
    *,
    by: Account | None = None,
    status: Status | None = None,
    url: str = "",
    title: str = "",
    excerpt: str = "",
    note: str = "",
    antenna_id: int | None = None,
) -> Suggestion:
    """Offer a public or unlisted post, or a link, to the board's curators.

    Readers who may see the board suggest (``by``); antennas suggest what they catch
    (``antenna_id``). A post already on the board or already offered is not queued again:
    the existing suggestion is answered.
    """
    if by is not None and board.is_private and not is_curator(by, board):
        raise NotFound(board.pk)
    if (status is None) == (not url.strip()):
        raise ValidationError(_("Give either a post or a web address."), code="item")
    fields: dict[str, Any] = {
        "note": note.strip()[:2000],
        "title": title.strip()[:300],
        "excerpt": excerpt.strip()[:2000],
        "suggested_by": by,
        "antenna_id": antenna_id,
    }
    if status is not None:
        original = _visible_post(by, status) if by is not None else (status.reblog or status)
        if original.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
            # The queue is read by every curator: it must not show them a restricted post.
            raise ValidationError(
                _("Only public and unlisted posts can be suggested."), code="visibility"
            )
        existing = board.suggestions.filter(status=original).first()
        if existing is not None:
            return existing
        if board.items.filter(status=original).exists():
            raise ValidationError(_("This post is already on the board."), code="duplicate")
        fields["status"] = original
    else:
        fields["url"] = _clean_url(url)
    try:
        with transaction.atomic():
            return Suggestion.objects.create(board=board, **fields)
    except IntegrityError:
        return board.suggestions.get(status=fields["status"])


def suggestion_queue(
    actor: Account, board: Board, state: str = SuggestionState.PENDING
) -> QuerySet[Suggestion]:
    """The board's suggestions in one state, for its curators only."""
    from babillard.boards.queries import suggestions

    _check_curator(actor, board)
    return suggestions(board, state)


def _pending(board: Board, suggestion_id: int) -> Suggestion:
    found = board.suggestions.filter(pk=suggestion_id, state=SuggestionState.PENDING).first()
    if found is None:
        raise NotFound(suggestion_id)
    return found


def accept_suggestion(
    actor: Account,
    board: Board,
    suggestion_id: int,
    *,
    comment: str = "",
    section_id: int | None = None,
) -> Item:
    """Put the suggestion on the board (and publish it); the queue keeps it as accepted."""
    _check_curator(actor, board)
    with transaction.atomic():
        suggestion = _pending(board, suggestion_id)
        item = add_item(
            actor,
            board,
            status=suggestion.status,
            url=suggestion.url,
            title=suggestion.title,
            excerpt=suggestion.excerpt,
            comment=comment,
            section_id=section_id,
        )
        suggestion.state = SuggestionState.ACCEPTED
        suggestion.decided_at = timezone.now()
        suggestion.save(update_fields=["state", "decided_at"])
    return item


def reject_suggestion(actor: Account, board: Board, suggestion_id: int) -> Suggestion:
    _check_curator(actor, board)
    suggestion = _pending(board, suggestion_id)
    suggestion.state = SuggestionState.REJECTED
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["state", "decided_at"])
    return suggestion


# --- antennas ----------------------------------------------------------------------


def link_antenna(actor: Account, board: Board, antenna: Antenna) -> BoardFeed:
    """Let one of the curator's own antennas feed the board's suggestion queue."""
    _check_curator(actor, board)
    if antenna.owner_id != actor.pk:
        raise NotFound(antenna.pk)
    feed, _created = BoardFeed.objects.get_or_create(board=board, antenna=antenna)
    return feed


def board_antennas(actor: Account, board: Board) -> list[Antenna]:
    """The antennas feeding the board, for its curators."""
    _check_curator(actor, board)
    return [f.antenna for f in board.feeds.select_related("antenna__owner").order_by("pk")]


def unlink_antenna(actor: Account, board: Board, antenna_id: int) -> None:
    _check_curator(actor, board)
    deleted, _rows = board.feeds.filter(antenna_id=antenna_id).delete()
    if not deleted:
        raise NotFound(antenna_id)


def on_antenna_matched(
    sender: Any,
    antenna: Antenna,
    status: Status | None = None,
    item: SourceItem | None = None,
    **kwargs: Any,
) -> None:
    """``watch.services.antenna_matched``: queue the catch on every board the antenna feeds.

    A restricted post, an outside item without an address, or something already on the
    board is left out: the queue takes what it may take, the rest of the catch is not lost
    to the antenna's own column and feed.
    """
    for feed in BoardFeed.objects.filter(antenna=antenna).select_related("board"):
        source: dict[str, Any] = {"status": status}
        if status is None and item is not None:
            source = {"url": item.url, "title": item.title, "excerpt": strip_tags(item.summary)}
        try:
            suggest(feed.board, antenna_id=antenna.pk, **source)
        except ValidationError:
            continue


# --- newsletter ----------------------------------------------------------------------


def subscribe(board: Board, email: str, account: Account | None = None) -> Subscriber:
    """Subscribe an address to the newsletter.

    The signed-in reader's own confirmed address is subscribed at once; any other address
    receives a confirmation link first, so nobody subscribes someone else.
    """
    if board.is_private and not is_curator(account, board):
        raise NotFound(board.pk)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(_("Give a valid e-mail address."), code="email") from None
    user = account.user if account is not None else None
    own = user is not None and user.email.lower() == email and user.email_confirmed
    with transaction.atomic():
        subscriber, _created = Subscriber.objects.get_or_create(
            board=board,
            email=email,
            defaults={"token": secrets.token_urlsafe(32), "account": account if own else None},
        )
        if own and subscriber.confirmed_at is None:
            subscriber.confirmed_at = timezone.now()
            subscriber.save(update_fields=["confirmed_at"])
    if subscriber.confirmed_at is None:
        _send_confirmation(board, subscriber)
    return subscriber


def _send_confirmation(board: Board, subscriber: Subscriber) -> None:
    link = links.absolute(f"/boards/subscriptions/{subscriber.token}/confirm")
    send_mail(
        _("Confirm your subscription to %(board)s") % {"board": board.title},
        _(
            "Hello,\n\nTo receive the newsletter of the board %(board)s on %(instance)s, "
            "open this link:\n%(link)s\n\nIf you did not ask for it, ignore this message."
        )
        % {"board": board.title, "instance": settings.INSTANCE_NAME, "link": link},
        settings.DEFAULT_FROM_EMAIL,
        [subscriber.email],
    )


def confirm_subscription(token: str) -> Subscriber:
    subscriber = Subscriber.objects.select_related("board").filter(token=token).first()
    if subscriber is None:
        raise NotFound(token)
    if subscriber.confirmed_at is None:
        subscriber.confirmed_at = timezone.now()
        subscriber.save(update_fields=["confirmed_at"])
    return subscriber


def unsubscribe(token: str) -> Board:
    subscriber = Subscriber.objects.select_related("board").filter(token=token).first()
    if subscriber is None:
        raise NotFound(token)
    board = subscriber.board
    subscriber.delete()
    return board


def request_newsletter(actor: Account, board: Board) -> None:
    """A curator sends the newsletter now; the task worker mails it."""
    _check_curator(actor, board)
    from babillard.boards.tasks import send_newsletter

    enqueue_on_commit(send_newsletter, board.pk)


def send_newsletter(board_id: int) -> int:
    """Mail the items accepted since the last newsletter to every confirmed subscriber.

    Returns how many messages were sent; nothing is sent without new items. The mark
    is moved in the same transaction that reads the items, so a second run sends nothing.
    """
    from babillard.boards.queries import newsletter_items

    with transaction.atomic():
        board = Board.objects.select_for_update().filter(pk=board_id).first()
        if board is None:
            return 0
        items = newsletter_items(board, NEWSLETTER_MAX_ITEMS)
        subscribers = list(board.subscribers.filter(confirmed_at__isnull=False))
        if not items or not subscribers:
            return 0
        board.newsletter_sent_at = timezone.now()
        board.save(update_fields=["newsletter_sent_at"])
    sent = 0
    for subscriber in subscribers:
        language = settings.LANGUAGE_CODE
        if subscriber.account is not None and subscriber.account.user is not None:
            language = subscriber.account.user.locale or language
        with translation.override(language):
            context = {
                "board": board,
                "items": items,
                "board_url": links.absolute(f"/boards/{board.pk}"),
                "unsubscribe_url": links.absolute(
                    f"/boards/subscriptions/{subscriber.token}/unsubscribe"
                ),
            }
            sent += send_mail(
                _("%(board)s: the latest items") % {"board": board.title},
                render_to_string("boards/newsletter.txt", context),
                settings.DEFAULT_FROM_EMAIL,
                [subscriber.email],
                html_message=render_to_string("boards/newsletter.html", context),
            )
    return sent


def send_due_newsletters() -> list[int]:
    """Enqueue the weekly newsletters whose week has passed; returns their boards' ids."""
    from babillard.boards.tasks import send_newsletter

    due = timezone.now() - NEWSLETTER_PERIOD
    boards = Board.objects.filter(newsletter=NewsletterFrequency.WEEKLY).exclude(
        newsletter_sent_at__gt=due
    )
    ids = list(boards.values_list("pk", flat=True))
    for board_id in ids:
        send_newsletter.enqueue(board_id)
    return ids
