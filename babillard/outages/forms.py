"""Forms of the platform pages, and the messages the pages show after an action."""

from django import forms
from django.utils.translation import gettext_lazy as _

from babillard.outages.models import IncidentState, Platform, Problem


class PlatformForm(forms.Form):
    """Propose a platform (members) or add it at once (moderators)."""

    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(label=_("Home page"), max_length=500, assume_scheme="https")
    vendor = forms.CharField(label=_("Vendor"), max_length=100, required=False)
    probe_urls = forms.CharField(
        label=_("Addresses to check"),
        help_text=_("One per line: login or proxy page, a known article (at most five)."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    status_page_url = forms.URLField(
        label=_("The vendor's status page"), max_length=500, required=False, assume_scheme="https"
    )


class ReportForm(forms.Form):
    problem = forms.ChoiceField(label=_("Problem"), choices=Problem.choices)
    comment = forms.CharField(label=_("Comment (optional)"), max_length=500, required=False)


class IncidentUpdateForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=IncidentState.choices)
    message = forms.CharField(label=_("Message"), max_length=400, required=False)


REPORTED = _("Thank you: your report counts now.")
PROPOSED = _("Thank you: the moderators will look at your proposal.")
ADDED = _("The platform is in the registry.")
SUBSCRIBED = _("You will be told of this platform's incidents.")
UNSUBSCRIBED = _("You will not be told of this platform's incidents any more.")
UPDATED = _("The incident is updated.")
APPROVED = _("The platform is approved.")
REJECTED = _("The proposal is removed.")


def feed_title(platform: Platform | None) -> str:
    if platform is None:
        return str(_("Incidents of e-resource platforms"))
    return str(_("Incidents of %(name)s") % {"name": platform.name})
