"""Forms and wording of the observatory's pages (their strings live in this app's catalogue)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account
from babillard.institutions.models import InstitutionType
from babillard.quotes import queries
from babillard.quotes.models import Sharing

BAND_LABELS = {
    "under_5000": _("Under 5,000 FTE"),
    "5000_15000": _("5,000 to 15,000 FTE"),
    "15000_30000": _("15,000 to 30,000 FTE"),
    "over_30000": _("Over 30,000 FTE"),
    "under_10000": _("Under 10,000 inhabitants"),
    "10000_50000": _("10,000 to 50,000 inhabitants"),
    "50000_200000": _("50,000 to 200,000 inhabitants"),
    "over_200000": _("Over 200,000 inhabitants"),
}
UNIT_LABELS = {"fte": _("per FTE"), "1000_inhabitants": _("per 1,000 inhabitants")}
SAVED = _("The quote is recorded. Only your institution sees it.")
SHARING_SAVED = _("Sharing is updated.")
DELETED = _("The quote is deleted.")


class InstitutionChoice(forms.Form):
    """Which of the person's verified institutions the page is about."""

    institution = forms.ChoiceField(label=_("Institution"))

    def __init__(self, *args: Any, institutions: list[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(a.pk), a.name) for a in institutions]
        self.fields["institution"].choices = choices  # type: ignore[attr-defined]


class QuoteForm(forms.Form):
    vendor = forms.CharField(label=_("Vendor"), max_length=200)
    product = forms.CharField(label=_("Product or package"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    price_excl_vat = forms.DecimalField(
        label=_("Price excluding VAT"), min_value=0.01, max_digits=14, decimal_places=2
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        initial=queries.DEFAULT_CURRENCY,
        help_text=_("Three-letter code, such as EUR."),
    )
    institution_type = forms.ChoiceField(
        label=_("Type of institution"), choices=InstitutionType.choices
    )
    fte = forms.IntegerField(
        label=_("FTE students and staff"),
        min_value=1,
        required=False,
        help_text=_("For academic and specialised libraries: prices are compared per FTE."),
    )
    population = forms.IntegerField(
        label=_("Population served"),
        min_value=1,
        required=False,
        help_text=_("For public libraries: prices are compared per 1,000 inhabitants."),
    )
    consortium = forms.BooleanField(label=_("Through a consortium"), required=False)
    access_model = forms.CharField(
        label=_("Simultaneous users or access model"),
        max_length=200,
        required=False,
        help_text=_("Such as: 5 simultaneous users, unlimited on campus, IP range."),
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    document = forms.FileField(
        label=_("Document (the quote itself)"),
        required=False,
        help_text=_(
            "PDF, text or spreadsheet, 10 MB at most. Only your institution's staff can open it."
        ),
    )
    sharing = forms.ChoiceField(
        label=_("Sharing"),
        choices=Sharing.choices,
        initial=Sharing.PRIVATE,
        help_text=_(
            "Other institutions see a shared quote only when this server runs in "
            "open-exchange mode; every view is written to your audit log."
        ),
    )


class SharingForm(forms.Form):
    sharing = forms.ChoiceField(label=_("Sharing"), choices=Sharing.choices)


class CompareForm(forms.Form):
    vendor = forms.CharField(label=_("Vendor"), max_length=200)
    product = forms.CharField(label=_("Product or package"), max_length=200)
    institution_type = forms.ChoiceField(
        label=_("Type of institution"), choices=InstitutionType.choices
    )
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100, required=False)
    size_band = forms.ChoiceField(
        label=_("Size"),
        required=False,
        choices=[("", _("Every size")), *BAND_LABELS.items()],
        help_text=_("FTE bands for academic libraries, population bands for public libraries."),
    )
    currency = forms.CharField(
        label=_("Currency"), max_length=3, initial=queries.DEFAULT_CURRENCY, required=False
    )
