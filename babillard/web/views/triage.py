"""Triage pages: catch-up since the last visit, digests (page and private Atom feed),
author priorities, filters with an expiry, the notification policy and its review queue."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from babillard.accounts.models import Account
from babillard.accounts.queries import get_account, get_account_by_id
from babillard.core import links
from babillard.core.errors import NotFound
from babillard.notifications.queries import notifications_for
from babillard.statuses.formatting import plain_text
from babillard.timelines import services as timeline_services
from babillard.timelines.models import Filter, List
from babillard.triage import queries, services
from babillard.triage.forms import (
    NO_PRIORITY,
    UNKNOWN_ACCOUNT,
    DigestChoiceForm,
    DigestSettingsForm,
    FilterForm,
    PolicyForm,
    PriorityForm,
)
from babillard.triage.models import DigestSubscription, Period
from babillard.web.views.common import (
    add_errors,
    back,
    current_account,
    member_page,
    status_context,
)


@member_page
def catch_up(request: HttpRequest) -> HttpResponse:
    """Unread home posts grouped by author and hashtag; the form marks them all read."""
    viewer = current_account(request)
    if request.method == "POST":
        up_to = request.POST.get("up_to", "")
        services.mark_home_read(viewer, int(up_to) if up_to.isdigit() else None)
        return HttpResponseRedirect(reverse("web:catch_up"))
    found = queries.catch_up(viewer)
    shown = {s.pk: s for g in found.by_author for s in g.statuses}
    return render(
        request,
        "triage/catch_up.html",
        {"found": found, "flags": status_context(viewer, shown.values())},
    )


def _digest_choice(
    request: HttpRequest, viewer: Account
) -> tuple[DigestChoiceForm, List | None, str]:
    lists = list(List.objects.filter(owner=viewer).order_by("title").values_list("pk", "title"))
    form = DigestChoiceForm(request.GET or None, lists=lists)
    if request.GET and not form.is_valid():
        raise Http404
    data = form.cleaned_data if request.GET else {}
    list_id = data.get("list_id")
    timeline = List.objects.get(pk=list_id) if list_id else None
    return form, timeline, data.get("period") or Period.DAY


@member_page
def digest(request: HttpRequest) -> HttpResponse:
    """The ranked digest of home or a list, and its e-mail and feed settings."""
    viewer = current_account(request)
    choice, timeline, period = _digest_choice(request, viewer)
    subscription = services.digest_subscription(viewer, timeline.pk if timeline else None)
    settings_form = DigestSettingsForm(
        request.POST or None,
        prefix="settings",
        initial={"period": subscription.period, "by_email": subscription.by_email},
    )
    if request.method == "POST":
        if request.POST.get("action") == "renew":
            services.renew_feed_token(viewer, subscription)
            return HttpResponseRedirect(request.get_full_path())
        if settings_form.is_valid():
            try:
                services.subscribe_digest(
                    viewer,
                    list_id=timeline.pk if timeline else None,
                    period=settings_form.cleaned_data["period"],
                    by_email=settings_form.cleaned_data["by_email"],
                )
            except ValidationError as error:
                add_errors(settings_form, error, {"email": "by_email", "period": "period"})
            else:
                return HttpResponseRedirect(request.get_full_path())
    ranked = queries.digest(viewer, timeline, period)
    context: dict[str, Any] = {
        "choice": choice,
        "timeline": timeline,
        "period": period,
        "ranked": ranked,
        "statuses": [item.status for item in ranked],
        "flags": status_context(viewer, [item.status for item in ranked]),
        "settings_form": settings_form,
        "feed_url": links.absolute(reverse("web:digest_feed", args=[subscription.feed_token])),
    }
    return render(
        request, "triage/digest.html", context, status=400 if settings_form.errors else 200
    )


class DigestAtom(Feed):  # type: ignore[type-arg]
    """A reader's digest as a private Atom feed: the secret token in the address is the key."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, token: str) -> DigestSubscription:
        found = (
            DigestSubscription.objects.select_related("owner", "list")
            .filter(feed_token=token, owner__suspended_at__isnull=True)
            .first()
        )
        if found is None:
            raise Http404
        return found

    def title(self, obj: DigestSubscription) -> str:
        return f"{obj.list.title if obj.list else obj.owner.name} ({obj.get_period_display()})"

    def link(self, obj: DigestSubscription) -> str:
        return reverse("web:digest")

    def subtitle(self, obj: DigestSubscription) -> str:
        return obj.owner.full_handle

    def items(self, obj: DigestSubscription) -> list[queries.Scored]:
        return queries.digest(obj.owner, obj.list, obj.period)

    def item_title(self, item: queries.Scored) -> str:
        text = item.status.spoiler_text or plain_text(item.status.content)
        return f"{item.status.account.name}: {text[:80]}"

    def item_description(self, item: queries.Scored) -> str:
        return item.status.content

    def item_link(self, item: queries.Scored) -> str:
        return services.status_link(item.status)

    def item_guid(self, item: queries.Scored) -> str:
        return item.status.uri or services.status_link(item.status)

    def item_pubdate(self, item: queries.Scored) -> object:
        return item.status.created_at

    def item_author_name(self, item: queries.Scored) -> str:
        return item.status.account.name


