"""The members-only observatory of vendor quotes.

A quote is what a vendor asked one institution for one product in one year. It is
never federated, never indexed by search, never put in a feed, a notification or a
Mastodon entity: the only ways out are this app's own pages and API, to the staff of
verified institutions, and the aggregates' CSV export.

Documents attached to quotes live in ``settings.QUOTES_DOCUMENT_ROOT``, outside the
public media directory, and are streamed only to the submitting institution's staff.
"""

import secrets
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account
from babillard.institutions.models import InstitutionType

# Nobody may lower the threshold of distinct institutions below this, whatever the setting.
MIN_INSTITUTIONS_FLOOR = 3
DEFAULT_MIN_INSTITUTIONS = 5


class PrivateDocumentStorage(FileSystemStorage):
    """Files under ``QUOTES_DOCUMENT_ROOT``, with no URL: they are served by a view that
    checks who asks. The root is read at each use, so tests can point it elsewhere."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(base_url=None, **kwargs)

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(settings.QUOTES_DOCUMENT_ROOT)

    @property
    def location(self) -> str:  # type: ignore[override]
        return str(settings.QUOTES_DOCUMENT_ROOT)

    def url(self, name: str | None) -> str:
        raise ValueError("Quote documents have no public address.")


def document_path(instance: "Quote", filename: str) -> str:
    """A random name under the institution's folder; the person's file name is kept apart."""
    suffix = PurePath(filename).suffix.lower()
    return f"{instance.institution_id}/{secrets.token_hex(16)}{suffix}"


class Sharing(models.TextChoices):
    PRIVATE = "private", _("Not shared")
    ANONYMOUS = "anonymous", _("Shared without our name")
    NAMED = "named", _("Shared with our name")


class Quote(models.Model):
    institution = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    submitted_by = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vendor = models.CharField(max_length=200)
    product = models.CharField(max_length=200)
    # Case, accents and spaces folded, so that "Cairn" and " cairn " compare together.
    vendor_key = models.CharField(max_length=200, editable=False)
    product_key = models.CharField(max_length=200, editable=False)
    year = models.PositiveSmallIntegerField()
    price_excl_vat = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    fte = models.PositiveIntegerField(null=True, blank=True)
    population = models.PositiveIntegerField(null=True, blank=True)
    institution_type = models.CharField(max_length=12, choices=InstitutionType.choices)
    consortium = models.BooleanField(default=False)
    access_model = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    document = models.FileField(
        upload_to=document_path, storage=PrivateDocumentStorage(), blank=True, max_length=200
    )
    document_name = models.CharField(max_length=200, blank=True)
    sharing = models.CharField(max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["vendor_key", "product_key", "year", "institution_type"]),
            models.Index(fields=["institution", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price_excl_vat__gt=0), name="quote_price_positive"),
            models.CheckConstraint(
                condition=Q(fte__isnull=False) | Q(population__isnull=False),
                name="quote_has_size",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} / {self.product} ({self.year})"


class QuoteView(models.Model):
    """One view of an individual quote: the audit log its institution reads."""

    class Via(models.TextChoices):
        PAGE = "page", _("Quote page")
        LIST = "list", _("List of shared quotes")
        API = "api", _("API")
        DOCUMENT = "document", _("Document download")

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="views")
    institution = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    viewer = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    viewer_institution = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=10, choices=Via.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["institution", "-created_at"])]


class ObservatorySettings(models.Model):
    """The administrator's settings of the observatory (one row, edited in the admin)."""

    min_institutions = models.PositiveSmallIntegerField(
        default=DEFAULT_MIN_INSTITUTIONS,
        validators=[MinValueValidator(MIN_INSTITUTIONS_FLOOR)],
        help_text=_("Figures appear only with quotes from at least this many institutions."),
    )
    open_exchange = models.BooleanField(
        default=False,
        help_text=_("Institutions may choose to show their individual quotes to other members."),
    )

    class Meta:
        verbose_name = _("observatory settings")
        verbose_name_plural = _("observatory settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_institutions__gte=MIN_INSTITUTIONS_FLOOR),
                name="observatory_min_institutions_floor",
            )
        ]
