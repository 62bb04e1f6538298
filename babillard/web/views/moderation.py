"""Moderators' pages: pending sign-ups, reports, accounts and the audit log."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from babillard.accounts.models import Account, AddressUse, User
from babillard.moderation import queries as moderation_queries
from babillard.moderation import services as moderation
from babillard.moderation.models import ModerationAction, Report
from babillard.web.forms import AuditLogFilterForm, ModerationNoteForm
from babillard.web.views.common import back, current_account, moderator_page


def _note(request: HttpRequest) -> str:
    form = ModerationNoteForm(request.POST)
    return str(form.cleaned_data["text"]) if form.is_valid() else ""


@moderator_page
def sign_ups(request: HttpRequest) -> HttpResponse:
    pending = User.objects.filter(approved=False).select_related("account_record")
    return render(request, "web/moderation/sign_ups.html", {"pending": pending.order_by("pk")})


@require_POST
@moderator_page
def answer_sign_up(request: HttpRequest, user_id: int, verb: str) -> HttpResponse:
    moderator = current_account(request)
    user = User.objects.filter(pk=user_id, approved=False).first()
    if user is None:
        raise Http404
    if verb == "approve":
        moderation.approve_sign_up(moderator, user)
        messages.success(request, _("The sign-up is approved."))
    elif verb == "reject":
        moderation.reject_sign_up(moderator, user)
        messages.success(request, _("The sign-up is rejected."))
    else:
        raise Http404
    return redirect("web:moderation_sign_ups")


@moderator_page
def reports(request: HttpRequest) -> HttpResponse:
    resolved = request.GET.get("resolved") == "1"
    found = Report.objects.filter(resolved_at__isnull=not resolved).select_related(
        "reporter", "target"
    )
    page = Paginator(found.order_by("-created_at"), 40).get_page(request.GET.get("page"))
    return render(
        request, "web/moderation/reports.html", {"reports_page": page, "resolved": resolved}
    )


def _report(report_id: int) -> Report:
    found = (
        Report.objects.select_related("reporter", "target", "resolved_by")
        .filter(pk=report_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


@moderator_page
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report(report_id)
    statuses = report.statuses.select_related("account").prefetch_related("media")
    actions = ModerationAction.objects.filter(report=report).select_related("moderator")
    return render(
        request,
        "web/moderation/report.html",
        {
            "report": report,
            "statuses": statuses,
            "actions": actions,
            "note_form": ModerationNoteForm(),
        },
    )


@require_POST
@moderator_page
def report_action(request: HttpRequest, report_id: int, verb: str) -> HttpResponse:
    moderator = current_account(request)
    report = _report(report_id)
    text = _note(request)
    if verb == "suspend":
        moderation.suspend(moderator, report.target, report=report, text=text)
        messages.success(request, _("The account is suspended."))
    elif verb == "silence":
        moderation.silence(moderator, report.target, report=report, text=text)
        messages.success(request, _("The account is limited."))
    elif verb == "delete_status":
        status_id = request.POST.get("status", "")
        status = report.statuses.filter(pk=status_id).first() if status_id.isdigit() else None
        if status is None:
            raise Http404
        moderation.remove_status(moderator, status, report=report, text=text)
        messages.success(request, _("The post is deleted."))
    elif verb == "resolve":
        moderation.resolve(moderator, report, text=text)
        messages.success(request, _("The report is resolved."))
    else:
        raise Http404
    return redirect("web:moderation_report", report_id=report.pk)


@moderator_page
def accounts(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip().lstrip("@")[:200]
    found = Account.objects.all()
    if query:
        found = found.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    else:
        found = found.filter(Q(suspended_at__isnull=False) | Q(silenced_at__isnull=False))
    found = found.select_related("user").prefetch_related(
        Prefetch("user__address_uses", AddressUse.objects.order_by("-last_used_at"))
    )
    page = Paginator(found.order_by("username", "domain"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "web/moderation/accounts.html",
        {"accounts_page": page, "query": query, "ip_retention_days": settings.IP_RETENTION_DAYS},
    )


ACCOUNT_ACTIONS = {
    "suspend": (moderation.suspend, gettext_lazy("The account is suspended.")),
    "unsuspend": (moderation.unsuspend, gettext_lazy("The account is no longer suspended.")),
    "silence": (moderation.silence, gettext_lazy("The account is limited.")),
    "unsilence": (moderation.unsilence, gettext_lazy("The account is no longer limited.")),
}


@require_POST
@moderator_page
def account_action(request: HttpRequest, account_id: int, verb: str) -> HttpResponse:
    moderator = current_account(request)
    target = Account.objects.filter(pk=account_id).first()
    if target is None or verb not in ACCOUNT_ACTIONS:
        raise Http404
    action, done = ACCOUNT_ACTIONS[verb]
    action(moderator, target, text=_note(request))
    messages.success(request, str(done))
    return back(request, reverse("web:moderation_accounts"))


@moderator_page
def audit_log(request: HttpRequest) -> HttpResponse:
    """Every action of the moderators and administrators, filtered by who or what."""
    form = AuditLogFilterForm(request.GET)
    if not form.is_valid():
        found = moderation_queries.audit_log().none()
    else:
        actor = form.cleaned_data["actor"]
        found = moderation_queries.audit_log(
            actor.pk if actor else None, form.cleaned_data["kind"] or ""
        )
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "web/moderation/log.html",
        {"actions_page": page, "form": form},
        status=200 if form.is_valid() else 400,
    )
