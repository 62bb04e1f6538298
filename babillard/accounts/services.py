"""Every write about accounts: sign-up, profiles, follows, blocks, mutes, deletion.

Each function owns its transaction and triggers its side effects (home feeds,
notifications) after commit, whichever front door called it.
"""

import re
import secrets
from contextlib import suppress
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from babillard.accounts.models import (
    Account,
    AccountKind,
    AccountNote,
    AddressUse,
    Block,
    DismissedSuggestion,
    Endorsement,
    Follow,
    FollowRequest,
    Invite,
    Mute,
    User,
    Visibility,
)
from babillard.core import links, ratelimits
from babillard.core.errors import NotFound
from babillard.core.tasks import enqueue_on_commit
from babillard.federation import outbox

USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,30}$")
RESERVED_USERNAMES = {
    "admin",
    "api",
    "about",
    "static",
    "media",
    "users",
    "tags",
    "settings",
    "oauth",
    "well-known",
    "nodeinfo",
    "inbox",
    "moderation",
    "search",
}
MAX_PROFILE_FIELDS = 4
# Sent by ``delete_user`` inside its transaction with ``account``, before the account's
# rows go: each domain app connects a receiver that removes its own personal data the
# cascade of foreign keys does not (files on disk, counters, objects with an actor).
account_deleting = Signal()
CONFIRM_SALT = "babillard.accounts.confirm-email"
# An address already noted for a user and a way in is written again at most this often.
ADDRESS_NOTE_SECONDS = 3600


def _rsa_key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=settings.ACCOUNT_KEY_BITS)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def validate_username(username: str) -> None:
    if not USERNAME_RE.match(username):
        raise ValidationError(
            _("A username has 1 to 30 letters (without accents), digits or underscores."),
            code="invalid",
        )
    if username.lower() in RESERVED_USERNAMES:
        raise ValidationError(_("This username is reserved."), code="reserved")
    if Account.objects.filter(username__iexact=username, domain="").exists():
        raise ValidationError(_("This username is already taken."), code="taken")


def create_local_user(
    username: str,
    email: str,
    password: str,
    *,
    kind: str = AccountKind.PERSON,
    display_name: str = "",
    moderator: bool = False,
    superuser: bool = False,
    confirmed: bool = True,
    approved: bool = True,
    locale: str = "",
    reason: str = "",
    invite: Invite | None = None,
    sign_up_ip: str | None = None,
) -> User:
    """Create a user and its account, with the key pair federation signs with."""
    validate_username(username)
    if kind not in AccountKind.values:
        raise ValidationError(_("Unknown account kind."), code="invalid")
    email = User.objects.normalize_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("This e-mail address is already used."), code="taken")
    validate_password(password, User(username=username, email=email))
    private_key, public_key = _rsa_key_pair()
    with transaction.atomic():
        user = User.objects.create_user(
            username=username,
            email=email,
            password=password,
            is_moderator=moderator,
            is_staff=superuser,
            is_superuser=superuser,
            email_confirmed=confirmed,
            approved=approved,
            locale=locale,
            signup_reason=reason,
            invited_by=invite,
            sign_up_ip=sign_up_ip,
        )
        _create_local_account(
            username,
            user=user,
            kind=kind,
            display_name=display_name,
            keys=(private_key, public_key),
        )
        if invite is not None:
            Invite.objects.filter(pk=invite.pk).update(uses=F("uses") + 1)
    return user


def _create_local_account(
    username: str,
    *,
    keys: tuple[str, str],
    user: User | None = None,
    **fields: Any,
) -> Account:
    private_key, public_key = keys
    return Account.objects.create(
        user=user,
        username=username,
        uri=links.account_uri(username),
        url=links.account_url(username),
        inbox_url=links.absolute(f"/users/{username}/inbox"),
        shared_inbox_url=links.absolute("/inbox"),
        outbox_url=links.absolute(f"/users/{username}/outbox"),
        followers_url=links.absolute(f"/users/{username}/followers"),
        private_key=private_key,
        public_key=public_key,
        **fields,
    )


def create_local_actor(
    username: str,
    *,
    display_name: str = "",
    note: str = "",
    kind: str = AccountKind.PERSON,
    bot: bool = True,
) -> Account:
    """Create a local actor nobody signs in as: a board, a platform, a group.

    It federates like any account (key pair, inbox, followers); ``bot`` makes it an
    ActivityPub ``Service``. The feature that owns it posts through it with the
    ordinary services.
    """
    validate_username(username)
    if kind not in AccountKind.values:
        raise ValidationError(_("Unknown account kind."), code="invalid")
    keys = _rsa_key_pair()
    account = _create_local_account(
        username, kind=kind, display_name=display_name, bot=bot, keys=keys
    )
    if note:
        update_profile(account, note=note)
    return account


