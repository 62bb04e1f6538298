"""The forms of the web pages. They check the shape of the input; the services check the rules."""

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account, AccountKind, User, Visibility
from babillard.moderation import queries as moderation_queries
from babillard.moderation.models import ActionKind, ReportCategory
from babillard.statuses.formatting import plain_text
from babillard.statuses.models import QuotePolicy, ReplyPolicy

LANGUAGES = [
    ("fr", "Français"),
    ("en", "English"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("it", "Italiano"),
    ("pt", "Português"),
    ("nl", "Nederlands"),
    ("ca", "Català"),
    ("br", "Brezhoneg"),
    ("oc", "Occitan"),
]
POLL_DURATIONS = [
    (300, _("5 minutes")),
    (1800, _("30 minutes")),
    (3600, _("1 hour")),
    (6 * 3600, _("6 hours")),
    (24 * 3600, _("1 day")),
    (3 * 24 * 3600, _("3 days")),
    (7 * 24 * 3600, _("7 days")),
]
# Staff-only posts name an institution; the web composer offers them with the
# institution pages, so the general visibilities are the four of Mastodon.
VISIBILITIES = [(v, label) for v, label in Visibility.choices if v != Visibility.INTERNAL]
MAX_IMAGES = 4
POLL_OPTIONS = 4


class ComposeForm(forms.Form):
    text = forms.CharField(
        label=_("What's new?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "data-counter": "compose-counter"}),
    )
    spoiler_text = forms.CharField(label=_("Content warning (optional)"), required=False)
    visibility = forms.ChoiceField(label=_("Visibility"), choices=Visibility.choices)
    local_only = forms.BooleanField(
        label=_("Local only (this post never leaves this instance)"), required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    sensitive = forms.BooleanField(label=_("Mark the images as sensitive"), required=False)
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    quoted_status = forms.IntegerField(required=False, widget=forms.HiddenInput)
    quote_policy = forms.ChoiceField(
        label=_("Who may quote this post"),
        choices=QuotePolicy.choices,
        initial=QuotePolicy.PUBLIC,
        required=False,
        help_text=_("Followers-only and direct posts can be quoted by you only."),
    )
    reply_policy = forms.ChoiceField(
        label=_("Who may reply"),
        choices=ReplyPolicy.choices,
        initial=ReplyPolicy.ANYONE,
        required=False,
        help_text=_("You and the people you mention may always reply."),
    )
    poll_multiple = forms.BooleanField(label=_("Several choices allowed"), required=False)
    poll_duration = forms.TypedChoiceField(
        label=_("Poll duration"), choices=POLL_DURATIONS, coerce=int, initial=24 * 3600
    )
    scheduled_at = forms.DateTimeField(
        label=_("Publish later (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound or self.data.get("visibility") != Visibility.INTERNAL:
            # Staff-only is accepted (the service checks the author's membership) but
            # only offered when replying to a staff-only post.
            self.fields["visibility"].choices = VISIBILITIES  # type: ignore[attr-defined]
        if user is not None:
            self.fields["visibility"].initial = user.default_visibility
            self.fields["language"].initial = user.default_language
        for i in range(1, MAX_IMAGES + 1):
            self.fields[f"image_{i}"] = forms.FileField(
                label=_("Image %(number)d") % {"number": i},
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
            )
            self.fields[f"alt_{i}"] = forms.CharField(
                label=_("Description of image %(number)d (alt text)") % {"number": i},
                required=False,
                max_length=1500,
                help_text=_("Describe the image for people who cannot see it."),
            )
        for i in range(1, POLL_OPTIONS + 1):
            self.fields[f"poll_{i}"] = forms.CharField(
                label=_("Poll choice %(number)d") % {"number": i}, required=False, max_length=50
            )

    def image_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"image_{i}"], self[f"alt_{i}"]) for i in range(1, MAX_IMAGES + 1)]

    def poll_fields(self) -> list[forms.BoundField]:
        return [self[f"poll_{i}"] for i in range(1, POLL_OPTIONS + 1)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(1, MAX_IMAGES + 1):
            if data.get(f"image_{i}") and not (data.get(f"alt_{i}") or "").strip():
                self.add_error(f"alt_{i}", _("Describe this image for people who cannot see it."))
        return data

    def images(self) -> list[tuple[Any, str]]:
        return [
            (self.cleaned_data[f"image_{i}"], self.cleaned_data.get(f"alt_{i}") or "")
            for i in range(1, MAX_IMAGES + 1)
            if self.cleaned_data.get(f"image_{i}")
        ]

    def poll_options(self) -> list[str]:
        return [
            self.cleaned_data[f"poll_{i}"].strip()
            for i in range(1, POLL_OPTIONS + 1)
            if (self.cleaned_data.get(f"poll_{i}") or "").strip()
        ]


class EditForm(forms.Form):
    text = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "data-counter": "compose-counter"}),
    )
    spoiler_text = forms.CharField(label=_("Content warning (optional)"), required=False)

    def __init__(self, *args: Any, media: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.media_items = media or []
        for item in self.media_items:
            self.fields[f"alt_{item.pk}"] = forms.CharField(
                label=_("Description of the image (alt text)"),
                required=True,
                max_length=1500,
                initial=item.description,
            )

    def alt_fields(self) -> list[tuple[Any, forms.BoundField]]:
        return [(item, self[f"alt_{item.pk}"]) for item in self.media_items]

    def descriptions(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data[f"alt_{item.pk}"] for item in self.media_items}


class SignUpForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=30,
        help_text=_("Letters without accents, digits and underscores."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not too common."),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    reason = forms.CharField(
        label=_("Why do you want to join?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accept = forms.BooleanField(label=_("I accept the rules of this instance"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username or e-mail address"),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username, password = data.get("username"), data.get("password")
        if not username or not password:
            return data
        self.user = authenticate(self.request, username=username, password=password)
        if self.user is not None:
            return data
        field = "email__iexact" if "@" in username else "username__iexact"
        known = User.objects.filter(**{field: username}).first()
        if known is not None and known.check_password(password):
            if not known.is_active:
                raise forms.ValidationError(_("This account is suspended."), code="inactive")
            if not known.email_confirmed:
                raise forms.ValidationError(
                    _(
                        "Your e-mail address is not confirmed yet: open the link we sent you, "
                        "then log in."
                    ),
                    code="unconfirmed",
                )
            if not known.approved:
                raise forms.ValidationError(
                    _("Your sign-up is waiting for a moderator's approval."), code="pending"
                )
        raise forms.ValidationError(
            _("Wrong username, e-mail address or password."), code="invalid"
        )


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=30, required=False)
    note = forms.CharField(
        label=_("Biography"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    avatar = forms.ImageField(label=_("Avatar"), required=False)
    header = forms.ImageField(label=_("Header image"), required=False)
    kind = forms.ChoiceField(label=_("Kind of account"), choices=AccountKind.choices)
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    bot = forms.BooleanField(label=_("This account is automated (bot)"), required=False)
    locked = forms.BooleanField(
        label=_("Approve followers by hand (locked account)"), required=False
    )
    hide_collections = forms.BooleanField(
        label=_("Hide my followers and the accounts I follow"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, 5):
            self.fields[f"field_name_{i}"] = forms.CharField(
                label=_("Label %(number)d") % {"number": i}, max_length=255, required=False
            )
            self.fields[f"field_value_{i}"] = forms.CharField(
                label=_("Content %(number)d") % {"number": i}, max_length=255, required=False
            )

    def profile_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"field_name_{i}"], self[f"field_value_{i}"]) for i in range(1, 5)]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        changes = {
            name: data[name] for name in ("display_name", "note", "kind", "city", "bot", "locked")
        }
        changes["hide_collections"] = data["hide_collections"]
        changes["fields"] = [
            {"name": data[f"field_name_{i}"], "value": data[f"field_value_{i}"]}
            for i in range(1, 5)
        ]
        for image in ("avatar", "header"):
            if data.get(image):
                changes[image] = data[image]
        return changes


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=_("New e-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to confirm"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = str(self.cleaned_data["password"])
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."), code="wrong")
        return password


class LoginCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authentication application, or a recovery code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class SetupCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code shown by your application"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class TwoFactorProofForm(forms.Form):
    """Asked before regenerating recovery codes or turning two-factor authentication off."""

    proof = forms.CharField(
        label=_("Your password or a current code"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PreferencesForm(forms.Form):
    locale = forms.ChoiceField(label=_("Language of the interface"), choices=settings.LANGUAGES)
    default_visibility = forms.ChoiceField(
        label=_("Default visibility of my posts"), choices=VISIBILITIES
    )
    default_language = forms.ChoiceField(label=_("Default language of my posts"), choices=LANGUAGES)
    default_sensitive = forms.BooleanField(
        label=_("Mark my images as sensitive by default"), required=False
    )


class ListForm(forms.Form):
    title = forms.CharField(label=_("Title of the list"), max_length=100)
    exclusive = forms.BooleanField(
        label=_("Exclusive: the posts of its members leave the home timeline"), required=False
    )


class MuteForm(forms.Form):
    DURATIONS = [
        ("", _("Forever")),
        (3600, _("1 hour")),
        (24 * 3600, _("1 day")),
        (7 * 24 * 3600, _("7 days")),
    ]
    notifications = forms.BooleanField(
        label=_("Hide their notifications too"), required=False, initial=True
    )
    duration = forms.TypedChoiceField(
        label=_("Duration"), choices=DURATIONS, coerce=int, required=False, empty_value=None
    )


class ReportForm(forms.Form):
    category = forms.ChoiceField(label=_("Reason"), choices=ReportCategory.choices)
    comment = forms.CharField(
        label=_("Comment for the moderators"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, statuses: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["statuses"] = forms.MultipleChoiceField(
            label=_("Posts to attach"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            choices=[(s.pk, plain_text(s.content)[:80] or str(s.pk)) for s in statuses or []],
        )


class AccountChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"@{obj.acct}"


class AuditLogFilterForm(forms.Form):
    """Filters of the audit log page; both optional."""

    actor = AccountChoiceField(
        label=_("Moderator or administrator"),
        queryset=Account.objects.none(),
        required=False,
        empty_label=_("Any moderator or administrator"),
    )
    kind = forms.ChoiceField(label=_("Action"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actor = self.fields["actor"]
        assert isinstance(actor, forms.ModelChoiceField)
        actor.queryset = moderation_queries.audit_log_actors()
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [("", _("All actions")), *ActionKind.choices]


class ModerationNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note for the audit log"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InviteForm(forms.Form):
    max_uses = forms.IntegerField(
        label=_("Maximum number of uses (empty: no limit)"),
        required=False,
        min_value=1,
        max_value=1000,
    )
    expires_in_days = forms.IntegerField(
        label=_("Valid for (days, empty: no expiry)"), required=False, min_value=1, max_value=365
    )
