"""Timelines: home, local, hashtag, list, bookmarks, favourites, and the new-posts counter."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from babillard.statuses.models import Tag
from babillard.timelines import queries as timelines
from babillard.web.forms import ComposeForm
from babillard.web.views.common import (
    current_account,
    current_user,
    member_page,
    page_args,
    public_page,
    status_context,
    timeline_context,
    viewer_of,
)
from babillard.web.views.triage import glance_line


def landing(request: HttpRequest) -> HttpResponse:
    if viewer_of(request) is not None:
        return redirect("web:home")
    context = {}
    if not settings.PRIVATE_INSTANCE:
        latest = timelines.public(None, local=True, limit=5)
        context = {"statuses": latest.items, "flags": status_context(None, latest.items)}
    return render(request, "web/landing.html", context)


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "web/about.html")


@member_page
def home(request: HttpRequest) -> HttpResponse:
    viewer = current_account(request)
    page = timelines.home(viewer, **page_args(request))
    context = timeline_context(viewer, page, filter_context="home")
    context.update(
        title=_("Home"),
        compose_form=ComposeForm(user=current_user(request)),
        poll_new=True,
        glance=glance_line(viewer),
    )
    return render(request, "web/timeline.html", context)


@member_page
def home_new(request: HttpRequest) -> HttpResponse:
    """How many posts arrived in the home feed above ``since_id`` (polled by htmx)."""
    viewer = current_account(request)
    since = request.GET.get("since_id") or ""
    count = len(timelines.home(viewer, since_id=since, limit=40).items) if since.isdigit() else 0
    return render(request, "web/_new_posts.html", {"count": count, "since_id": since})


@public_page
def local(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    page = timelines.public(viewer, local=True, **page_args(request))
    context = timeline_context(viewer, page, filter_context="public")
    context["title"] = _("Local timeline")
    return render(request, "web/timeline.html", context)


@public_page
def hashtag(request: HttpRequest, name: str) -> HttpResponse:
    viewer = viewer_of(request)
    page = timelines.hashtag(viewer, name, **page_args(request))
    tag = Tag.objects.filter(name=name.casefold()).first()
    context = timeline_context(viewer, page, filter_context="public")
    context.update(
        title=f"#{tag.display_name if tag else name}",
        tag_name=tag.name if tag else name.casefold(),
        feeds=True,
    )
    return render(request, "web/timeline.html", context)


@member_page
def bookmarks(request: HttpRequest) -> HttpResponse:
    viewer = current_account(request)
    context = timeline_context(viewer, timelines.bookmarks(viewer, **page_args(request)))
    context["title"] = _("Bookmarks")
    return render(request, "web/timeline.html", context)


@member_page
def favourites(request: HttpRequest) -> HttpResponse:
    viewer = current_account(request)
    context = timeline_context(viewer, timelines.favourites(viewer, **page_args(request)))
    context["title"] = _("Favourites")
    return render(request, "web/timeline.html", context)