def sign_up(
    username: str,
    email: str,
    password: str,
    *,
    reason: str = "",
    invite_code: str = "",
    locale: str = "",
    ip: str | None = None,
) -> User:
    """Register through the public form, following the instance's registration mode.

    The account must confirm its e-mail address before it can log in; in
    approval mode a moderator must also approve it. ``ip``, the address the
    request came from, is kept for the moderators (``forget_old_addresses``).
    """
    mode = settings.REGISTRATION_MODE
    invite = None
    if invite_code:
        invite = Invite.objects.filter(code=invite_code).first()
        if invite is None or not invite.is_usable:
            raise ValidationError(_("This invitation link is not valid any more."), code="invite")
    if mode == "closed" and invite is None:
        raise ValidationError(_("Registrations are closed on this instance."), code="closed")
    if mode == "invite" and invite is None:
        raise ValidationError(_("Registrations need an invitation link."), code="invite")
    needs_approval = mode == "approval" and invite is None
    if needs_approval and not reason.strip():
        raise ValidationError(_("Tell the moderators why you want to join."), code="reason")
    user = create_local_user(
        username,
        email,
        password,
        confirmed=False,
        approved=not needs_approval,
        locale=locale,
        reason=reason,
        invite=invite,
        sign_up_ip=ip,
    )
    send_confirmation_email(user)
    if needs_approval:
        from babillard.notifications.services import notify_moderators_of_sign_up

        notify_moderators_of_sign_up(user.account)
    return user


def confirmation_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=CONFIRM_SALT)


def send_confirmation_email(user: User) -> None:
    link = links.absolute(f"/auth/confirm/{confirmation_token(user)}/")
    with translation.override(user.locale or settings.LANGUAGE_CODE):
        send_mail(
            _("Confirm your e-mail address on %(instance)s") % {"instance": settings.INSTANCE_NAME},
            _("Hello %(name)s,\n\nTo confirm your address, open this link:\n%(link)s\n")
            % {"name": user.username, "link": link},
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )


