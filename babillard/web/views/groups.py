"""Group pages: the directory (and the form creating a group), a group's page with its
timeline, rules and posting form, its members, and its moderation page. ActivityPub
clients get the moderators collection at ``/groups/<name>/moderators``."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from babillard.accounts.queries import get_account, get_account_by_id
from babillard.core.pagination import paginate
from babillard.federation.views import activity_response, wants_activity
from babillard.groups import queries, services
from babillard.groups.forms import MESSAGES, GroupForm, PostForm, SettingsForm
from babillard.groups.models import Group
from babillard.statuses.models import Status
from babillard.watch.services import add_column
from babillard.web.views.common import (
    add_errors,
    current_account,
    member_page,
    page_args,
    public_page,
    status_context,
    timeline_context,
    viewer_of,
)


@public_page
def directory(request: HttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST":
        me = current_account(request)
        if form.is_valid():
            try:
                group = services.create_group(me, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error, {"invalid": "username"})
            else:
                messages.success(request, MESSAGES["created"])
                return redirect("web:group", group.account.username)
    return render(
        request, "groups/directory.html", {"groups": queries.directory()[:200], "form": form}
    )


def _page_context(group: Group, viewer: Any) -> dict[str, Any]:
    return {
        "group": group,
        "member": queries.is_member(viewer, group),
        "requested": queries.has_requested(viewer, group),
        "moderator": queries.is_moderator(viewer, group),
        "moderators": list(queries.moderators(group)),
        "members_count": queries.members(group).count(),
    }


@public_page
def group(request: HttpRequest, username: str) -> HttpResponse:
    viewer = viewer_of(request)
    found = queries.get_group(username)
    form = PostForm(request.POST or None)
    if request.method == "POST":
        me = current_account(request)
        if form.is_valid():
            try:
                services.post_to_group(me, found, form.cleaned_data["text"])
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, MESSAGES["posted"])
                return redirect("web:group", username)
    page = paginate(queries.timeline(found, viewer), **page_args(request))
    context = {**_page_context(found, viewer), **timeline_context(viewer, page), "form": form}
    return render(request, "groups/group.html", context)


@public_page
def members(request: HttpRequest, username: str) -> HttpResponse:
    found = queries.get_group(username)
    context = {**_page_context(found, viewer_of(request)), "accounts": queries.members(found)}
    return render(request, "groups/members.html", context)


@public_page
def moderators(request: HttpRequest, username: str) -> HttpResponse:
    """Lemmy reads a group's moderators from this collection (its ``attributedTo``)."""
    found = queries.get_group(username)
    if not wants_activity(request):
        return redirect("web:group_members", username)
    uris = [a.uri for a in queries.moderators(found)]
    return activity_response(
        {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": request.build_absolute_uri(),
            "type": "OrderedCollection",
            "totalItems": len(uris),
            "orderedItems": uris,
        }
    )


@member_page
def membership(request: HttpRequest, username: str, verb: str) -> HttpResponse:
    if request.method != "POST" or verb not in ("join", "leave"):
        raise Http404
    me = current_account(request)
    found = queries.get_group(username)
    if verb == "leave":
        services.leave(me, found)
        messages.success(request, MESSAGES["left"])
    else:
        messages.success(request, MESSAGES["joined" if services.join(me, found) else "requested"])
    return redirect("web:group", username)


@require_POST
@member_page
def add_to_deck(request: HttpRequest, username: str) -> HttpResponse:
    """Add the group as a column of the reader's deck (the watch app's)."""
    found = queries.get_group(username)
    try:
        add_column(current_account(request), "group", {"group": found.account.username})
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("web:group", username)
    return redirect("web:deck")


def _moderate(request: HttpRequest, me: Any, found: Group) -> None:
    action = request.POST.get("action", "")
    target = request.POST.get("target", "")
    if action in ("accept_post", "remove_post"):
        status = Status.objects.filter(pk=target).first() if target.isdigit() else None
        if status is None:
            raise Http404
        handler = services.accept_post if action == "accept_post" else services.remove_post
        handler(me, found, status)
        return
    if action == "invite":
        username, _at, domain = target.strip().lstrip("@").partition("@")
        services.invite(
            me, found, get_account(username, "" if domain == settings.DOMAIN else domain)
        )
        return
    handlers = {
        "approve": services.approve_member,
        "reject": services.reject_member,
        "remove": services.remove_member,
        "promote": services.add_moderator,
    }
    if action not in handlers or not target.isdigit():
        raise Http404
    handlers[action](me, found, get_account_by_id(int(target)))


@member_page
def moderation(request: HttpRequest, username: str) -> HttpResponse:
    me = current_account(request)
    found = queries.get_group(username)
    services.check_moderator(me, found)
    initial = {
        "display_name": found.account.display_name,
        "description": found.account.note,
        "rules": found.rules,
        "join_mode": found.join_mode,
        "hold_posts": found.hold_posts,
    }
    form = SettingsForm(request.POST if "save" in request.POST else None, initial=initial)
    if request.method == "POST":
        try:
            if "save" in request.POST:
                if form.is_valid():
                    services.update_group(me, found, **form.cleaned_data)
                    messages.success(request, MESSAGES["saved"])
                    return redirect("web:group_moderation", username)
            else:
                _moderate(request, me, found)
                messages.success(request, MESSAGES["done"])
                return redirect("web:group_moderation", username)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    pending = list(queries.pending_posts(found))
    context = {
        **_page_context(found, me),
        "form": form,
        "pending": pending,
        "requests": queries.join_requests(found),
        "accounts": queries.members(found),
        "flags": status_context(me, pending),
    }
    return render(request, "groups/moderation.html", context)
