"""Pages of e-resource platforms: the board (live status, most reported first), a page
per platform (chart of reports against the baseline, cities, probes, incidents, 90 days
of uptime), one-tap reports, subscriptions, incident updates, proposals and their
moderation queue, incident feeds (RSS, Atom, JSON Feed) and the ``/embed/platforms``
widget."""

import json
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from babillard.core import links
from babillard.core.errors import NotFound
from babillard.outages import charts, forms, queries, services
from babillard.outages.models import IncidentUpdate, Platform
from babillard.web.views.common import (
    add_errors,
    current_account,
    is_htmx,
    member_page,
    moderator_page,
    public_page,
    viewer_of,
)

EMBED_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors *"
)
FEED_ITEMS = 50


def _platform(key: str) -> Platform:
    try:
        return queries.get_platform(key)
    except NotFound:
        raise Http404 from None


@public_page
def board(request: HttpRequest) -> HttpResponse:
    """Every platform with its live status; htmx refreshes the list alone."""
    context = {"platforms": queries.board(), "viewer": viewer_of(request)}
    template = "outages/_board.html" if is_htmx(request) else "outages/board.html"
    return render(request, template, context)


@public_page
def platform_page(request: HttpRequest, slug: str) -> HttpResponse:
    platform = _platform(slug)
    viewer = viewer_of(request)
    incident = queries.open_incident(platform)
    context = {
        "platform": platform,
        "viewer": viewer,
        "status": queries.status(platform),
        "chart": charts.reports_chart(queries.chart(platform)),
        "uptime": charts.uptime_bars(queries.uptime(platform)),
        "cities": queries.cities(platform, timezone.now() - timedelta(hours=1)),
        "probes": queries.latest_probes(platform),
        "incidents": list(queries.incidents(platform.pk)[:20]),
        "open_incident": incident,
        "report_form": forms.ReportForm(),
        "update_form": forms.IncidentUpdateForm() if incident else None,
        "may_update": services.may_update(viewer, platform),
        "subscribed": queries.is_subscribed(viewer, platform),
    }
    return render(request, "outages/platform.html", context)


