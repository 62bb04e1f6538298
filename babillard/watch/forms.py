"""Forms of the watch pages: antennas, outside feeds, OPML, deck columns. They turn
typed text into what the services take; the services check the rules."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account
from babillard.accounts.queries import get_account
from babillard.core.errors import NotFound
from babillard.timelines.models import List
from babillard.watch.columns import column_kinds
from babillard.watch.models import Antenna, EmailMode, Width

# Messages the pages show after an action.
SAVED = _("The antenna is saved; it is filled back with the last 30 days.")
UPDATED = _("The antenna is changed.")
DELETED = _("The antenna is deleted.")
NEW_ADDRESS = _("The feed has a new address; the old one no longer works.")
FOLLOWED = _("The feed is followed; its items arrive in a moment.")
UNFOLLOWED = _("The feed is no longer followed.")
IMPORTED = _("%(imported)d feeds imported, %(removed)d removed, %(failed)d refused.")
COLUMN_ADDED = _("The column is added.")
COLUMN_REMOVED = _("The column is removed.")
FEED_TITLE = _("Antenna “%(title)s” of %(handle)s")
FEED_DESCRIPTION = _("Posts and outside items caught by the antenna “%(title)s”")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.replace(",", "\n").splitlines() if line.strip()]


def _accounts(value: str) -> list[int]:
    """Handles typed one per line (``@name`` or ``@name@server``), as known here."""
    ids = []
    for handle in _lines(value):
        username, _at, domain = handle.lstrip("@").partition("@")
        try:
            ids.append(get_account(username, domain).pk)
        except NotFound:
            raise ValidationError(
                _("No account @%(handle)s is known here.") % {"handle": handle.lstrip("@")},
                code="unknown",
            ) from None
    return ids


def _handles(ids: list[int]) -> str:
    found = Account.objects.in_bulk(ids)
    return "\n".join(f"@{found[i].acct}" for i in ids if i in found)


class AntennaForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    keywords = forms.CharField(
        label=_("Keywords and phrases"),
        help_text=_("One per line; whole words, accents and capitals ignored."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    exclude_keywords = forms.CharField(
        label=_("Leave out posts with"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    regex = forms.CharField(
        label=_("Regular expression"),
        help_text=_("Optional; at most 200 characters, capitals ignored."),
        max_length=200,
        required=False,
    )
    accounts = forms.CharField(
        label=_("Only from these accounts"),
        help_text=_("One handle per line, such as @name@server."),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    exclude_accounts = forms.CharField(
        label=_("Never from these accounts"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    list_ids = forms.MultipleChoiceField(
        label=_("Only from members of these lists"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    exclude_list_ids = forms.MultipleChoiceField(
        label=_("Never from members of these lists"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.CharField(
        label=_("Languages"),
        help_text=_("Codes such as fr en; empty for every language."),
        required=False,
    )
    with_media_only = forms.BooleanField(label=_("Only posts with images"), required=False)
    with_links_only = forms.BooleanField(label=_("Only posts with links"), required=False)
    exclude_replies = forms.BooleanField(label=_("Leave out replies"), required=False)
    notify = forms.BooleanField(label=_("Notify me"), required=False)
    email = forms.ChoiceField(label=_("E-mail"), choices=EmailMode.choices)

    def __init__(self, owner: Account, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (str(lst.pk), lst.title) for lst in List.objects.filter(owner=owner).order_by("title")
        ]
        self.fields["list_ids"].choices = choices  # type: ignore[attr-defined]
        self.fields["exclude_list_ids"].choices = choices  # type: ignore[attr-defined]

    @classmethod
    def initial_of(cls, antenna: Antenna) -> dict[str, Any]:
        return {
            "title": antenna.title,
            "keywords": "\n".join(antenna.keywords),
            "exclude_keywords": "\n".join(antenna.exclude_keywords),
            "regex": antenna.regex,
            "accounts": _handles(antenna.account_ids),
            "exclude_accounts": _handles(antenna.exclude_account_ids),
            "list_ids": [str(i) for i in antenna.list_ids],
            "exclude_list_ids": [str(i) for i in antenna.exclude_list_ids],
            "languages": " ".join(antenna.languages),
            "with_media_only": antenna.with_media_only,
            "with_links_only": antenna.with_links_only,
            "exclude_replies": antenna.exclude_replies,
            "notify": antenna.notify,
            "email": antenna.email,
        }

    def clean_accounts(self) -> list[int]:
        return _accounts(self.cleaned_data["accounts"])

    def clean_exclude_accounts(self) -> list[int]:
        return _accounts(self.cleaned_data["exclude_accounts"])

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "keywords": _lines(data["keywords"]),
            "exclude_keywords": _lines(data["exclude_keywords"]),
            "regex": data["regex"],
            "account_ids": data["accounts"],
            "exclude_account_ids": data["exclude_accounts"],
            "list_ids": data["list_ids"],
            "exclude_list_ids": data["exclude_list_ids"],
            "languages": data["languages"].split(),
            "with_media_only": data["with_media_only"],
            "with_links_only": data["with_links_only"],
            "exclude_replies": data["exclude_replies"],
            "notify": data["notify"],
            "email": data["email"],
        }


# Where a service's error code sends its message in the antenna form.
ANTENNA_ERROR_FIELDS = {
    "title": "title",
    "keywords": "keywords",
    "exclude_keywords": "exclude_keywords",
    "regex": "regex",
    "account_ids": "accounts",
    "exclude_account_ids": "exclude_accounts",
    "list_ids": "list_ids",
    "exclude_list_ids": "exclude_list_ids",
    "languages": "languages",
    "email": "email",
}


class SourceForm(forms.Form):
    url = forms.CharField(label=_("Address of an RSS, Atom or JSON feed"), max_length=2000)


class OpmlForm(forms.Form):
    file = forms.FileField(label=_("OPML file"))
    mode = forms.ChoiceField(
        label=_("Feeds already followed"),
        choices=[("merge", _("Keep them")), ("overwrite", _("Keep only the file's feeds"))],
    )


class ColumnForm(forms.Form):
    """One form for every kind: each kind reads the fields it needs."""

    kind = forms.ChoiceField(label=_("Kind of column"))
    list_id = forms.ChoiceField(label=_("List"), required=False)
    tag = forms.CharField(label=_("Hashtag"), max_length=100, required=False)
    any = forms.CharField(label=_("Or any of these hashtags"), max_length=300, required=False)
    all = forms.CharField(label=_("And all of these hashtags"), max_length=300, required=False)
    none = forms.CharField(label=_("But none of these hashtags"), max_length=300, required=False)
    q = forms.CharField(label=_("Search for"), max_length=200, required=False)
    antenna_id = forms.ChoiceField(label=_("Antenna"), required=False)
    source_id = forms.ChoiceField(label=_("Outside feed"), required=False)
    institution_id = forms.ChoiceField(label=_("Institution"), required=False)
    width = forms.ChoiceField(label=_("Width"), choices=Width.choices, initial=Width.NORMAL)

    def __init__(
        self,
        *args: Any,
        lists: list[tuple[str, str]],
        antennas: list[tuple[str, str]],
        sources: list[tuple[str, str]],
        institutions: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        none = [("", "—")]
        self.fields["kind"].choices = [(k.name, k.label) for k in column_kinds()]  # type: ignore[attr-defined]
        self.fields["list_id"].choices = none + lists  # type: ignore[attr-defined]
        self.fields["antenna_id"].choices = none + antennas  # type: ignore[attr-defined]
        self.fields["source_id"].choices = none + sources  # type: ignore[attr-defined]
        self.fields["institution_id"].choices = none + institutions  # type: ignore[attr-defined]

    def params(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: v for k, v in data.items() if k not in ("kind", "width") and v}