@member_page
def list_exclusive(request: HttpRequest, list_id: int) -> HttpResponse:
    """Make a list exclusive (its members' posts leave home) or not."""
    viewer = current_account(request)
    timeline = List.objects.filter(owner=viewer, pk=list_id).first()
    if request.method != "POST" or timeline is None:
        raise Http404
    timeline_services.update_list(viewer, timeline, exclusive=request.POST.get("exclusive") == "on")
    return HttpResponseRedirect(reverse("web:list", args=[list_id]))


@member_page
def account_priority(request: HttpRequest, account_id: int) -> HttpResponse:
    """The priority form of a profile: close, at a glance or normal, then back to the profile."""
    viewer = current_account(request)
    if request.method != "POST":
        raise Http404
    level = request.POST.get("level", "")
    try:
        services.set_priority(
            viewer, get_account_by_id(account_id), None if level == NO_PRIORITY else level
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    return back(request, reverse("web:settings_priorities"))


def _account_by_handle(handle: str) -> Account:
    """A known account from ``@name`` or ``@name@server`` (this server's own name too)."""
    username, _sep, domain = handle.strip().lstrip("@").partition("@")
    if domain.lower() in (settings.DOMAIN.lower(), settings.DOMAIN.split(":")[0].lower()):
        domain = ""
    if not username:
        raise NotFound(handle)
    return get_account(username, domain)


@member_page
def priorities(request: HttpRequest) -> HttpResponse:
    viewer = current_account(request)
    form = PriorityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        level = form.cleaned_data["level"]
        try:
            target = _account_by_handle(form.cleaned_data["account"])
            services.set_priority(viewer, target, None if level == NO_PRIORITY else level)
        except NotFound:
            form.add_error("account", UNKNOWN_ACCOUNT)
        except ValidationError as error:
            add_errors(form, error, {"self": "account", "invalid": "level"})
        else:
            return HttpResponseRedirect(reverse("web:settings_priorities"))
    return render(
        request,
        "triage/priorities.html",
        {"form": form, "items": queries.priorities(viewer)},
        status=400 if form.errors else 200,
    )


@member_page
def notification_policy(request: HttpRequest) -> HttpResponse:
    viewer = current_account(request)
    policy = services.policy_of(viewer)
    form = PolicyForm(
        request.POST or None,
        initial={name: getattr(policy, name) for name in services.POLICY_FIELDS},
    )
    if request.method == "POST" and form.is_valid():
        services.update_policy(viewer, **form.cleaned_data)
        return HttpResponseRedirect(reverse("web:settings_notification_policy"))
    return render(
        request,
        "triage/policy.html",
        {"form": form, "summary": services.pending_summary(viewer)},
        status=400 if form.errors else 200,
    )


@member_page
def notification_requests(request: HttpRequest) -> HttpResponse:
    viewer = current_account(request)
    return render(
        request,
        "triage/requests.html",
        {"items": queries.notification_requests(viewer)[:100]},
    )


@member_page
def notification_request(request: HttpRequest, request_id: int) -> HttpResponse:
    """The held notifications of one sender."""
    viewer = current_account(request)
    item = services.get_request(viewer, str(request_id))
    held = notifications_for(viewer, include_filtered=True).filter(
        from_account=item.from_account, filtered=True
    )[:40]
    statuses = [n.status for n in held if n.status is not None]
    return render(
        request,
        "triage/request.html",
        {"item": item, "held": held, "flags": status_context(viewer, statuses)},
    )


@member_page
def answer_notification_request(request: HttpRequest, request_id: int, verb: str) -> HttpResponse:
    viewer = current_account(request)
    if request.method != "POST" or verb not in ("accept", "dismiss"):
        raise Http404
    item = services.get_request(viewer, str(request_id))
    if verb == "accept":
        services.accept_request(viewer, item)
    else:
        services.dismiss_request(viewer, item)
    return HttpResponseRedirect(reverse("web:notification_requests"))


@member_page
def filters(request: HttpRequest) -> HttpResponse:
    """Keyword filters with their contexts and an optional expiry (Mastodon's filters v2)."""
    viewer = current_account(request)
    form = FilterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            timeline_services.create_filter(
                viewer,
                form.cleaned_data["title"],
                form.cleaned_data["contexts"],
                action=form.cleaned_data["action"],
                expires_in=form.cleaned_data["expires_in"],
                keywords=form.keyword_list(),
            )
        except ValidationError as error:
            add_errors(
                form,
                error,
                {"blank": "keywords", "too_long": "keywords", "too_many": "keywords"},
            )
        else:
            return HttpResponseRedirect(reverse("web:settings_filters"))
    return render(
        request,
        "triage/filters.html",
        {"form": form, "items": timeline_services.active_filters(viewer)},
        status=400 if form.errors else 200,
    )


@member_page
def delete_filter(request: HttpRequest, filter_id: int) -> HttpResponse:
    viewer = current_account(request)
    if request.method != "POST":
        raise Http404
    found = Filter.objects.filter(pk=filter_id, owner=viewer).first()
    if found is None:
        raise Http404
    timeline_services.delete_filter(viewer, found)
    return HttpResponseRedirect(reverse("web:settings_filters"))


def glance_line(viewer: Account) -> queries.GlanceSummary | None:
    """Today's folded posts for the home page's summary line, or nothing to show."""
    summary = queries.glance_summary(viewer)
    return summary if summary.count else None
