"""Local users and every actor, local or remote, with the relations between actors.

A ``User`` is a person who logs in here; an ``Account`` is an actor of the
network. Every local user has one account; a remote actor has an account with
its ``domain`` set and no user. Follows, blocks and mutes link accounts, so
the same rows serve local and federated relations.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    PERSON = "person", _("Person")
    INSTITUTION = "institution", _("Institution")
    TEAM = "team", _("Team")
    GROUP = "group", _("Group")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    UNLISTED = "unlisted", _("Unlisted")
    PRIVATE = "private", _("Followers only")
    DIRECT = "direct", _("Mentioned people only")
    # Seen only by the members of one institution (``Status.internal_to``); never federated.
    INTERNAL = "internal", _("Staff only")


class User(AbstractUser):
    """A person who logs in to this instance."""

    email = models.EmailField(_("e-mail address"), unique=True)
    email_confirmed = models.BooleanField(default=False)
    approved = models.BooleanField(default=True)
    is_moderator = models.BooleanField(default=False)
    signup_reason = models.TextField(blank=True)
    # Kept for the moderators, then blanked after IP_RETENTION_DAYS (``forget_old_addresses``).
    sign_up_ip = models.GenericIPAddressField(null=True, blank=True)
    locale = models.CharField(max_length=8, blank=True, choices=settings.LANGUAGES)
    default_visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    default_language = models.CharField(max_length=8, default="fr")
    default_sensitive = models.BooleanField(default=False)
    notifications_read_id = models.BigIntegerField(default=0)
    invited_by = models.ForeignKey(
        "accounts.Invite", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    @property
    def can_moderate(self) -> bool:
        return self.is_moderator or self.is_superuser

    @property
    def account(self) -> "Account":
        return self.account_record  # type: ignore[no-any-return]


class AccountQuerySet(models.QuerySet["Account"]):
    def local(self) -> "AccountQuerySet":
        return self.filter(domain="")

    def active(self) -> "AccountQuerySet":
        return self.filter(suspended_at__isnull=True)


class Account(models.Model):
    """An actor of the network: local (``domain`` empty) or remote."""

    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="account_record"
    )
    username = models.CharField(max_length=64)
    domain = models.CharField(max_length=255, blank=True, default="")
    kind = models.CharField(max_length=12, choices=AccountKind.choices, default=AccountKind.PERSON)
    display_name = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True, help_text=_("Biography as typed"))
    note_html = models.TextField(blank=True)
    fields = models.JSONField(default=list, blank=True)
    city = models.CharField(max_length=100, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    header = models.ImageField(upload_to="headers/", blank=True)
    avatar_remote_url = models.URLField(max_length=2000, blank=True)
    header_remote_url = models.URLField(max_length=2000, blank=True)
    bot = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    discoverable = models.BooleanField(default=True)
    hide_collections = models.BooleanField(default=False)

    uri = models.URLField(max_length=2000, unique=True, null=True, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    inbox_url = models.URLField(max_length=2000, blank=True)
    shared_inbox_url = models.URLField(max_length=2000, blank=True)
    outbox_url = models.URLField(max_length=2000, blank=True)
    followers_url = models.URLField(max_length=2000, blank=True)
    public_key = models.TextField(blank=True)
    private_key = models.TextField(blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)

    followers_count = models.PositiveIntegerField(default=0)
    following_count = models.PositiveIntegerField(default=0)
    statuses_count = models.PositiveIntegerField(default=0)
    last_status_at = models.DateTimeField(null=True, blank=True)

    suspended_at = models.DateTimeField(null=True, blank=True)
    silenced_at = models.DateTimeField(null=True, blank=True)
    moved_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                Lower("domain"),
                name="account_unique_handle",
            )
        ]
        indexes = [models.Index(fields=["domain", "username"])]

    def __str__(self) -> str:
        return self.acct

    @property
    def is_local(self) -> bool:
        return not self.domain

    @property
    def acct(self) -> str:
        """The handle as Mastodon shows it: ``name`` for local, ``name@domain`` for remote."""
        return self.username if self.is_local else f"{self.username}@{self.domain}"

    @property
    def full_handle(self) -> str:
        return f"@{self.username}@{self.domain or settings.DOMAIN}"

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None

    @property
    def is_silenced(self) -> bool:
        return self.silenced_at is not None

    @property
    def avatar_url(self) -> str:
        if self.avatar:
            return str(self.avatar.url)
        return self.avatar_remote_url or f"{settings.STATIC_URL}babillard/avatar.svg"

    @property
    def header_url(self) -> str:
        if self.header:
            return str(self.header.url)
        return self.header_remote_url


class Follow(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="following_rel")
    target = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="follower_rel")
    uri = models.URLField(max_length=2000, blank=True)
    show_reblogs = models.BooleanField(default=True)
    notify = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="follow_unique"),
            models.CheckConstraint(
                condition=~Q(account=models.F("target")), name="follow_not_self"
            ),
        ]
        indexes = [models.Index(fields=["target", "account"])]


class FollowRequest(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="follow_requests")
    uri = models.URLField(max_length=2000, blank=True)
    # The follower's choices, kept until the follow is accepted (as Mastodon keeps them).
    show_reblogs = models.BooleanField(default=True)
    notify = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="follow_request_unique")
        ]


class Block(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="blocking_rel")
    target = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="blocked_by_rel")
    uri = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "target"], name="block_unique")]
        indexes = [models.Index(fields=["target", "account"])]


class Mute(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="muting_rel")
    target = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    hide_notifications = models.BooleanField(default=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "target"], name="mute_unique")]


class Invite(models.Model):
    """An invitation link for sign-up when registrations are by invitation."""

    code = models.CharField(max_length=32, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invites")
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    @property
    def is_usable(self) -> bool:
        if self.expires_at and self.expires_at <= timezone.now():
            return False
        return self.max_uses is None or self.uses < self.max_uses


class AccountNote(models.Model):
    """A private note an account keeps about another, shown only to its author."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    comment = models.TextField(max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="account_note_unique")
        ]


class Endorsement(models.Model):
    """An account featured on its owner's profile (Mastodon's endorsed accounts)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="endorsing_rel")
    target = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="endorsed_by_rel")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "target"], name="endorsement_unique")
        ]


class DismissedSuggestion(models.Model):
    """An account the owner asked never to be suggested to follow again."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "target"], name="dismissed_suggestion_unique"
            )
        ]


class AddressUse(models.Model):
    """An address a user came from, through a browser session or an API token.

    One row per user, address and way in, with the last time it was seen, like
    Mastodon's "recent IPs" of the admin view; rows unseen for IP_RETENTION_DAYS
    are deleted (``services.forget_old_addresses``).
    """

    class Way(models.TextChoices):
        SESSION = "session", _("Browser session")
        TOKEN = "token", _("Application token")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="address_uses")
    ip = models.GenericIPAddressField()
    way = models.CharField(max_length=8, choices=Way.choices)
    last_used_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "ip", "way"], name="address_use_unique")
        ]