def confirm_email(token: str) -> User:
    """Mark the address in a confirmation link as confirmed (links last a week)."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=7 * 24 * 3600)
    except signing.BadSignature:
        raise ValidationError(
            _("This confirmation link is invalid or has expired."), code="token"
        ) from None
    user = User.objects.filter(pk=data.get("user"), email=data.get("email")).first()
    if user is None:
        raise ValidationError(_("This confirmation link is invalid or has expired."), code="token")
    if not user.email_confirmed:
        user.email_confirmed = True
        user.save(update_fields=["email_confirmed"])
    return user


def change_email(user: User, email: str) -> None:
    """Change the address; it must be confirmed again before the next log-in."""
    email = User.objects.normalize_email(email)
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError(_("This e-mail address is already used."), code="taken")
    user.email = email
    user.email_confirmed = False
    user.save(update_fields=["email", "email_confirmed"])
    send_confirmation_email(user)


def create_invite(
    user: User, max_uses: int | None = None, expires_at: datetime | None = None
) -> Invite:
    return Invite.objects.create(
        code=secrets.token_urlsafe(12), created_by=user, max_uses=max_uses, expires_at=expires_at
    )


def update_profile(account: Account, **changes: Any) -> Account:
    """Change profile fields; the bio is rendered with links, mentions and hashtags."""
    from babillard.statuses.services import render_text

    allowed = {
        "display_name",
        "note",
        "fields",
        "city",
        "bot",
        "locked",
        "discoverable",
        "hide_collections",
        "avatar",
        "header",
        "kind",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(_("Unknown profile field."), code="invalid")
    if "display_name" in changes and len(changes["display_name"]) > 30:
        raise ValidationError(_("A display name has at most 30 characters."), code="too_long")
    if "note" in changes:
        if len(changes["note"]) > 500:
            raise ValidationError(_("A biography has at most 500 characters."), code="too_long")
        account.note_html = render_text(changes["note"]).html
    if "fields" in changes:
        changes["fields"] = _clean_fields(changes["fields"])
    for image in ("avatar", "header"):
        if changes.get(image):
            from babillard.statuses.media import prepare_profile_image

            changes[image] = prepare_profile_image(changes[image])
    was_locked = account.locked
    for name, value in changes.items():
        setattr(account, name, value)
    with transaction.atomic():
        account.save()
        if was_locked and not account.locked:
            for request in FollowRequest.objects.filter(target=account):
                accept_follow_request(account, request.account)
        outbox.deliver_actor_update(account)
    return account


def _clean_fields(fields: list[dict[str, str]]) -> list[dict[str, str]]:
    from babillard.statuses.services import render_text

    cleaned = []
    for field in fields:
        name, value = field.get("name", "").strip(), field.get("value", "").strip()
        if not name and not value:
            continue
        if len(name) > 255 or len(value) > 255:
            raise ValidationError(_("A profile field has at most 255 characters."), code="too_long")
        cleaned.append({"name": name, "value": value, "value_html": render_text(value).html})
    if len(cleaned) > MAX_PROFILE_FIELDS:
        raise ValidationError(_("A profile has at most four fields."), code="too_many")
    return cleaned


def update_preferences(user: User, **changes: Any) -> User:
    allowed = {"locale", "default_visibility", "default_language", "default_sensitive"}
    if set(changes) - allowed:
        raise ValidationError(_("Unknown preference."), code="invalid")
    if changes.get("default_visibility") == Visibility.INTERNAL:
        raise ValidationError(
            _("Staff-only posts name their institution each time; choose another default."),
            code="visibility",
        )
    for name, value in changes.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password", "username", "email"])
    user.save(update_fields=list(changes))
    return user


def _refresh_follow_counts(*accounts: Account) -> None:
    for account in accounts:
        Account.objects.filter(pk=account.pk).update(
            followers_count=Follow.objects.filter(target=account).count(),
            following_count=Follow.objects.filter(account=account).count(),
        )


def follow(
    follower: Account, target: Account, *, uri: str = "", reblogs: bool = True, notify: bool = False
) -> Follow | FollowRequest:
    """Follow ``target``, or ask to when it is locked (or remote, until it accepts)."""
    from babillard.accounts.queries import is_blocked_either_way
    from babillard.notifications.models import NotificationType
    from babillard.notifications.services import notify as send_notification

    if follower == target:
        raise ValidationError(_("You cannot follow yourself."), code="self")
    if target.is_suspended or is_blocked_either_way(follower, target):
        raise NotFound(target.pk)
    existing = Follow.objects.filter(account=follower, target=target).first()
    if existing:
        if (existing.show_reblogs, existing.notify) != (reblogs, notify):
            existing.show_reblogs, existing.notify = reblogs, notify
            existing.save(update_fields=["show_reblogs", "notify"])
        return existing
    ratelimits.spend(follower, "follows")
    if target.locked or not target.is_local:
        request, created = FollowRequest.objects.get_or_create(
            account=follower,
            target=target,
            defaults={"uri": uri, "show_reblogs": reblogs, "notify": notify},
        )
        if not created and (request.show_reblogs, request.notify) != (reblogs, notify):
            request.show_reblogs, request.notify = reblogs, notify
            request.save(update_fields=["show_reblogs", "notify"])
        if created and target.is_local:
            send_notification(target, follower, NotificationType.FOLLOW_REQUEST)
        outbox.deliver_follow(request)
        return request
    return _create_follow(follower, target, uri=uri, reblogs=reblogs, notify=notify)


def _create_follow(
    follower: Account, target: Account, *, uri: str = "", reblogs: bool = True, notify: bool = False
) -> Follow:
    from babillard.notifications.models import NotificationType
    from babillard.notifications.services import notify as send_notification
    from babillard.timelines.tasks import backfill_home_feed

    with transaction.atomic():
        try:
            with transaction.atomic():
                created = Follow.objects.create(
                    account=follower, target=target, uri=uri, show_reblogs=reblogs, notify=notify
                )
        except IntegrityError:
            return Follow.objects.get(account=follower, target=target)
        outbox.deliver_accept(follower, target)
        FollowRequest.objects.filter(account=follower, target=target).delete()
        _refresh_follow_counts(follower, target)
        send_notification(target, follower, NotificationType.FOLLOW)
    if follower.is_local:
        enqueue_on_commit(backfill_home_feed, follower.pk, target.pk)
    return created


def accept_follow_request(target: Account, requester: Account) -> Follow:
    """Accept a pending request (also called when a remote server accepts ours)."""
    request = FollowRequest.objects.filter(account=requester, target=target).first()
    if request is None:
        raise NotFound(requester.pk)
    return _create_follow(requester, target, reblogs=request.show_reblogs, notify=request.notify)


def reject_follow_request(target: Account, requester: Account) -> None:
    outbox.deliver_reject(target, requester)
    deleted, _count = FollowRequest.objects.filter(account=requester, target=target).delete()
    if not deleted:
        raise NotFound(requester.pk)


def unfollow(follower: Account, target: Account) -> None:
    """Stop following (or withdraw a request) and purge the target from the home feed."""
    from babillard.timelines.services import purge_account_from_feed

    with transaction.atomic():
        outbox.deliver_unfollow(follower, target)
        FollowRequest.objects.filter(account=follower, target=target).delete()
        deleted, _count = Follow.objects.filter(account=follower, target=target).delete()
        Endorsement.objects.filter(account=follower, target=target).delete()
        if deleted:
            _refresh_follow_counts(follower, target)
            purge_account_from_feed(follower, target)


def remove_follower(account: Account, follower: Account) -> None:
    outbox.deliver_reject(account, follower)
    unfollow(follower, account)


def block(account: Account, target: Account, *, uri: str = "") -> Block:
    """Block: cuts follows both ways, removes each from the other's feeds."""
    if account == target:
        raise ValidationError(_("You cannot block yourself."), code="self")
    with transaction.atomic():
        created, _new = Block.objects.get_or_create(
            account=account, target=target, defaults={"uri": uri}
        )
        outbox.deliver_block(created)
        unfollow(account, target)
        unfollow(target, account)
    return created


