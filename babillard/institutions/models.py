"""Institutions: the profile of an institution account, its staff and their roles,
acting as the institution (grants and the audit log), post templates, and the
institution's sites with their opening hours, closures and school holidays.

An institution is an ``accounts.Account`` of kind ``institution``; everything
here hangs off that account, so the core's follows, posts and timelines work
for it unchanged.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account


class InstitutionType(models.TextChoices):
    UNIVERSITY = "university", _("University library")
    PUBLIC = "public", _("Public library")
    NATIONAL = "national", _("National library")
    SPECIALISED = "specialised", _("Specialised library")
    NETWORK = "network", _("Network of libraries")


class Role(models.TextChoices):
    """Roles of a member; each includes those below it (manager > editor > staff)."""

    MANAGER = "manager", _("Manager")
    EDITOR = "editor", _("Editor")
    STAFF = "staff", _("Staff")


# Rank of each role: a member holds every role whose rank is at most theirs.
ROLE_RANK = {Role.STAFF: 1, Role.EDITOR: 2, Role.MANAGER: 3}


class Institution(models.Model):
    """The profile of an institution account."""

    account = models.OneToOneField(
        Account, primary_key=True, on_delete=models.CASCADE, related_name="institution"
    )
    official_name = models.CharField(max_length=200, blank=True)
    type = models.CharField(
        max_length=12, choices=InstitutionType.choices, default=InstitutionType.PUBLIC
    )
    isil = models.CharField(max_length=16, blank=True, help_text=_("ISO 15511 identifier"))
    isil_verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    website = models.URLField(max_length=500, blank=True)
    catalogue_url_template = models.CharField(
        max_length=500, blank=True, help_text=_("A URL containing {isbn} and/or {query}")
    )
    network = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="network_members",
        help_text=_("The network institution this one belongs to"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(network=models.F("account")), name="institution_not_own_network"
            )
        ]

    def __str__(self) -> str:
        return self.official_name or self.account.name

    @property
    def verified(self) -> bool:
        return self.isil_verified_at is not None and bool(self.isil)

    @property
    def name(self) -> str:
        return self.official_name or self.account.name


class Membership(models.Model):
    """A person account on the staff of an institution, with one role."""

    institution = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="staff")
    member = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=8, choices=Role.choices, default=Role.STAFF)
    added_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "member"], name="membership_unique")
        ]
        indexes = [models.Index(fields=["member", "institution"])]

    def __str__(self) -> str:
        return f"{self.member} ({self.role}) @ {self.institution}"


class ActingGrant(models.Model):
    """The right of one editor to act as the institution, e.g. through an API token.

    The API layer creates one per ``act_as`` token and stores the token's
    reference in ``token_ref``; a revoked grant (or an editor who lost the
    role) acts no more. Actions taken through it are audited with its editor.
    """

    institution = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    editor = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="acting_grants")
    token_ref = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["institution", "editor"]),
            models.Index(fields=["token_ref"]),
        ]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditAction(models.TextChoices):
    POST = "post", _("Posted")
    REPLY = "reply", _("Replied")
    REBLOG = "reblog", _("Boosted")
    SCHEDULE = "schedule", _("Scheduled a post")
    DELETE = "delete", _("Deleted a post")
    GRANT = "grant", _("Obtained a token acting as the institution")
    REVOKE = "revoke", _("Revoked a token acting as the institution")


class AuditEntry(models.Model):
    """One action taken as the institution, and the person who took it. Kept one year."""

    institution = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    acting_account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    status_id = models.BigIntegerField(null=True, blank=True)
    grant = models.ForeignKey(
        ActingGrant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["institution", "-created_at"])]
        ordering = ["-created_at", "-id"]


class PostTemplate(models.Model):
    """A reusable post of an institution ("Salles pleines", "Fermeture exceptionnelle")."""

    institution = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    text = models.TextField()
    spoiler_text = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "name"], name="post_template_unique")
        ]
        ordering = ["name"]


class SchoolHoliday(models.Model):
    """A school-holiday period entered by the institution (dates inclusive).

    Forecasts compare a day only with past days of the same kind: term time,
    school holidays, or public holidays.
    """

    institution = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100, blank=True)
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="holiday_order")
        ]


class Site(models.Model):
    """A branch of an institution, with its address, hours and spaces."""

    institution = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    city = models.CharField(max_length=100, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="Europe/Paris")
    # {"mon": [["09:00", "19:00"]], ...} in the site's time zone; empty means always open.
    opening_hours = models.JSONField(default=dict, blank=True)
    accessibility_notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["city", "name"]
        indexes = [models.Index(fields=["institution", "name"])]

    def __str__(self) -> str:
        return self.name


class SiteClosure(models.Model):
    """An exceptional closure of a site, from ``start`` to ``end`` inclusive (local dates)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="closures")
    start = models.DateField()
    end = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="closure_order")
        ]
