"""Forms of the triage pages (their strings live in this app's catalogue)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from babillard.timelines.models import FilterAction, FilterContext
from babillard.triage.models import Period, PolicyChoice, Priority

NO_PRIORITY = "none"
UNKNOWN_ACCOUNT = _("No account with this handle is known here.")


class PriorityForm(forms.Form):
    account = forms.CharField(
        label=_("Account"),
        max_length=320,
        help_text=_("A handle such as @name or @name@server.example, of an account known here."),
    )
    level = forms.ChoiceField(
        label=_("Priority"),
        choices=[*Priority.choices, (NO_PRIORITY, _("Normal"))],
    )


class DigestChoiceForm(forms.Form):
    """Which digest to read: home or a list, a day or a week (a GET form)."""

    list_id = forms.TypedChoiceField(
        label=_("Digest of"), required=False, coerce=int, empty_value=None
    )
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices, required=False)

    def __init__(self, *args: object, lists: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["list_id"].choices = [("", _("Home")), *lists]  # type: ignore[attr-defined]


class DigestSettingsForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices)
    by_email = forms.BooleanField(
        label=_("Send it to me by e-mail (each day or each week)"), required=False
    )


class PolicyForm(forms.Form):
    for_not_following = forms.ChoiceField(
        label=_("People you don't follow"), choices=PolicyChoice.choices
    )
    for_not_followers = forms.ChoiceField(
        label=_("People who don't follow you"), choices=PolicyChoice.choices
    )
    for_new_accounts = forms.ChoiceField(
        label=_("New accounts (less than 30 days old)"), choices=PolicyChoice.choices
    )
    for_private_mentions = forms.ChoiceField(
        label=_("Unsolicited private mentions"), choices=PolicyChoice.choices
    )
    for_limited_accounts = forms.ChoiceField(
        label=_("Accounts limited by moderators"), choices=PolicyChoice.choices
    )


EXPIRIES = [
    ("", _("Never")),
    ("1800", _("30 minutes")),
    ("3600", _("1 hour")),
    ("21600", _("6 hours")),
    ("43200", _("12 hours")),
    ("86400", _("1 day")),
    ("604800", _("1 week")),
]


class FilterForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    keywords = forms.CharField(
        label=_("Keywords or phrases"),
        help_text=_("Separated by commas; each matches whole words."),
        max_length=2000,
    )
    contexts = forms.MultipleChoiceField(
        label=_("Where"),
        choices=FilterContext.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    action = forms.ChoiceField(label=_("Action"), choices=FilterAction.choices)
    expires_in = forms.TypedChoiceField(
        label=_("Expires after"), choices=EXPIRIES, required=False, coerce=int, empty_value=None
    )

    def keyword_list(self) -> list[tuple[str, bool]]:
        return [
            (word.strip(), True)
            for word in self.cleaned_data["keywords"].split(",")
            if word.strip()
        ]
