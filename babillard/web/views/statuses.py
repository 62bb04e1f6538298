"""One post: compose, reply, thread, edit and history, and the buttons under each post."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.forms import HiddenInput
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from babillard.accounts.models import Account, Visibility
from babillard.core.errors import Forbidden, NotFound
from babillard.statuses import services
from babillard.statuses.models import Poll, QuotePolicy, ScheduledStatus, Status
from babillard.statuses.queries import get_visible_status, quotes_for_review
from babillard.statuses.queries import thread as thread_of
from babillard.timelines.queries import apply_filters
from babillard.web.forms import ComposeForm, EditForm
from babillard.web.views import institutions
from babillard.web.views.books import attach_book_fields
from babillard.web.views.common import (
    add_errors,
    back,
    current_account,
    current_user,
    is_htmx,
    member_page,
    public_page,
    status_context,
    viewer_of,
)

COMPOSE_ERROR_FIELDS = {
    "empty": "text",
    "too_long": "text",
    "visibility": "visibility",
    "poll": "poll_1",
    "schedule": "scheduled_at",
    "reply": "text",
    "media": "image_1",
    "type": "image_1",
    "institution_id": "visibility",
    "quote_policy": "quote_policy",
}
# Followers-only and direct replies stay as private as the post they answer.
PRIVACY_ORDER: list[str] = list(Visibility.values)


def status_path(status: Status) -> str:
    return reverse("web:status", args=[status.account.acct, status.pk])


def reply_form(request: HttpRequest, parent: Status) -> ComposeForm:
    viewer = current_account(request)
    mentions = [parent.account, *(m.account for m in parent.mentions.all())]
    handles = dict.fromkeys(f"@{a.acct}" for a in mentions if a.pk != viewer.pk)
    form = ComposeForm(
        user=current_user(request),
        initial={"in_reply_to": parent.pk, "text": " ".join(handles) + (" " if handles else "")},
    )
    form.fields["text"].label = _("Your reply")
    institutions.add_compose_fields(form, viewer)
    if parent.visibility == Visibility.INTERNAL:
        # A reply to a staff-only post stays staff-only (the service enforces it).
        field = form.fields["visibility"]
        field.choices = [(Visibility.INTERNAL, Visibility.INTERNAL.label)]  # type: ignore[attr-defined]
        field.initial = Visibility.INTERNAL
        # Staff-only posts are quotable by their author only: nothing to choose.
        form.fields["quote_policy"].widget = HiddenInput()
        form.fields["quote_policy"].initial = QuotePolicy.NOBODY
        return form
    default = form.fields["visibility"].initial or Visibility.PUBLIC
    if PRIVACY_ORDER.index(parent.visibility) > PRIVACY_ORDER.index(default):
        form.fields["visibility"].initial = parent.visibility
    return form


@attach_book_fields
def _publish(request: HttpRequest, form: ComposeForm, author: Account) -> Any:
    """Upload the images and publish in one transaction: nothing is half-written."""
    data = form.cleaned_data
    acting_as = institutions.acting_institution(form)
    owner = acting_as or author
    parent = quoted = None
    if data.get("in_reply_to"):
        try:
            parent = get_visible_status(author, data["in_reply_to"])
        except NotFound:
            form.add_error(None, _("The post you reply to does not exist or is hidden from you."))
            return None
    if data.get("quoted_status"):
        try:
            quoted = get_visible_status(author, data["quoted_status"])
        except NotFound:
            form.add_error(None, _("The post you quote does not exist or is hidden from you."))
            return None
    try:
        with transaction.atomic():
            media_ids = []
            for number, (upload, alt) in enumerate(form.images(), start=1):
                try:
                    media_ids.append(services.upload_media(owner, upload, alt).pk)
                except ValidationError as error:
                    add_errors(form, error, {error.code or "": f"image_{number}"})
                    raise
            options = form.poll_options()
            poll = None
            if options:
                poll = services.PollSpec(
                    options=options,
                    expires_in=data["poll_duration"],
                    multiple=bool(data.get("poll_multiple")),
                )
            return institutions.publish(
                author,
                acting_as,
                data.get("text") or "",
                visibility=data["visibility"],
                spoiler_text=data.get("spoiler_text") or "",
                sensitive=True if data.get("sensitive") else None,
                language=data["language"],
                in_reply_to=parent,
                media_ids=media_ids,
                poll=poll,
                local_only=bool(data.get("local_only")),
                scheduled_at=data.get("scheduled_at"),
                internal_to=institutions.internal_institution(form, author, parent),
                quoted_status=quoted,
                quote_policy=data.get("quote_policy") or None,
                reply_policy=data.get("reply_policy") or None,
            )
    except ValidationError as error:
        if not form.errors:
            add_errors(form, error, COMPOSE_ERROR_FIELDS)
        return None


@member_page
def compose(request: HttpRequest) -> HttpResponse:
    author = current_account(request)
    if request.method != "POST":
        initial = institutions.compose_initial(request, author)
        quoted = _quoted(author, request.GET.get("quote"))
        if quoted is not None:
            initial["quoted_status"] = quoted.pk
        form = ComposeForm(user=current_user(request), initial=initial)
        institutions.add_compose_fields(form, author)
        return render(
            request, "web/compose.html", {"compose_form": form, **_quoted_context(author, quoted)}
        )
    form = ComposeForm(request.POST, request.FILES, user=current_user(request))
    institutions.add_compose_fields(form, author)
    created = _publish(request, form, author) if form.is_valid() else None
    if created is None:
        quoted = _quoted(author, request.POST.get("quoted_status"))
        if is_htmx(request):
            response = render(
                request,
                "web/_compose.html",
                {
                    "compose_form": form,
                    "htmx_target": "#timeline-items",
                    "next": request.POST.get("next", ""),
                    **_quoted_context(author, quoted),
                },
            )
            response.headers["HX-Retarget"] = "#compose"
            response.headers["HX-Reswap"] = "outerHTML"
            return response
        return render(
            request,
            "web/compose.html",
            {
                "compose_form": form,
                "next": request.POST.get("next", ""),
                **_quoted_context(author, quoted),
            },
            status=400,
        )
    if isinstance(created, ScheduledStatus):
        messages.success(request, _("Your post is scheduled."))
        if is_htmx(request):
            response = HttpResponse(status=204)
            response.headers["HX-Redirect"] = reverse("web:scheduled")
            return response
        return redirect("web:scheduled")
    if is_htmx(request):
        fresh = get_visible_status(author, created.pk)
        return render(
            request,
            "web/_status.html",
            {"status": fresh, "flags": status_context(author, [fresh])},
        )
    messages.success(request, _("Your post is published."))
    return back(request, status_path(created))


def _quoted(author: Account, value: str | None) -> Status | None:
    """The post being quoted from the composer's ``quote`` parameter, if the author sees it."""
    if not value:
        return None
    try:
        return get_visible_status(author, value)
    except NotFound:
        return None