def unblock(account: Account, target: Account) -> None:
    outbox.deliver_unblock(account, target)
    Block.objects.filter(account=account, target=target).delete()


def mute(
    account: Account, target: Account, *, notifications: bool = True, duration: int | None = None
) -> Mute:
    """Mute an account, its notifications too unless told otherwise, for ``duration`` seconds."""
    if account == target:
        raise ValidationError(_("You cannot mute yourself."), code="self")
    if duration is not None and duration < 0:
        raise ValidationError(_("A duration cannot be negative."), code="invalid")
    expires_at = timezone.now() + timedelta(seconds=duration) if duration else None
    muted, _new = Mute.objects.update_or_create(
        account=account,
        target=target,
        defaults={"hide_notifications": notifications, "expires_at": expires_at},
    )
    return muted


def unmute(account: Account, target: Account) -> None:
    Mute.objects.filter(account=account, target=target).delete()


def delete_user(user: User) -> None:
    """Delete a user and everything personal the instance keeps about them.

    The servers that knew the account are told first (``Delete`` of the actor), while
    its relations can still be read. Then every domain app cleans its own part through
    ``account_deleting`` (posts, counters, files on disk, rows the foreign keys do not
    reach); the rows that remain go with the account by cascade.
    """
    account = user.account
    with transaction.atomic():
        outbox.deliver_account_delete(account)
        account_deleting.send(Account, account=account)
        followed = list(Account.objects.filter(follower_rel__account=account))
        followers = list(Account.objects.filter(following_rel__target=account))
        files = [f for f in (account.avatar, account.header) if f]
        _end_sessions(user)
        account.delete()
        user.delete()
        _refresh_follow_counts(*followed, *followers)
    for stored in files:
        transaction.on_commit(partial(stored.storage.delete, str(stored.name)))


def _end_sessions(user: User) -> None:
    """Delete every browser session of ``user`` (the session table does not name its user)."""
    from django.contrib.sessions.models import Session

    user_id = str(user.pk)
    ended = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_id
    ]
    Session.objects.filter(pk__in=ended).delete()


REMOTE_ACCOUNT_FIELDS = {
    "username",
    "domain",
    "kind",
    "bot",
    "display_name",
    "note_html",
    "fields",
    "url",
    "inbox_url",
    "shared_inbox_url",
    "outbox_url",
    "followers_url",
    "public_key",
    "locked",
    "discoverable",
    "avatar_remote_url",
    "header_remote_url",
}


def update_remote_account(uri: str, *, silenced: bool = False, **fields: Any) -> Account:
    """Create or refresh a remote actor from its actor document (federation reads it).

    The actor is found by URI, or by handle when a server re-created it under a
    new URI; the biography is remote HTML and is sanitised here.
    """
    from babillard.statuses.formatting import sanitize

    if set(fields) - REMOTE_ACCOUNT_FIELDS or not fields.get("domain"):
        raise ValidationError(_("Unknown profile field."), code="invalid")
    fields["note_html"] = sanitize(fields.get("note_html", ""))
    fields["fields"] = [
        {**f, "value_html": sanitize(f.get("value_html", ""))} for f in fields.get("fields", [])
    ]
    with transaction.atomic():
        account = (
            Account.objects.select_for_update().filter(uri=uri).exclude(domain="").first()
            or Account.objects.select_for_update()
            .filter(username__iexact=fields["username"], domain__iexact=fields["domain"])
            .first()
        )
        if account is None:
            account = Account(uri=uri)
        elif account.is_local:
            raise ValidationError(
                _("A remote actor cannot replace a local account."), code="invalid"
            )
        for name, value in fields.items():
            setattr(account, name, value)
        account.uri = uri
        account.fetched_at = timezone.now()
        if silenced and account.silenced_at is None:
            account.silenced_at = timezone.now()
        account.save()
    return account


