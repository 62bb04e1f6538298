"""Watch pages: the deck of columns (``/deck``), antennas (``/antennas``) with their
private feeds, and outside feeds with OPML import and export (``/deck/sources``).

Every action is a plain form; the deck's small script (``static/babillard/deck.js``)
only refreshes columns live through the streaming API."""

from typing import Any

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from babillard.accounts.models import Account
from babillard.core import links
from babillard.core.errors import NotFound
from babillard.institutions.queries import institutions_of
from babillard.timelines.models import List
from babillard.watch import forms, queries, services
from babillard.watch.columns import ColumnEntry, ColumnPage, column_kind
from babillard.watch.models import Antenna, Column, Width
from babillard.web.feeds import FEED_SIZE, _StatusFeed
from babillard.web.views.common import (
    add_errors,
    current_account,
    is_htmx,
    member_page,
    status_context,
)

# --- the deck ---------------------------------------------------------------------------------


def _page_args(request: HttpRequest) -> dict[str, Any]:
    return {k: request.GET[k] for k in ("max_id", "min_id") if request.GET.get(k, "").isdigit()}


def _column_view(owner: Account, column: Column, page: dict[str, Any]) -> dict[str, Any]:
    """What rendering one column needs: its title, entries, unread marks, live stream."""
    kind = column_kind(column.kind)
    try:
        read = kind.read(owner, column.params, page)
    except NotFound:
        read = ColumnPage()
    return {
        "column": column,
        "title": kind.title_of(owner, column.params),
        "entries": read.entries,
        "page": read,
        "unread": sum(1 for e in read.entries if e.key > column.read_key),
        "read_key": column.read_key,
        "stream": kind.stream_of(column.params),
    }


def _column_form(owner: Account, data: Any = None) -> forms.ColumnForm:
    return forms.ColumnForm(
        data,
        lists=[(str(x.pk), x.title) for x in List.objects.filter(owner=owner).order_by("title")],
        antennas=[(str(a.pk), a.title) for a in queries.antennas(owner)],
        sources=[(str(s.pk), s.title or s.url) for s in queries.sources(owner)],
        institutions=[(str(i.pk), i.name) for i in institutions_of(owner)],
    )


def _statuses_of(views: list[dict[str, Any]]) -> list[Any]:
    return [e.status for view in views for e in view["entries"] if e.status is not None] + [
        e.notification.status
        for view in views
        for e in view["entries"]
        if e.notification is not None and e.notification.status is not None
    ]