def _quoted_context(author: Account, quoted: Status | None) -> dict[str, Any]:
    if quoted is None:
        return {}
    return {"quoted_shown": {"state": "accepted", "quoted": quoted}}


def _shown_status(request: HttpRequest, username: str, status_id: int) -> Status:
    status = get_visible_status(viewer_of(request), status_id)
    if status.account.acct.lower() != username.lower():
        raise Http404
    return status


@public_page
def status_page(request: HttpRequest, username: str, status_id: int) -> HttpResponse:
    status = _shown_status(request, username, status_id)
    if status.reblog is not None:
        return redirect(status_path(status.reblog))
    viewer = viewer_of(request)
    ancestors, descendants = thread_of(viewer, status)
    # The reader's "thread" filters apply around the post they opened, never to it.
    ancestors, warned_before = apply_filters(viewer, list(ancestors), "thread")
    descendants, warned_after = apply_filters(viewer, list(descendants), "thread")
    flags = status_context(viewer, [status, *ancestors, *descendants])
    flags["filtered"] = {**warned_before, **warned_after}
    context = {
        "status": status,
        "ancestors": ancestors,
        "descendants": descendants,
        "flags": flags,
        "reblog_as": institutions.reblog_targets(viewer, status),
    }
    if viewer is not None:
        context["compose_form"] = reply_form(request, status)
    return render(request, "web/thread.html", context)


@member_page
def edit(request: HttpRequest, username: str, status_id: int) -> HttpResponse:
    author = current_account(request)
    status = _shown_status(request, username, status_id)
    if status.account_id != author.pk or status.reblog_id:
        raise Http404
    media = list(status.media.all())
    if request.method == "POST":
        form = EditForm(request.POST, media=media)
        if form.is_valid():
            try:
                services.edit_status(
                    author,
                    status,
                    form.cleaned_data["text"],
                    spoiler_text=form.cleaned_data["spoiler_text"],
                    media_descriptions=form.descriptions(),
                )
            except ValidationError as error:
                add_errors(form, error, {"empty": "text", "too_long": "text"})
            else:
                messages.success(request, _("Your post is edited."))
                return redirect(status_path(status))
    else:
        form = EditForm(
            media=media, initial={"text": status.text, "spoiler_text": status.spoiler_text}
        )
    return render(
        request,
        "web/edit.html",
        {"form": form, "status": status},
        status=400 if form.errors else 200,
    )


