"""Forms and messages of the group pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from babillard.groups.models import JoinMode

MESSAGES = {
    "created": _("The group is created; you are its first member and moderator."),
    "joined": _("You are a member of the group."),
    "requested": _("Your request to join is waiting for a moderator."),
    "left": _("You left the group."),
    "posted": _("Your post is sent to the group."),
    "saved": _("The group is saved."),
    "done": _("Done."),
}


class GroupForm(forms.Form):
    username = forms.CharField(
        label=_("Address name"),
        max_length=30,
        help_text=_("Letters, digits and underscores: the group's @name."),
    )
    display_name = forms.CharField(label=_("Name"), max_length=100, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    rules = forms.CharField(
        label=_("Rules"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    join_mode = forms.ChoiceField(label=_("Who may join"), choices=JoinMode.choices)
    hold_posts = forms.BooleanField(
        label=_("Moderators accept each post before the group shares it"), required=False
    )


class SettingsForm(GroupForm):
    """The same fields but the address, which never changes."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        del self.fields["username"]


class PostForm(forms.Form):
    text = forms.CharField(
        label=_("Post to the group"), widget=forms.Textarea(attrs={"rows": 3}), max_length=480
    )
