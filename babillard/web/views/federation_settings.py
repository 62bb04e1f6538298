"""Settings that concern other servers: the servers a person hides, the aliases an
account declares before moving here, and the moderators' server blocks."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from babillard.federation import services as federation_services
from babillard.moderation import queries as moderation_queries
from babillard.moderation import services as moderation
from babillard.moderation.models import DomainBlock, DomainSeverity
from babillard.web.views.common import add_errors, current_account, member_page, moderator_page


class DomainForm(forms.Form):
    domain = forms.CharField(
        label=gettext_lazy("Server"),
        max_length=255,
        help_text=gettext_lazy("Its domain, such as example.org."),
    )


class AliasForm(forms.Form):
    handle = forms.CharField(
        label=gettext_lazy("Your other account"),
        max_length=500,
        help_text=gettext_lazy("Its address, such as name@example.org."),
    )


class ServerBlockForm(DomainForm):
    severity = forms.ChoiceField(
        label=gettext_lazy("Severity"),
        choices=DomainSeverity.choices,
        initial=DomainSeverity.SUSPEND,
        help_text=gettext_lazy(
            "Limit hides its accounts from public timelines; suspend refuses everything from it."
        ),
    )
    reject_media = forms.BooleanField(
        label=gettext_lazy("Refuse its media (images are shown as links)"), required=False
    )
    public_comment = forms.CharField(label=gettext_lazy("Reason"), max_length=1000, required=False)


def _form_page(
    request: HttpRequest, template: str, form: forms.Form, context: dict[str, object]
) -> HttpResponse:
    return render(request, template, {"form": form, **context}, status=400 if form.errors else 200)


@member_page
def domain_blocks(request: HttpRequest) -> HttpResponse:
    viewer = current_account(request)
    form = DomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            hidden = moderation.hide_domain(viewer, form.cleaned_data["domain"])
        except ValidationError as error:
            add_errors(form, error, {"domain": "domain"})
        else:
            messages.success(request, _("%(domain)s is hidden.") % {"domain": hidden.domain})
            return redirect("web:settings_domain_blocks")
    items = moderation_queries.domains_blocked_by(viewer).order_by("domain")
    return _form_page(request, "web/settings/domain_blocks.html", form, {"items": items})


@require_POST
@member_page
def unhide_domain(request: HttpRequest) -> HttpResponse:
    moderation.unhide_domain(current_account(request), request.POST.get("domain", ""))
    messages.success(request, _("The server is no longer hidden."))
    return redirect("web:settings_domain_blocks")


@member_page
def aliases(request: HttpRequest) -> HttpResponse:
    viewer = current_account(request)
    form = AliasForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alias = federation_services.add_alias(viewer, form.cleaned_data["handle"])
        except ValidationError as error:
            add_errors(form, error, {"not_found": "handle", "self": "handle"})
        else:
            messages.success(request, _("%(acct)s is now an alias.") % {"acct": alias.acct})
            return redirect("web:settings_aliases")
    return _form_page(request, "web/settings/aliases.html", form, {"items": viewer.aliases.all()})


@require_POST
@member_page
def remove_alias(request: HttpRequest, alias_id: int) -> HttpResponse:
    federation_services.remove_alias(current_account(request), alias_id)
    messages.success(request, _("The alias is removed."))
    return redirect("web:settings_aliases")


@moderator_page
def server_blocks(request: HttpRequest) -> HttpResponse:
    moderator = current_account(request)
    form = ServerBlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            blocked = moderation.block_domain(
                moderator,
                form.cleaned_data["domain"],
                severity=form.cleaned_data["severity"],
                reject_media=form.cleaned_data["reject_media"],
                public_comment=form.cleaned_data["public_comment"],
            )
        except ValidationError as error:
            add_errors(form, error, {"domain": "domain", "severity": "severity"})
        else:
            messages.success(request, _("%(domain)s is blocked.") % {"domain": blocked.domain})
            return redirect("web:moderation_domain_blocks")
    items = DomainBlock.objects.order_by("domain")
    return _form_page(request, "web/moderation/domain_blocks.html", form, {"items": items})


@require_POST
@moderator_page
def lift_server_block(request: HttpRequest) -> HttpResponse:
    moderation.unblock_domain(current_account(request), request.POST.get("domain", ""))
    messages.success(request, _("The server block is lifted."))
    return redirect("web:moderation_domain_blocks")
