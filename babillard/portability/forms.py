from django import forms
from django.utils.translation import gettext_lazy as _

from babillard.portability.models import ImportKind, ImportMode


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=ImportMode.choices,
        initial=ImportMode.MERGE,
        widget=forms.RadioSelect,
        help_text=_("Replacing removes what the file does not name (for example, unfollows)."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("A CSV file exported from Mastodon or Babillard, or a Mastodon archive (zip)."),
    )