@member_page
@require_POST
def report(request: HttpRequest, slug: str) -> HttpResponse:
    platform = _platform(slug)
    try:
        services.report_problem(
            current_account(request),
            platform,
            request.POST.get("problem"),
            request.POST.get("comment", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, forms.REPORTED)
    return HttpResponseRedirect(reverse("web:platform", args=[platform.slug]))


@member_page
@require_POST
def subscribe(request: HttpRequest, slug: str) -> HttpResponse:
    platform = _platform(slug)
    me = current_account(request)
    if request.POST.get("action") == "unsubscribe":
        services.unsubscribe(me, platform)
        messages.success(request, forms.UNSUBSCRIBED)
    else:
        services.subscribe(me, platform, email=request.POST.get("email") != "0")
        messages.success(request, forms.SUBSCRIBED)
    return HttpResponseRedirect(reverse("web:platform", args=[platform.slug]))


@member_page
@require_POST
def update_incident(request: HttpRequest, incident_id: int) -> HttpResponse:
    try:
        incident = queries.get_incident(incident_id)
    except NotFound:
        raise Http404 from None
    try:
        services.update_incident(
            current_account(request),
            incident,
            request.POST.get("state"),
            request.POST.get("message", ""),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, forms.UPDATED)
    return HttpResponseRedirect(reverse("web:platform", args=[incident.platform.slug]))


@member_page
@require_POST
def me_too(request: HttpRequest, incident_id: int) -> HttpResponse:
    try:
        incident = queries.get_incident(incident_id)
    except NotFound:
        raise Http404 from None
    services.me_too(current_account(request), incident)
    messages.success(request, forms.REPORTED)
    return HttpResponseRedirect(reverse("web:platform", args=[incident.platform.slug]))


@member_page
def propose(request: HttpRequest) -> HttpResponse:
    """Members propose a platform; a moderator's proposal is added at once."""
    me = current_account(request)
    form = forms.PlatformForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields["probe_urls"] = fields["probe_urls"].split()
        try:
            if services.is_moderator(me):
                platform = services.create_platform(me, **fields)
                messages.success(request, forms.ADDED)
                return HttpResponseRedirect(reverse("web:platform", args=[platform.slug]))
            services.propose_platform(me, **fields)
        except ValidationError as error:
            add_errors(form, error, {"name": "name", "url": "url", "probe_urls": "probe_urls"})
        else:
            messages.success(request, forms.PROPOSED)
            return HttpResponseRedirect(reverse("web:platforms"))
    return render(request, "outages/propose.html", {"form": form})


@moderator_page
def proposals(request: HttpRequest) -> HttpResponse:
    me = current_account(request)
    if request.method == "POST":
        given = request.POST.get("platform_id", "")
        found = queries.proposals().filter(pk=int(given) if given.isdigit() else 0).first()
        if found is not None:
            if request.POST.get("action") == "approve":
                services.approve_platform(me, found)
                messages.success(request, forms.APPROVED)
            else:
                services.reject_platform(me, found)
                messages.success(request, forms.REJECTED)
        return HttpResponseRedirect(reverse("web:platform_proposals"))
    return render(request, "outages/proposals.html", {"proposals": queries.proposals()})


@xframe_options_exempt
def embed(request: HttpRequest) -> HttpResponse:
    """The widget a library intranet may frame: no script, inline styles, a few kilobytes."""
    language = request.GET.get("lang", "fr")
    if language not in ("fr", "en"):
        language = "fr"
    with translation.override(language):
        response = render(
            request, "outages/embed.html", {"platforms": queries.board(), "language": language}
        )
    response["Content-Security-Policy"] = EMBED_POLICY
    response["Cache-Control"] = "public, max-age=30"
    return response


# --- feeds ---------------------------------------------------------------------------------


def _update_title(update: IncidentUpdate) -> str:
    return f"{update.incident.platform.name}: {update.get_state_display()}"


def _update_link(update: IncidentUpdate) -> str:
    platform = update.incident.platform
    return links.absolute(f"/platforms/{platform.slug}#incident-{update.incident_id}")


class IncidentsRss(Feed):  # type: ignore[type-arg]
    """Incident updates of one platform, or of all with ``slug`` absent."""

    def get_object(self, request: HttpRequest, slug: str = "") -> Platform | None:
        return _platform(slug) if slug else None

    def title(self, obj: Platform | None) -> str:
        return forms.feed_title(obj)

    def link(self, obj: Platform | None) -> str:
        return reverse("web:platform", args=[obj.slug]) if obj else reverse("web:platforms")

    def description(self, obj: Platform | None) -> str:
        return forms.feed_title(obj)

    def items(self, obj: Platform | None) -> list[IncidentUpdate]:
        return queries.updates_feed(obj, FEED_ITEMS)

    def item_title(self, item: IncidentUpdate) -> str:
        return _update_title(item)

    def item_description(self, item: IncidentUpdate) -> str:
        return item.message

    def item_link(self, item: IncidentUpdate) -> str:
        return _update_link(item)

    def item_guid(self, item: IncidentUpdate) -> str:
        return f"{_update_link(item)}-{item.pk}"

    def item_pubdate(self, item: IncidentUpdate) -> Any:
        return item.created_at


class IncidentsAtom(IncidentsRss):
    feed_type = Atom1Feed
    subtitle = IncidentsRss.description


@public_page
def incidents_json(request: HttpRequest, slug: str = "") -> HttpResponse:
    """The same updates as a JSON Feed 1.1 (jsonfeed.org)."""
    platform = _platform(slug) if slug else None
    page = reverse("web:platform", args=[platform.slug]) if platform else reverse("web:platforms")
    feed_path = (
        reverse("web:platform_incidents_json", args=[platform.slug])
        if platform
        else reverse("web:incidents_json")
    )
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": forms.feed_title(platform),
        "home_page_url": links.absolute(page),
        "feed_url": links.absolute(feed_path),
        "items": [
            {
                "id": f"{_update_link(update)}-{update.pk}",
                "url": _update_link(update),
                "title": _update_title(update),
                "content_text": update.message or _update_title(update),
                "date_published": update.created_at.isoformat(),
                "_babillard": {
                    "platform": update.incident.platform.slug,
                    "incident_id": str(update.incident_id),
                    "state": update.state,
                },
            }
            for update in queries.updates_feed(platform, FEED_ITEMS)
        ],
    }
    return HttpResponse(
        json.dumps(document, ensure_ascii=False), content_type="application/feed+json"
    )