@public_page
def history(request: HttpRequest, username: str, status_id: int) -> HttpResponse:
    status = _shown_status(request, username, status_id)
    versions = list(status.edits.order_by("-created_at", "-id"))
    return render(request, "web/history.html", {"status": status, "versions": versions})


ACTIONS = {
    "favourite": services.favourite,
    "unfavourite": services.unfavourite,
    "reblog": services.reblog,
    "unreblog": services.unreblog,
    "bookmark": services.bookmark,
    "unbookmark": services.unbookmark,
    "pin": services.pin,
    "unpin": services.unpin,
}


@require_POST
@member_page
def action(request: HttpRequest, status_id: int, verb: str) -> HttpResponse:
    """A button under a post; htmx swaps the post in place, otherwise back to the page."""
    viewer = current_account(request)
    if verb not in ACTIONS:
        raise Http404
    status = get_visible_status(viewer, status_id)
    refused: list[str] = []
    try:
        ACTIONS[verb](viewer, status)
    except ValidationError as error:
        refused = list(error.messages)
    if is_htmx(request):
        # The post is swapped in place, with the reason when the action was refused.
        try:
            fresh = get_visible_status(viewer, status_id)
        except NotFound:  # the viewer's own boost, just undone: show the original
            fresh = get_visible_status(viewer, (status.reblog or status).pk)
        context = {"status": fresh, "flags": status_context(viewer, [fresh]), "refused": refused}
        return render(request, "web/_status.html", context)
    for text in refused:
        messages.error(request, text)
    return back(request, status_path(status))


@require_POST
@member_page
def delete(request: HttpRequest, status_id: int) -> HttpResponse:
    viewer = current_account(request)
    status = get_visible_status(viewer, status_id)
    services.delete_own_status(viewer, status)
    if is_htmx(request):
        return HttpResponse("")
    messages.success(request, _("Your post is deleted."))
    return back(request, reverse("web:home"))


@require_POST
@member_page
def vote(request: HttpRequest, status_id: int) -> HttpResponse:
    viewer = current_account(request)
    status = get_visible_status(viewer, status_id)
    original = status.reblog or status
    try:
        poll = Poll.objects.select_related("status").get(status=original)
    except Poll.DoesNotExist:
        raise Http404 from None
    try:
        choices = [int(c) for c in request.POST.getlist("choice")]
        services.vote(viewer, poll, choices)
    except ValueError:
        messages.error(request, _("Choose one of the poll's choices."))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Your vote is counted."))
    return back(request, status_path(original))


@member_page
def scheduled(request: HttpRequest) -> HttpResponse:
    viewer = current_account(request)
    items = ScheduledStatus.objects.filter(account=viewer).order_by("scheduled_at")
    return render(request, "web/scheduled.html", {"items": items})


@require_POST
@member_page
def cancel_scheduled(request: HttpRequest, scheduled_id: int) -> HttpResponse:
    services.cancel_scheduled(current_account(request), scheduled_id)
    messages.success(request, _("The scheduled post is cancelled."))
    return redirect("web:scheduled")


@member_page
def my_quotes(request: HttpRequest) -> HttpResponse:
    """The quotes of the viewer's posts, to revoke them."""
    viewer = current_account(request)
    page = Paginator(quotes_for_review(viewer), 20).get_page(request.GET.get("page"))
    quotes = list(page.object_list)
    context = {
        "quotes": quotes,
        "page_obj": page,
        "flags": status_context(viewer, [q.status for q in quotes]),
    }
    return render(request, "web/quotes.html", context)


@require_POST
@member_page
def revoke_quote(request: HttpRequest, status_id: int, quoting_id: int) -> HttpResponse:
    viewer = current_account(request)
    quoted = get_visible_status(viewer, status_id)
    quoting = Status.objects.filter(pk=quoting_id).first()
    if quoting is None:
        raise Http404
    try:
        services.revoke_quote(viewer, quoted, quoting)
    except (NotFound, Forbidden):
        raise Http404 from None
    messages.success(request, _("The quote is revoked."))
    return back(request, reverse("web:my_quotes"))