def forget_remote_account(account: Account) -> None:
    """A remote actor deleted itself: remove its posts and relations here."""
    if account.is_local:
        raise ValidationError(_("Only remote actors can be forgotten."), code="invalid")
    with transaction.atomic():
        account_deleting.send(Account, account=account)
        followed = list(Account.objects.filter(follower_rel__account=account))
        followers = list(Account.objects.filter(following_rel__target=account))
        account.delete()
        _refresh_follow_counts(*followed, *followers)


def move_account(account: Account, target: Account) -> Account:
    """Record that ``account`` moved to ``target`` and move its local followers there.

    Called when a local account moves away (federation then tells its remote
    followers with a Move) and when a remote server announces that one of its
    actors moved; the caller has checked that ``target`` names ``account`` as an alias.
    """
    if account == target or target.moved_to_id is not None:
        raise ValidationError(_("An account cannot move there."), code="invalid")
    with transaction.atomic():
        account.moved_to = target
        account.save(update_fields=["moved_to"])
        outbox.deliver_move(account, target)
        for follower in Account.objects.filter(following_rel__target=account, domain=""):
            if follower == target:
                continue
            try:
                follow(follower, target)
            except (ValidationError, NotFound):
                continue
            unfollow(follower, account)
    return account


MAX_NOTE_LENGTH = 2000


def set_note(account: Account, target: Account, comment: str) -> None:
    """Keep (or, with an empty comment, forget) a private note about ``target``."""
    comment = comment.strip()
    if len(comment) > MAX_NOTE_LENGTH:
        raise ValidationError(
            _("A note can be at most %(count)d characters long.") % {"count": MAX_NOTE_LENGTH},
            code="note",
        )
    if not comment:
        AccountNote.objects.filter(account=account, target=target).delete()
        return
    AccountNote.objects.update_or_create(
        account=account, target=target, defaults={"comment": comment}
    )


def endorse(account: Account, target: Account) -> Endorsement:
    """Feature a followed account on one's profile."""
    if not Follow.objects.filter(account=account, target=target).exists():
        raise ValidationError(_("You can only feature accounts you follow."), code="endorse")
    endorsement, _new = Endorsement.objects.get_or_create(account=account, target=target)
    return endorsement


def unendorse(account: Account, target: Account) -> None:
    Endorsement.objects.filter(account=account, target=target).delete()


def dismiss_suggestion(account: Account, target: Account) -> None:
    """Never suggest ``target`` to ``account`` again."""
    DismissedSuggestion.objects.get_or_create(account=account, target=target)


def note_address(user_id: int, ip: str | None, way: str) -> None:
    """Remember that a user came from ``ip`` (``AddressUse.Way``), for the moderators.

    Called on every authenticated request, so the shared cache lets through one
    write per user, address and way an hour, and that write is one upsert.
    """
    if not ip or not cache.add(f"address-use:{user_id}:{way}:{ip}", 1, ADDRESS_NOTE_SECONDS):
        return
    use = AddressUse(user_id=user_id, ip=ip, way=way, last_used_at=timezone.now())
    with suppress(IntegrityError):  # the user was deleted meanwhile
        AddressUse.objects.bulk_create(
            [use],
            update_conflicts=True,
            unique_fields=["user", "ip", "way"],
            update_fields=["last_used_at"],
        )


def forget_old_addresses(now: datetime | None = None) -> int:
    """Blank sign-up addresses and delete address uses older than IP_RETENTION_DAYS.

    Returns how many addresses were forgotten.
    """
    limit = (now or timezone.now()) - timedelta(days=settings.IP_RETENTION_DAYS)
    blanked = User.objects.filter(sign_up_ip__isnull=False, date_joined__lt=limit).update(
        sign_up_ip=None
    )
    deleted, _rows = AddressUse.objects.filter(last_used_at__lt=limit).delete()
    return blanked + deleted
