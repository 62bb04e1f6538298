"""Putting an emoji on a post and taking it off, from the web, the API or another server."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from babillard.accounts.models import Account
from babillard.core.errors import NotFound
from babillard.notifications.models import NotificationType
from babillard.notifications.services import notify
from babillard.reactions import federation
from babillard.reactions.emoji import is_unicode_emoji, shortcode
from babillard.reactions.models import Reaction
from babillard.statuses.models import Status
from babillard.statuses.queries import can_see

# Different emoji one account may put on one post.
MAX_PER_ACCOUNT = 8


def _name(account: Account, status: Status, name: str, image_url: str) -> tuple[str, str]:
    """The stored name and image of a reaction, or ``ValidationError``.

    Anyone reacts with a Unicode emoji. A remote account may use its server's
    custom emoji (with its image); a local account may add itself to a custom
    emoji already on the post, since this instance has no custom emoji of its own.
    """
    name = name.strip()
    if is_unicode_emoji(name):
        return name, ""
    custom = shortcode(name)
    if custom:
        if not account.is_local:
            return custom, image_url if image_url.startswith(("https://", "http://")) else ""
        known = Reaction.objects.filter(status=status, name=custom).exclude(image_url="").first()
        if known is not None:
            return custom, known.image_url
    raise ValidationError(_("A reaction is a single emoji."), code="emoji")


def react(
    account: Account, status: Status, name: str, *, uri: str = "", image_url: str = ""
) -> Reaction:
    """Put ``name`` on the post (its original, for a boost); reacting twice is harmless."""
    original = status.reblog or status
    if not can_see(account, original):
        raise NotFound(status.pk)
    name, image_url = _name(account, original, name, image_url)
    with transaction.atomic():
        existing = Reaction.objects.filter(account=account, status=original, name=name).first()
        if existing is not None:
            return existing
        if Reaction.objects.filter(account=account, status=original).count() >= MAX_PER_ACCOUNT:
            raise ValidationError(
                _("You can put at most %(count)d different emoji on a post.")
                % {"count": MAX_PER_ACCOUNT},
                code="limit",
            )
        reaction = Reaction.objects.create(
            account=account, status=original, name=name, image_url=image_url, uri=uri
        )
        notify(original.account, account, NotificationType.REACTION, original)
        federation.deliver_reaction(reaction)
    return reaction


def unreact(account: Account, status: Status, name: str) -> None:
    """Take ``name`` off the post; taking off an emoji that is not there does nothing."""
    original = status.reblog or status
    stored = name.strip() if is_unicode_emoji(name.strip()) else shortcode(name.strip())
    with transaction.atomic():
        reaction = Reaction.objects.filter(account=account, status=original, name=stored).first()
        if reaction is None:
            return
        federation.deliver_unreaction(reaction)
        reaction.delete()


def unreact_by_uri(account: Account, uri: str) -> bool:
    """Take off the reaction a remote activity named by its id; whether there was one."""
    reaction = Reaction.objects.filter(account=account, uri=uri).first() if uri else None
    if reaction is None:
        return False
    unreact(account, reaction.status, reaction.name)
    return True
