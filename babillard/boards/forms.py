"""The web forms of boards, and the messages their pages show after an action."""

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from babillard.boards.models import BoardVisibility, NewsletterFrequency

MESSAGES = {
    "saved": _("The board is saved."),
    "deleted": _("The board is deleted."),
    "added": _("The item is on the board."),
    "suggested": _("Thank you: the curators will read your suggestion."),
    "accepted": _("The suggestion is on the board."),
    "rejected": _("The suggestion is rejected."),
    "subscribed": _("You are subscribed to the newsletter."),
    "confirm_sent": _("Open the link we sent to this address to confirm the subscription."),
    "unsubscribed": _("You are unsubscribed from the newsletter."),
    "unknown_account": _("No account of this instance has this user name."),
    "newsletter_sent": _("The newsletter is on its way to the confirmed subscribers."),
}


class BoardForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=BoardVisibility.choices,
        initial=BoardVisibility.PUBLIC,
        help_text=_(
            "Public and unlisted boards can be followed from Mastodon; a private board is "
            "read by its curators only."
        ),
    )


class BoardSettingsForm(BoardForm):
    newsletter = forms.ChoiceField(
        label=_("Newsletter"),
        choices=NewsletterFrequency.choices,
        initial=NewsletterFrequency.NEVER,
    )


class ItemForm(forms.Form):
    """A post (its address or id) or any web link, with the curator's comment."""

    reference = forms.CharField(
        label=_("Post or web address"),
        max_length=2000,
        help_text=_("The address of a post of the network, or of any web page."),
    )
    title = forms.CharField(label=_("Title (links)"), required=False, max_length=300)
    excerpt = forms.CharField(
        label=_("Excerpt (links)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    section = forms.TypedChoiceField(
        label=_("Section"), required=False, coerce=int, empty_value=None, choices=[]
    )

    def __init__(self, data: Any = None, *, sections: Sequence[tuple[int, str]] = ()) -> None:
        super().__init__(data)
        field = cast(forms.ChoiceField, self.fields["section"])
        field.choices = [("", _("No section")), *sections]


class SuggestionForm(forms.Form):
    reference = forms.CharField(
        label=_("Post or web address"),
        max_length=2000,
        help_text=_("The address of a post of the network, or of any web page."),
    )
    note = forms.CharField(
        label=_("A word for the curators"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SectionForm(forms.Form):
    title = forms.CharField(label=_("New section"), max_length=200)


class CuratorForm(forms.Form):
    username = forms.CharField(label=_("User name of the new curator"), max_length=30)


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