@member_page
def deck(request: HttpRequest) -> HttpResponse:
    owner = current_account(request)
    form = _column_form(owner, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_column(
                owner, form.cleaned_data["kind"], form.params(), form.cleaned_data["width"]
            )
        except ValidationError as error:
            add_errors(form, error, {k: k for k in form.fields})
        else:
            messages.success(request, forms.COLUMN_ADDED)
            return redirect("web:deck")
    views = [_column_view(owner, column, {}) for column in queries.columns(owner)]
    context = {
        "columns": views,
        "form": form,
        "flags": status_context(owner, _statuses_of(views)),
        "width_choices": Width.choices,
    }
    return render(request, "watch/deck.html", context, status=400 if form.errors else 200)


@member_page
def column(request: HttpRequest, column_id: int) -> HttpResponse:
    """One column alone (older pages without JavaScript), or its entries for the script."""
    owner = current_account(request)
    found = queries.get_column(owner, column_id)
    view = _column_view(owner, found, _page_args(request))
    context = {**view, "flags": status_context(owner, _statuses_of([view]))}
    if is_htmx(request) or request.GET.get("fragment"):
        return render(request, "watch/_column_entries.html", context)
    return render(request, "watch/column.html", context)


@member_page
def column_action(request: HttpRequest, column_id: int, verb: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:deck")
    owner = current_account(request)
    if verb == "left":
        services.move_column(owner, column_id, -1)
    elif verb == "right":
        services.move_column(owner, column_id, 1)
    elif verb == "width":
        try:
            services.set_column_width(owner, column_id, request.POST.get("width", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    elif verb == "read":
        key = request.POST.get("key", "")
        services.mark_column_read(owner, column_id, int(key) if key.isdigit() else 0)
    elif verb == "remove":
        services.remove_column(owner, column_id)
        messages.success(request, forms.COLUMN_REMOVED)
    else:
        raise Http404
    return redirect(reverse("web:deck") + f"#column-{column_id}")


# --- antennas ---------------------------------------------------------------------------------


@member_page
def antennas(request: HttpRequest) -> HttpResponse:
    owner = current_account(request)
    form = forms.AntennaForm(owner, request.POST or None, initial={"email": "none"})
    if request.method == "POST" and form.is_valid():
        try:
            antenna = services.create_antenna(owner, **form.service_fields())
        except ValidationError as error:
            add_errors(form, error, forms.ANTENNA_ERROR_FIELDS)
        else:
            messages.success(request, forms.SAVED)
            return redirect("web:antenna", antenna_id=antenna.pk)
    context = {"antennas": queries.antennas(owner), "form": form}
    return render(request, "watch/antennas.html", context, status=400 if form.errors else 200)


def feed_urls(antenna: Antenna) -> dict[str, str]:
    return {
        "atom": links.absolute(reverse("web:antenna_atom", args=[antenna.feed_token])),
        "rss": links.absolute(reverse("web:antenna_rss", args=[antenna.feed_token])),
    }


@member_page
def antenna(request: HttpRequest, antenna_id: int) -> HttpResponse:
    owner = current_account(request)
    found = queries.get_antenna(owner, antenna_id)
    form = forms.AntennaForm(
        owner, request.POST or None, initial=forms.AntennaForm.initial_of(found)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_antenna(owner, found, **form.service_fields())
        except ValidationError as error:
            add_errors(form, error, forms.ANTENNA_ERROR_FIELDS)
        else:
            messages.success(request, forms.UPDATED)
            return redirect("web:antenna", antenna_id=found.pk)
    entries = queries.antenna_entries(owner, found, **_page_args(request))
    context = {
        "antenna": found,
        "form": form,
        "feeds": feed_urls(found),
        "entries": entries.entries,
        "page": entries,
        "flags": status_context(owner, [e.status for e in entries.entries if e.status]),
    }
    return render(request, "watch/antenna.html", context, status=400 if form.errors else 200)


@member_page
def antenna_action(request: HttpRequest, antenna_id: int, verb: str) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:antenna", antenna_id=antenna_id)
    owner = current_account(request)
    found = queries.get_antenna(owner, antenna_id)
    if verb == "delete":
        services.delete_antenna(owner, found)
        messages.success(request, forms.DELETED)
        return redirect("web:antennas")
    if verb == "token":
        services.regenerate_feed_token(owner, found)
        messages.success(request, forms.NEW_ADDRESS)
        return redirect("web:antenna", antenna_id=found.pk)
    raise Http404


class AntennaRss(_StatusFeed):
    """What an antenna caught, at its secret address: public and unlisted posts (a feed
    reader may live on another service) and the items of outside feeds."""

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The secret address stands for the owner, so a private instance serves it too.
        response = Feed.__call__(self, request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        response["Cache-Control"] = "private, max-age=300"
        return response

    def get_object(self, request: HttpRequest, token: str) -> Antenna:
        try:
            return queries.antenna_by_token(token)
        except NotFound:
            raise Http404 from None

    def title(self, obj: Antenna) -> str:
        return forms.FEED_TITLE % {
            "title": obj.title,
            "handle": obj.owner.full_handle,
        }

    def link(self, obj: Antenna) -> str:
        return links.absolute(reverse("web:antenna", args=[obj.pk]))

    def description(self, obj: Antenna) -> str:
        return forms.FEED_DESCRIPTION % {"title": obj.title}

    def items(self, obj: Antenna) -> list[ColumnEntry]:
        page = queries.antenna_entries(obj.owner, obj, public_only=True, limit=FEED_SIZE)
        return page.entries

    def item_title(self, item: ColumnEntry) -> str:  # type: ignore[override]
        if item.status is not None:
            return super().item_title(item.status)
        return str(item.item.title or item.item.url)

    def item_description(self, item: ColumnEntry) -> str:  # type: ignore[override]
        if item.status is not None:
            return super().item_description(item.status)
        return str(item.item.summary)

    def item_link(self, item: ColumnEntry) -> str:  # type: ignore[override]
        if item.status is not None:
            return item.status.url or super().item_link(item.status)
        return str(item.item.url or item.item.source.site_url or item.item.source.url)

    def item_guid(self, item: ColumnEntry) -> str:
        if item.status is not None:
            return str(item.status.uri or item.status.url)
        return str(item.item.guid)

    def item_pubdate(self, item: ColumnEntry) -> object:  # type: ignore[override]
        return item.status.created_at if item.status is not None else item.item.published_at

    def item_updateddate(self, item: ColumnEntry) -> object:  # type: ignore[override]
        if item.status is not None:
            return super().item_updateddate(item.status)
        return item.item.published_at

    def item_author_name(self, item: ColumnEntry) -> str:  # type: ignore[override]
        if item.status is not None:
            return super().item_author_name(item.status)
        return str(item.item.author or item.item.source.title)


class AntennaAtom(AntennaRss):
    feed_type = Atom1Feed
    subtitle = AntennaRss.description


# --- outside feeds ----------------------------------------------------------------------------


@member_page
def sources(request: HttpRequest) -> HttpResponse:
    owner = current_account(request)
    form = forms.SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_source(owner, form.cleaned_data["url"])
        except ValidationError as error:
            add_errors(form, error, {"url": "url", "limit": "url"})
        else:
            messages.success(request, forms.FOLLOWED)
            return redirect("web:sources")
    context = {"sources": queries.sources(owner), "form": form, "opml_form": forms.OpmlForm()}
    return render(request, "watch/sources.html", context, status=400 if form.errors else 200)


@member_page
def unfollow_source(request: HttpRequest, source_id: int) -> HttpResponse:
    if request.method == "POST":
        owner = current_account(request)
        services.unfollow_source(owner, queries.get_source(owner, source_id))
        messages.success(request, forms.UNFOLLOWED)
    return redirect("web:sources")


@member_page
def opml_import(request: HttpRequest) -> HttpResponse:
    owner = current_account(request)
    form = forms.OpmlForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.import_opml(
                owner, form.cleaned_data["file"].read(), form.cleaned_data["mode"]
            )
        except ValidationError as error:
            add_errors(form, error, {"data": "file", "mode": "mode"})
        else:
            messages.success(
                request,
                forms.IMPORTED
                % {
                    "imported": report.imported,
                    "removed": report.removed,
                    "failed": len(report.failed),
                },
            )
            for url, reason in report.failed:
                messages.warning(request, f"{url}: {reason}")
            return redirect("web:sources")
    context = {"sources": queries.sources(owner), "form": forms.SourceForm(), "opml_form": form}
    return render(request, "watch/sources.html", context, status=400)


@member_page
def opml_export(request: HttpRequest) -> HttpResponse:
    owner = current_account(request)
    response = HttpResponse(services.export_opml(owner), content_type="text/x-opml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{owner.username}-feeds.opml"'
    return response
