"""Profiles, follower lists, the buttons on a profile, follow requests, reports, search,
notifications and lists."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from babillard.accounts import queries as account_queries
from babillard.accounts import services as account_services
from babillard.accounts.models import Account
from babillard.core.pagination import paginate
from babillard.moderation import services as moderation
from babillard.notifications import services as notification_services
from babillard.notifications.queries import notifications_for
from babillard.search.queries import search_accounts, search_statuses, search_tags
from babillard.statuses.models import Pin, Status
from babillard.statuses.queries import account_statuses, visible_statuses, with_relations
from babillard.timelines import queries as timelines
from babillard.timelines import services as timeline_services
from babillard.timelines.models import List
from babillard.timelines.queries import apply_filters
from babillard.web.forms import ListForm, MuteForm, ReportForm
from babillard.web.views.common import (
    add_errors,
    back,
    current_account,
    current_user,
    member_page,
    page_args,
    public_page,
    status_context,
    timeline_context,
    viewer_of,
)

TABS = {"posts", "replies", "media"}


def profile_path(account: Account) -> str:
    return reverse("web:profile", args=[account.acct])


def _account(username: str) -> Account:
    name, _sep, domain = username.partition("@")
    if domain.lower() == settings.DOMAIN.lower():
        domain = ""
    return account_queries.get_account(name, domain)


def _profile_context(request: HttpRequest, account: Account) -> dict[str, object]:
    viewer = viewer_of(request)
    rel = None
    if viewer is not None and viewer.pk != account.pk:
        rel = account_queries.relationship(viewer, account)
    return {
        "account": account,
        "relationship": rel,
        "show_collections": account_queries.can_see_collections(viewer, account),
        "is_self": viewer is not None and viewer.pk == account.pk,
    }


@public_page
def profile(request: HttpRequest, username: str, tab: str = "posts") -> HttpResponse:
    account = _account(username)
    if tab not in TABS:
        raise Http404
    viewer = viewer_of(request)
    found = account_statuses(
        viewer, account, with_replies=tab == "replies", only_media=tab == "media"
    )
    page = paginate(found, **page_args(request))
    pinned: list[Status] = []
    if tab == "posts" and not request.GET.get("max_id"):
        pinned = list(
            with_relations(
                visible_statuses(viewer).filter(
                    pk__in=Pin.objects.filter(account=account).values("status_id")
                )
            ).order_by("-id")
        )
    context = _profile_context(request, account)
    context.update(timeline_context(viewer, page, also=pinned, filter_context="account"))
    context.update(tab=tab, pinned=pinned)
    return render(request, "web/profile.html", context)


@public_page
def collection(request: HttpRequest, username: str, which: str) -> HttpResponse:
    account = _account(username)
    context = _profile_context(request, account)
    if not context["show_collections"]:
        raise Http404
    found = (
        account_queries.followers(account)
        if which == "followers"
        else account_queries.following(account)
    )
    page = Paginator(found, 40).get_page(request.GET.get("page"))
    context.update(which=which, accounts_page=page)
    return render(request, "web/collection.html", context)


RELATIONS: dict[str, Callable[[Account, Account], object]] = {
    "follow": account_services.follow,
    "unfollow": account_services.unfollow,
    "block": account_services.block,
    "unblock": account_services.unblock,
    "unmute": account_services.unmute,
}


@require_POST
@member_page
def relation(request: HttpRequest, account_id: int, verb: str) -> HttpResponse:
    viewer = current_account(request)
    if verb == "remove_follower":
        target = account_queries.get_account_by_id(account_id)
        account_services.remove_follower(viewer, target)
        messages.success(request, _("This account no longer follows you."))
        return back(request, profile_path(target))
    if verb in ("unblock", "unmute"):
        # Unblocking must work even when the other account blocks you too.
        found = Account.objects.filter(pk=account_id).first()
        if found is None:
            raise Http404
        target = found
    else:
        target = account_queries.get_account_by_id(account_id)
    try:
        if verb == "mute":
            form = MuteForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose a valid duration."))
            account_services.mute(
                viewer,
                target,
                notifications=form.cleaned_data["notifications"],
                duration=form.cleaned_data["duration"],
            )
        elif verb in RELATIONS:
            RELATIONS[verb](viewer, target)
        else:
            raise Http404
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, str(DONE_MESSAGES[verb]))
    return back(request, profile_path(target))


DONE_MESSAGES = {
    "follow": gettext_lazy("Done: you follow this account, or asked to."),
    "unfollow": gettext_lazy("You no longer follow this account."),
    "block": gettext_lazy("This account is blocked."),
    "unblock": gettext_lazy("This account is no longer blocked."),
    "mute": gettext_lazy("This account is muted."),
    "unmute": gettext_lazy("This account is no longer muted."),
}


@member_page
def follow_requests(request: HttpRequest) -> HttpResponse:
    viewer = current_account(request)
    pending = account_queries.pending_follow_requests(viewer)
    return render(request, "web/follow_requests.html", {"requests": pending})


@require_POST
@member_page
def answer_follow_request(request: HttpRequest, account_id: int, verb: str) -> HttpResponse:
    viewer = current_account(request)
    requester = account_queries.get_account_by_id(account_id)
    if verb == "accept":
        account_services.accept_follow_request(viewer, requester)
        messages.success(request, _("Follow request accepted."))
    elif verb == "reject":
        account_services.reject_follow_request(viewer, requester)
        messages.success(request, _("Follow request rejected."))
    else:
        raise Http404
    return redirect("web:follow_requests")


@member_page
def report(request: HttpRequest, account_id: int) -> HttpResponse:
    viewer = current_account(request)
    target = account_queries.get_account_by_id(account_id)
    recent = list(account_statuses(viewer, target, with_replies=True, exclude_reblogs=True)[:20])
    if request.method == "POST":
        form = ReportForm(request.POST, statuses=recent)
        if form.is_valid():
            chosen = {int(i) for i in form.cleaned_data["statuses"]}
            try:
                moderation.report(
                    viewer,
                    target,
                    statuses=[s for s in recent if s.pk in chosen],
                    category=form.cleaned_data["category"],
                    comment=form.cleaned_data["comment"],
                )
            except ValidationError as error:
                add_errors(
                    form,
                    error,
                    {"category": "category", "too_long": "comment", "status": "statuses"},
                )
            else:
                messages.success(request, _("Thank you: the moderators will look at your report."))
                return redirect(profile_path(target))
    else:
        form = ReportForm(statuses=recent, initial={"statuses": request.GET.getlist("status")})
    return render(
        request,
        "web/report.html",
        {"form": form, "account": target},
        status=400 if form.errors else 200,
    )


@public_page
def search(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    # PostgreSQL text cannot hold NUL characters; nobody means to search for one.
    query = request.GET.get("q", "").strip()[:200]
    context: dict[str, object] = {"query": query}
    if query:
        statuses = search_statuses(viewer, query)
        context.update(
            accounts=list(search_accounts(query)),
            tags=list(search_tags(query)),
            statuses=statuses,
            flags=status_context(viewer, statuses),
        )
    return render(request, "web/search.html", context)


NOTIFICATION_FILTERS = [
    ("mention", gettext_lazy("Mentions")),
    ("follow", gettext_lazy("New followers")),
    ("follow_request", gettext_lazy("Follow requests")),
    ("favourite", gettext_lazy("Favourites")),
    ("reblog", gettext_lazy("Boosts")),
    ("poll", gettext_lazy("Polls")),
    ("update", gettext_lazy("Edits")),
]


@member_page
def notifications(request: HttpRequest) -> HttpResponse:
    viewer = current_account(request)
    kind = request.GET.get("type", "")
    types = [kind] if kind in dict(NOTIFICATION_FILTERS) or kind.startswith("admin.") else None
    page = paginate(notifications_for(viewer, types=types), **page_args(request))
    about = [n.status for n in page.items if n.status is not None]
    kept, _warned = apply_filters(viewer, about, "notifications")
    hidden = {s.pk for s in about} - {s.pk for s in kept}
    return render(
        request,
        "web/notifications.html",
        {
            "page": page,
            "notifications": [n for n in page.items if n.status_id not in hidden],
            "filters": NOTIFICATION_FILTERS,
            "current_type": kind if types else "",
            "read_id": current_user(request).notifications_read_id,
        },
    )


@require_POST
@member_page
def notifications_read(request: HttpRequest) -> HttpResponse:
    notification_services.mark_all_read(current_user(request))
    messages.success(request, _("All notifications are marked as read."))
    return back(request, reverse("web:notifications"))


def _own_list(viewer: Account, list_id: int) -> List:
    found = List.objects.filter(owner=viewer, pk=list_id).first()
    if found is None:
        raise Http404
    return found


@member_page
def lists(request: HttpRequest) -> HttpResponse:
    viewer = current_account(request)
    form = ListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = timeline_services.create_list(
                viewer, form.cleaned_data["title"], exclusive=form.cleaned_data["exclusive"]
            )
        except ValidationError as error:
            add_errors(form, error, {"blank": "title", "too_long": "title"})
        else:
            messages.success(request, _("The list is created."))
            return redirect("web:list", list_id=created.pk)
    owned = List.objects.filter(owner=viewer).order_by("title")
    return render(
        request,
        "web/lists.html",
        {"lists": owned, "form": form},
        status=400 if form.errors else 200,
    )


@member_page
def list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    viewer = current_account(request)
    timeline = _own_list(viewer, list_id)
    page = timelines.list_timeline(viewer, timeline, **page_args(request))
    members = list(timeline.members.order_by("username"))
    candidates = account_queries.following(viewer).exclude(pk__in=[m.pk for m in members])[:200]
    context = timeline_context(viewer, page, filter_context="home")
    context.update(list=timeline, members=members, candidates=candidates)
    return render(request, "web/list.html", context)


@require_POST
@member_page
def list_members(request: HttpRequest, list_id: int, verb: str) -> HttpResponse:
    viewer = current_account(request)
    timeline = _own_list(viewer, list_id)
    try:
        member = account_queries.get_account_by_id(int(request.POST.get("account", "")))
    except ValueError:
        raise Http404 from None
    try:
        if verb == "add":
            timeline_services.add_to_list(viewer, timeline, [member])
        elif verb == "remove":
            timeline_services.remove_from_list(viewer, timeline, [member])
        else:
            raise Http404
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return redirect("web:list", list_id=timeline.pk)


@require_POST
@member_page
def list_delete(request: HttpRequest, list_id: int) -> HttpResponse:
    viewer = current_account(request)
    timeline_services.delete_list(viewer, _own_list(viewer, list_id))
    messages.success(request, _("The list is deleted."))
    return redirect("web:lists")
