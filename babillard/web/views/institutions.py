"""Institution pages: the profile and its verification, staff, the audit log, the
editorial calendar with post templates, the staff-only timeline, and what the composer
needs to post as the institution or for its staff only."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from babillard.accounts.models import Account, AccountKind, Visibility
from babillard.accounts.queries import get_account
from babillard.core.errors import NotFound
from babillard.institutions import queries, services
from babillard.institutions.models import (
    ActingGrant,
    Institution,
    InstitutionType,
    PostTemplate,
    Role,
)
from babillard.statuses.models import Status
from babillard.statuses.queries import get_visible_status
from babillard.web.forms import ComposeForm
from babillard.web.views.common import (
    add_errors,
    back,
    current_account,
    current_user,
    member_page,
    moderator_page,
    page_args,
    timeline_context,
)

# --- forms ---------------------------------------------------------------------------------


class InstitutionForm(forms.Form):
    official_name = forms.CharField(label=gettext_lazy("Official name"), max_length=200)
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=InstitutionType.choices)
    isil = forms.CharField(
        label=gettext_lazy("ISIL"),
        required=False,
        max_length=16,
        help_text=gettext_lazy("ISO 15511 identifier, e.g. FR-751131015."),
    )
    website = forms.URLField(
        label=gettext_lazy("Website"), required=False, max_length=500, assume_scheme="https"
    )
    catalogue_url_template = forms.CharField(
        label=gettext_lazy("Catalogue search address"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "An address containing {isbn} and/or {query}, e.g. "
            "https://catalogue.example.org/search?q={query}"
        ),
    )
    network = forms.ChoiceField(label=gettext_lazy("Network"), required=False)

    def __init__(self, *args: Any, institution: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("None"))] + [
            (str(found.account_id), found.name)
            for found in queries.networks()
            if found.account_id != institution.pk
        ]
        self.fields["network"].choices = choices  # type: ignore[attr-defined]


PROFILE_ERROR_FIELDS = {
    "name": "official_name",
    "type": "type",
    "isil": "isil",
    "website": "website",
    "catalogue": "catalogue_url_template",
    "network": "network",
}


class MemberForm(forms.Form):
    username = forms.CharField(
        label=gettext_lazy("Username of the person"),
        max_length=30,
        help_text=gettext_lazy("A person with an account on this instance."),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial=Role.STAFF)


class TemplateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the template"), max_length=100)
    text = forms.CharField(
        label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


# --- shared --------------------------------------------------------------------------------


def institution_for(request: HttpRequest, account_id: int, role: str) -> Account:
    """The institution, when the viewer holds ``role`` there (403 otherwise)."""
    institution = queries.get_institution_account(account_id)
    queries.require_role(current_account(request), institution, role)
    return institution


def institution_context(request: HttpRequest, institution: Account, tab: str) -> dict[str, Any]:
    viewer = current_account(request)
    return {
        "institution": institution,
        "profile": queries.profile(institution),
        "tab": tab,
        "is_manager": queries.has_role(viewer, institution, Role.MANAGER),
        "is_editor": queries.has_role(viewer, institution, Role.EDITOR),
    }


# --- pages ---------------------------------------------------------------------------------


@member_page
def mine(request: HttpRequest) -> HttpResponse:
    """The institutions the viewer belongs to, with their role."""
    viewer = current_account(request)
    found: list[tuple[Account, str]] = (
        [(viewer, Role.MANAGER)] if viewer.kind == AccountKind.INSTITUTION else []
    )
    found += [
        (membership.institution, membership.role)
        for membership in viewer.memberships.select_related("institution").order_by(
            "institution__username"
        )
    ]
    items = [
        {"account": account, "profile": queries.profile(account), "role": Role(role)}
        for account, role in found
    ]
    return render(request, "institutions/mine.html", {"items": items})


@member_page
def manage(request: HttpRequest, account_id: int) -> HttpResponse:
    institution = institution_for(request, account_id, Role.MANAGER)
    found = queries.profile(institution)
    form = InstitutionForm(
        request.POST or None,
        institution=institution,
        initial={
            "official_name": found.name,
            "type": found.type,
            "isil": found.isil,
            "website": found.website,
            "catalogue_url_template": found.catalogue_url_template,
            "network": str(found.network_id or ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.update_institution(
                    current_account(request),
                    institution,
                    official_name=data["official_name"],
                    type=data["type"],
                    isil=data["isil"],
                    website=data["website"],
                    catalogue_url_template=data["catalogue_url_template"],
                )
                network = (
                    queries.get_institution_account(data["network"]) if data["network"] else None
                )
                services.set_network(current_account(request), institution, network)
        except ValidationError as error:
            add_errors(form, error, PROFILE_ERROR_FIELDS)
        except NotFound:
            form.add_error("network", _("Unknown network."))
        else:
            messages.success(request, _("The institution's profile is saved."))
            return redirect("web:institution", institution.pk)
    context = institution_context(request, institution, "profile")
    context["form"] = form
    return render(request, "institutions/manage.html", context, status=400 if form.errors else 200)


@member_page
def staff(request: HttpRequest, account_id: int) -> HttpResponse:
    institution = institution_for(request, account_id, Role.MANAGER)
    viewer = current_account(request)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = get_account(form.cleaned_data["username"].lstrip("@"), "")
            services.add_member(viewer, institution, member, form.cleaned_data["role"])
        except NotFound:
            form.add_error("username", _("No account of this instance has this username."))
        except ValidationError as error:
            add_errors(form, error, {"member": "username", "role": "role"})
        else:
            messages.success(
                request, _("%(name)s is on the staff.") % {"name": f"@{member.username}"}
            )
            return redirect("web:institution_staff", institution.pk)
    context = institution_context(request, institution, "staff")
    context.update(form=form, members=queries.staff(viewer, institution))
    return render(request, "institutions/staff.html", context, status=400 if form.errors else 200)


@require_POST
@member_page
def remove_member(request: HttpRequest, account_id: int, member_id: int) -> HttpResponse:
    institution = institution_for(request, account_id, Role.MANAGER)
    try:
        member = Account.objects.get(pk=member_id)
    except Account.DoesNotExist:
        raise Http404 from None
    services.remove_member(current_account(request), institution, member)
    messages.success(request, _("%(name)s is no longer on the staff.") % {"name": member.name})
    return redirect("web:institution_staff", institution.pk)


@member_page
def audit(request: HttpRequest, account_id: int) -> HttpResponse:
    institution = institution_for(request, account_id, Role.MANAGER)
    page = queries.audit_log(current_account(request), institution, **page_args(request))
    context = institution_context(request, institution, "audit")
    context["page"] = page
    context["grants"] = (
        ActingGrant.objects.filter(institution=institution, revoked_at__isnull=True)
        .select_related("editor")
        .order_by("-created_at")
    )
    return render(request, "institutions/audit.html", context)


@require_POST
@member_page
def revoke_grant(request: HttpRequest, account_id: int, grant_id: int) -> HttpResponse:
    """A manager revokes a token that acts as the institution (recorded in the log)."""
    institution = institution_for(request, account_id, Role.MANAGER)
    services.revoke_acting_grant(current_account(request), institution, grant_id)
    messages.success(request, _("The token no longer acts as the institution."))
    return redirect("web:institution_audit", institution.pk)


@member_page
def timeline(request: HttpRequest, account_id: int) -> HttpResponse:
    """The staff-only timeline: to anyone outside the staff it does not exist."""
    viewer = current_account(request)
    try:
        institution = queries.get_institution_account(account_id)
    except NotFound:
        raise Http404 from None
    page = queries.internal_timeline(viewer, institution, **page_args(request))
    form = ComposeForm(user=current_user(request))
    add_compose_fields(form, viewer)
    form.fields["visibility"].initial = Visibility.INTERNAL
    if "internal_to" in form.fields:
        form.fields["internal_to"].initial = str(institution.pk)
    context = institution_context(request, institution, "timeline")
    context.update(timeline_context(viewer, page))
    context["compose_form"] = form
    return render(request, "institutions/timeline.html", context)


def _week_start(value: str | None) -> date:
    today = timezone.localdate()
    try:
        return date.fromisoformat(value) if value else today
    except ValueError:
        return today


@member_page
def calendar(request: HttpRequest, account_id: int) -> HttpResponse:
    institution = institution_for(request, account_id, Role.EDITOR)
    viewer = current_account(request)
    start = _week_start(request.GET.get("start"))
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_template(
                viewer, institution, form.cleaned_data["name"], form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_errors(form, error, {"template": "name"})
        else:
            messages.success(request, _("The template is saved."))
            return redirect("web:institution_calendar", institution.pk)
    context = institution_context(request, institution, "calendar")
    context.update(
        form=form,
        days=sorted(queries.editorial_calendar(viewer, institution, start).items()),
        templates=queries.templates(viewer, institution).order_by("name"),
        previous_week=(start - timedelta(days=7)).isoformat(),
        next_week=(start + timedelta(days=7)).isoformat(),
    )
    return render(
        request, "institutions/calendar.html", context, status=400 if form.errors else 200
    )


@require_POST
@member_page
def delete_template(request: HttpRequest, account_id: int, template_id: int) -> HttpResponse:
    institution = institution_for(request, account_id, Role.EDITOR)
    services.delete_template(current_account(request), institution, template_id)
    messages.success(request, _("The template is deleted."))
    return redirect("web:institution_calendar", institution.pk)


@require_POST
@member_page
def reblog_as(request: HttpRequest, status_id: int, account_id: int) -> HttpResponse:
    """An editor boosts a post as the institution (recorded in the audit log)."""
    viewer = current_account(request)
    institution = institution_for(request, account_id, Role.EDITOR)
    status = get_visible_status(institution, status_id)
    try:
        services.reblog_as_institution(viewer, institution, status)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(
            request, _("Boosted as %(name)s.") % {"name": queries.profile(institution).name}
        )
    return back(request, reverse("web:status", args=[status.account.acct, status.pk]))


# --- moderators ----------------------------------------------------------------------------


@moderator_page
def moderation(request: HttpRequest) -> HttpResponse:
    """Institutions with an ISIL, unverified first, for moderators to check."""
    found = (
        Institution.objects.exclude(isil="")
        .select_related("account")
        .order_by("-isil_verified_at", "official_name")
    )
    unverified_first = sorted(found, key=lambda item: item.verified)
    page = Paginator(unverified_first, 50).get_page(request.GET.get("page"))
    return render(request, "institutions/moderation.html", {"institutions_page": page})


@require_POST
@moderator_page
def moderation_action(request: HttpRequest, account_id: int, verb: str) -> HttpResponse:
    actions = {"verify": services.verify_institution, "unverify": services.unverify_institution}
    if verb not in actions:
        raise Http404
    institution = queries.get_institution_account(account_id)
    try:
        actions[verb](current_account(request), institution)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("The institution's verification is updated."))
    return back(request, reverse("web:moderation_institutions"))


# --- the composer --------------------------------------------------------------------------


def _memberships(viewer: Account) -> list[tuple[Account, str]]:
    """The institutions the viewer belongs to with their role, in one query; an
    institution account belongs to itself as its manager."""
    if viewer.kind == AccountKind.INSTITUTION:
        return [(viewer, Role.MANAGER)]
    found = viewer.memberships.select_related("institution__institution").order_by(
        "institution__username"
    )
    return [(membership.institution, membership.role) for membership in found]


def _label(institution: Account) -> str:
    try:
        return institution.institution.name
    except Institution.DoesNotExist:
        return institution.name


def add_compose_fields(form: ComposeForm, viewer: Account) -> None:
    """Offer "post as" the institutions the viewer edits for, and "staff only" to members."""
    memberships = _memberships(viewer)
    editable = [i for i, role in memberships if role != Role.STAFF and i.pk != viewer.pk]
    if editable:
        form.fields["identity"] = forms.ChoiceField(
            label=_("Post as"),
            required=False,
            choices=[("", _("Myself (@%(name)s)") % {"name": viewer.username})]
            + [(str(i.pk), f"{_label(i)} (@{i.username})") for i in editable],
        )
    field = form.fields["visibility"]
    values = [value for value, _name in field.choices]  # type: ignore[attr-defined]
    if not memberships:
        return
    if Visibility.INTERNAL not in values:
        field.choices = [*field.choices, (Visibility.INTERNAL, Visibility.INTERNAL.label)]  # type: ignore[attr-defined]
    # A reply to a staff-only post (its only choice) stays with that post's institution.
    if len(memberships) > 1 and values != [Visibility.INTERNAL]:
        form.fields["internal_to"] = forms.ChoiceField(
            label=_("Staff only: which institution"),
            required=False,
            choices=[("", "—")] + [(str(i.pk), _label(i)) for i, _role in memberships],
        )


def compose_initial(request: HttpRequest, viewer: Account) -> dict[str, Any]:
    """The composer filled from a post template (``?template=<id>``) and the identity
    (``?as=<institution id>``), when the viewer may use them."""
    initial: dict[str, Any] = {}
    identity = request.GET.get("as", "")
    if identity.isdigit():
        initial["identity"] = identity
    template_id = request.GET.get("template", "")
    if template_id.isdigit():
        template = PostTemplate.objects.filter(pk=int(template_id)).first()
        if template is not None and queries.has_role(viewer, template.institution, Role.EDITOR):
            initial["text"] = template.text
            initial["identity"] = initial.get("identity") or str(template.institution_id)
    return initial


def acting_institution(form: ComposeForm) -> Account | None:
    """The institution chosen in "post as", if any (its role is checked by the service)."""
    chosen = form.cleaned_data.get("identity")
    return queries.get_institution_account(chosen) if chosen else None


def internal_institution(
    form: ComposeForm, author: Account, parent: Status | None
) -> Account | None:
    """For a staff-only post, the institution whose staff reads it; ``None`` otherwise.

    Posting as an institution means its staff; a reply to a staff-only post keeps its
    institution (the service sees to it).
    """
    if form.cleaned_data.get("visibility") != Visibility.INTERNAL:
        return None
    if parent is not None and parent.visibility == Visibility.INTERNAL:
        return None
    acting_as = acting_institution(form)
    if acting_as is not None:
        return acting_as
    return services.resolve_institution(author, form.cleaned_data.get("internal_to") or None)


def publish(author: Account, institution: Account | None, text: str, **options: Any) -> Any:
    """Post as oneself, or as the institution with an audit row naming the author."""
    from babillard.statuses.services import post_status

    if institution is None:
        return post_status(author, text, **options)
    return services.post_as_institution(author, institution, text, **options)


def reblog_targets(viewer: Account | None, status: Status) -> list[Account]:
    """The institutions the viewer may boost this post as (public posts only)."""
    if viewer is None or status.visibility not in (Visibility.PUBLIC, Visibility.UNLISTED):
        return []
    return [
        i
        for i, role in _memberships(viewer)
        if role != Role.STAFF and i.pk not in (viewer.pk, status.account_id)
    ]
