"""Site pages: the public page with live occupancy, the list of sites by city, a
network's page, the managers' pages (site, hours, closures, spaces, sensor tokens,
automatic posts, statistics), the staff phone page and the embeddable widget."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from babillard.accounts.models import Account
from babillard.core.errors import NotFound
from babillard.institutions import queries as institution_queries
from babillard.institutions import services as institution_services
from babillard.institutions.models import InstitutionType, Role, SchoolHoliday, Site
from babillard.occupancy import queries, services
from babillard.occupancy.models import AutoPostKind, AutoPostPolicy, Level, Space
from babillard.web.views.common import (
    add_errors,
    current_account,
    is_htmx,
    member_page,
    public_page,
    viewer_of,
)
from babillard.web.views.institutions import institution_context, institution_for

DAY_NAMES = {
    "mon": gettext_lazy("Monday"),
    "tue": gettext_lazy("Tuesday"),
    "wed": gettext_lazy("Wednesday"),
    "thu": gettext_lazy("Thursday"),
    "fri": gettext_lazy("Friday"),
    "sat": gettext_lazy("Saturday"),
    "sun": gettext_lazy("Sunday"),
}
QUEUE_CHOICES = [0, 15, 30, 60, 90, 120]
# Colours of the levels, each with a contrast of at least 4.5:1 on white; the level is
# always written next to its colour.
LEVEL_COLOURS = {
    Level.LOW: "#1d6b2f",
    Level.MODERATE: "#7a5c00",
    Level.HIGH: "#b04a00",
    Level.FULL: "#a4161a",
    Level.CLOSED: "#4a4a4a",
    Level.UNKNOWN: "#4a4a4a",
}
CURVE_WIDTH, CURVE_HEIGHT = 480, 120
EMBED_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors *"
)


# --- forms ---------------------------------------------------------------------------------


class SiteForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the site"), max_length=200)
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300, required=False)
    postcode = forms.CharField(label=gettext_lazy("Postcode"), max_length=16, required=False)
    city = forms.CharField(label=gettext_lazy("City"), max_length=100, required=False)
    latitude = forms.FloatField(label=gettext_lazy("Latitude"), required=False)
    longitude = forms.FloatField(label=gettext_lazy("Longitude"), required=False)
    time_zone = forms.CharField(
        label=gettext_lazy("Time zone"), max_length=64, initial="Europe/Paris"
    )
    accessibility_notes = forms.CharField(
        label=gettext_lazy("Accessibility"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, name in DAY_NAMES.items():
            self.fields[f"hours_{day}"] = forms.CharField(
                label=name,
                required=False,
                max_length=200,
                help_text=_("e.g. 09:00-12:00, 14:00-19:00; empty when closed"),
            )

    def opening_hours(self) -> dict[str, list[list[str]]]:
        """The weekly hours as the service takes them; empty everywhere means always open."""
        found: dict[str, list[list[str]]] = {}
        for day in DAY_NAMES:
            text = self.cleaned_data.get(f"hours_{day}") or ""
            ranges = [part.strip() for part in text.split(",") if part.strip()]
            pairs = [[p.strip() for p in part.split("-")] for part in ranges]
            if any(len(pair) != 2 for pair in pairs):
                raise ValidationError(
                    _("Write the hours as 09:00-12:00, 14:00-19:00."), code=f"hours_{day}"
                )
            if pairs:
                found[day] = pairs
        return found

    def site_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = ["name", "address", "postcode", "city", "latitude", "longitude", "time_zone"]
        return {
            **{name: data.get(name) for name in names},
            "accessibility_notes": data.get("accessibility_notes") or "",
            "opening_hours": self.opening_hours(),
        }


def site_initial(site: Site) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: getattr(site, name)
        for name in (
            "name",
            "address",
            "postcode",
            "city",
            "latitude",
            "longitude",
            "time_zone",
            "accessibility_notes",
        )
    }
    for day in DAY_NAMES:
        ranges = (site.opening_hours or {}).get(day, [])
        initial[f"hours_{day}"] = ", ".join(f"{a}-{b}" for a, b in ranges)
    return initial


SITE_ERROR_FIELDS = {
    "name": "name",
    "address": "address",
    "postcode": "postcode",
    "city": "city",
    "latitude": "latitude",
    "longitude": "longitude",
    "time_zone": "time_zone",
    "opening_hours": "hours_mon",
    **{f"hours_{day}": f"hours_{day}" for day in DAY_NAMES},
}


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=forms.DateInput({"type": "date"}))
    end = forms.DateField(label=gettext_lazy("To"), widget=forms.DateInput({"type": "date"}))
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200, required=False)


class SpaceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the room or floor"), max_length=200)
    capacity = forms.IntegerField(label=gettext_lazy("Seats"), min_value=1)


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the sensor"), max_length=100, required=False)


class AutoPostForm(forms.Form):
    enabled = forms.BooleanField(
        label=gettext_lazy(
            "Post from the institution when a room fills and when it has seats again"
        ),
        required=False,
    )
    max_per_day = forms.IntegerField(
        label=gettext_lazy("At most this many posts a day"), min_value=1, max_value=48, initial=6
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the posts"),
        choices=[("fr", "Français"), ("en", "English")],
    )
    full_fr = forms.CharField(label=gettext_lazy("French text when full"), required=False)
    reopened_fr = forms.CharField(
        label=gettext_lazy("French text when seats are free again"), required=False
    )
    full_en = forms.CharField(label=gettext_lazy("English text when full"), required=False)
    reopened_en = forms.CharField(
        label=gettext_lazy("English text when seats are free again"), required=False
    )

    def templates(self) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for language in ("fr", "en"):
            for kind in AutoPostKind.values:
                text = (self.cleaned_data.get(f"{kind}_{language}") or "").strip()
                if text:
                    found.setdefault(language, {})[kind] = text
        return found


# --- shared --------------------------------------------------------------------------------


def _site(site_id: int) -> Site:
    return institution_queries.get_site(site_id)


def managed_site(request: HttpRequest, site_id: int) -> Site:
    site = _site(site_id)
    institution_queries.require_role(current_account(request), site.institution, Role.MANAGER)
    return site


def gauge(state: dict[str, Any]) -> dict[str, Any]:
    """What the SVG gauge of one space draws: the share of seats taken and its colour."""
    level = state["level"]
    count = state["count"]
    percent = 0
    if count is not None and level not in (Level.CLOSED, Level.UNKNOWN):
        percent = 100 if level == Level.FULL else min(100, round(100 * count / state["capacity"]))
    return {"percent": percent, "colour": LEVEL_COLOURS[Level(level)]}


def live_spaces(site: Site) -> dict[str, Any]:
    """The site's live state, each space with its level's label and its gauge."""
    found = queries.site_occupancy(site)
    for state in found["spaces"]:
        state["label"] = Level(state["level"]).label
        state["gauge"] = gauge(state)
    return found


def curve(points: list[dict[str, Any]], capacity: int) -> dict[str, Any]:
    """SVG polylines of today's counts and the usual ones, in a fixed viewBox."""
    top = max([capacity] + [p["count"] or 0 for p in points] + [p["usual"] or 0 for p in points])
    step = CURVE_WIDTH / max(1, len(points) - 1)

    def line(key: str) -> str:
        return " ".join(
            f"{i * step:.1f},{CURVE_HEIGHT - CURVE_HEIGHT * p[key] / top:.1f}"
            for i, p in enumerate(points)
            if p[key] is not None
        )

    known = [p for p in points if p["count"] is not None]
    return {
        "today": line("count"),
        "usual": line("usual"),
        "capacity_y": f"{CURVE_HEIGHT - CURVE_HEIGHT * capacity / top:.1f}",
        "width": CURVE_WIDTH,
        "height": CURVE_HEIGHT,
        "now": known[-1]["count"] if known else None,
        "peak_usual": max((p["usual"] for p in points if p["usual"] is not None), default=None),
    }


def weekly_hours(site: Site) -> list[tuple[str, str]]:
    opening = site.opening_hours or {}
    return [
        (str(name), ", ".join(f"{a}\u2013{b}" for a, b in opening.get(day, [])) or _("Closed"))
        for day, name in DAY_NAMES.items()
    ]


def map_url(site: Site) -> str:
    """A plain link to OpenStreetMap (no third-party tiles on the page)."""
    if site.latitude is None or site.longitude is None:
        return ""
    lat, lon = f"{site.latitude:.5f}", f"{site.longitude:.5f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"


# --- public pages --------------------------------------------------------------------------


@public_page
def site_list(request: HttpRequest) -> HttpResponse:
    """Every site of the instance by city (or of one institution with ``?institution=``)."""
    institution_id = request.GET.get("institution") or None
    by_city: dict[str, list[Site]] = {}
    for site in institution_queries.sites(institution_id):
        by_city.setdefault(site.city or _("Other"), []).append(site)
    return render(request, "sites/list.html", {"by_city": sorted(by_city.items())})


@public_page
def site_page(request: HttpRequest, site_id: int) -> HttpResponse:
    site = _site(site_id)
    live = live_spaces(site)
    forecast = queries.site_forecast(site)
    # The forecast is cached for the half-hour: a room added since has none yet.
    predictions = {item["id"]: item for item in forecast["spaces"]}
    details = []
    for space in site.spaces.all():
        predicted = predictions.get(str(space.pk), {"slots": [], "sentences": []})
        upcoming = [
            {**slot, "label": Level(slot["level"]).label, "time": slot["start"][11:16]}
            for slot in predicted["slots"][:12]
        ]
        details.append(
            {
                "space": space,
                "curve": curve(queries.day_curve(space), space.capacity),
                "forecast": upcoming,
                "sentences": predicted["sentences"][:3],
            }
        )
    context = {
        "site": site,
        "profile": institution_queries.profile(site.institution),
        "live": live,
        "details": details,
        "hours": weekly_hours(site),
        "map_url": map_url(site),
        "closures": queries.upcoming_closures(site),
        "viewer_is_staff": institution_queries.has_role(
            viewer_of(request), site.institution, Role.STAFF
        ),
    }
    return render(request, "sites/site.html", context)


@public_page
def site_live(request: HttpRequest, site_id: int) -> HttpResponse:
    """The live part of the site page, polled by htmx."""
    site = _site(site_id)
    return render(request, "sites/_live.html", {"site": site, "live": live_spaces(site)})


@public_page
def network(request: HttpRequest, account_id: int) -> HttpResponse:
    institution = institution_queries.get_institution_account(account_id)
    found = institution_queries.profile(institution)
    if found.type != InstitutionType.NETWORK:
        raise Http404
    members = queries.network_status(institution)
    for member in members:
        for live in member["sites"]:
            for state in live["spaces"]:
                state["label"] = Level(state["level"]).label
                state["gauge"] = gauge(state)
    return render(
        request,
        "sites/network.html",
        {"institution": institution, "profile": found, "members": members},
    )


@public_page
def history_csv(request: HttpRequest, site_id: int) -> HttpResponse:
    """Open data: a site's history for one month (``?month=2026-03``)."""
    site = _site(site_id)
    today = timezone.localdate()
    month = request.GET.get("month") or f"{today.year:04d}-{today.month:02d}"
    try:
        year_text, month_text = month.split("-")
        body = queries.history_csv(site, int(year_text), int(month_text))
    except (ValueError, ValidationError):
        return HttpResponse(
            _("Give the month as YYYY-MM."), status=400, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="site-{site.pk}-{month}.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@xframe_options_exempt
def embed(request: HttpRequest, site_id: int) -> HttpResponse:
    """The widget any website may frame: no script, inline styles, a few kilobytes."""
    try:
        site = _site(site_id)
    except NotFound:
        raise Http404 from None
    language = request.GET.get("lang", "fr")
    if language not in ("fr", "en"):
        language = "fr"
    with translation.override(language):
        response = render(
            request,
            "sites/embed.html",
            {"site": site, "live": live_spaces(site), "language": language},
        )
    response["Content-Security-Policy"] = EMBED_POLICY
    response["Cache-Control"] = "public, max-age=30"
    return response


# --- managers ------------------------------------------------------------------------------


@member_page
def institution_sites(request: HttpRequest, account_id: int) -> HttpResponse:
    """A manager's list of the institution's sites, and the form for a new one."""
    institution = institution_for(request, account_id, Role.MANAGER)
    form = SiteForm(request.POST or None, initial={"time_zone": "Europe/Paris"})
    if request.method == "POST" and form.is_valid():
        try:
            site = institution_services.create_site(
                current_account(request), institution_id=institution.pk, **form.site_fields()
            )
        except ValidationError as error:
            add_errors(form, error, SITE_ERROR_FIELDS)
        else:
            messages.success(request, _("The site is created: add its rooms below."))
            return redirect("web:site_manage", site.pk)
    context = institution_context(request, institution, "sites")
    context.update(form=form, sites=institution_queries.sites(institution.pk))
    return render(request, "sites/sites.html", context, status=400 if form.errors else 200)


def _manage_context(request: HttpRequest, site: Site, **forms_given: Any) -> dict[str, Any]:
    policy = AutoPostPolicy.objects.filter(site=site).first()
    auto_initial: dict[str, Any] = {"max_per_day": 6, "language": "fr"}
    if policy is not None:
        auto_initial.update(
            enabled=policy.enabled, max_per_day=policy.max_per_day, language=policy.language
        )
        for language, texts in (policy.templates or {}).items():
            for kind, text in texts.items():
                auto_initial[f"{kind}_{language}"] = text
    context = institution_context(request, site.institution, "sites")
    context.update(
        site=site,
        site_form=SiteForm(initial=site_initial(site)),
        closure_form=PeriodForm(prefix="closure"),
        holiday_form=PeriodForm(prefix="holiday"),
        space_form=SpaceForm(prefix="space"),
        token_form=TokenForm(prefix="token"),
        auto_form=AutoPostForm(initial=auto_initial),
        spaces=list(site.spaces.all()),
        closures=list(site.closures.order_by("start")),
        tokens=list(site.sensor_tokens.order_by("-created_at")),
        holidays=SchoolHoliday.objects.filter(institution=site.institution).order_by("start"),
    )
    context.update(forms_given)
    return context


@member_page
def site_manage(request: HttpRequest, site_id: int) -> HttpResponse:
    site = managed_site(request, site_id)
    return render(request, "sites/manage.html", _manage_context(request, site))


def _save_site(request: HttpRequest, site: Site, actor: Account) -> dict[str, Any] | None:
    form = SiteForm(request.POST)
    if form.is_valid():
        try:
            institution_services.update_site(actor, site, **form.site_fields())
            return None
        except ValidationError as error:
            add_errors(form, error, SITE_ERROR_FIELDS)
    return {"site_form": form}


def _add_closure(request: HttpRequest, site: Site, actor: Account) -> dict[str, Any] | None:
    form = PeriodForm(request.POST, prefix="closure")
    if form.is_valid():
        data = form.cleaned_data
        try:
            institution_services.add_closure(
                actor, site, data["start"], data["end"], data["reason"]
            )
            return None
        except ValidationError as error:
            add_errors(form, error, {"closure": "end"})
    return {"closure_form": form}


def _add_holiday(request: HttpRequest, site: Site, actor: Account) -> dict[str, Any] | None:
    form = PeriodForm(request.POST, prefix="holiday")
    if form.is_valid():
        data = form.cleaned_data
        try:
            institution_services.add_school_holiday(
                actor, site.institution, data["start"], data["end"], data["reason"]
            )
            return None
        except ValidationError as error:
            add_errors(form, error, {"holidays": "end"})
    return {"holiday_form": form}


def _add_space(request: HttpRequest, site: Site, actor: Account) -> dict[str, Any] | None:
    form = SpaceForm(request.POST, prefix="space")
    if form.is_valid():
        try:
            services.create_space(
                actor, site, form.cleaned_data["name"], form.cleaned_data["capacity"]
            )
            return None
        except ValidationError as error:
            add_errors(form, error, {"name": "name", "capacity": "capacity"})
    return {"space_form": form}


def _add_token(request: HttpRequest, site: Site, actor: Account) -> dict[str, Any] | None:
    form = TokenForm(request.POST, prefix="token")
    if not form.is_valid():
        return {"token_form": form}
    token, raw = services.create_sensor_token(actor, site, form.cleaned_data["name"])
    # The token is shown on this answer only: it is stored hashed.
    return {"new_token": raw, "new_token_record": token}


def _auto_posts(request: HttpRequest, site: Site, actor: Account) -> dict[str, Any] | None:
    form = AutoPostForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.set_auto_posts(
                actor,
                site,
                enabled=data["enabled"],
                max_per_day=data["max_per_day"],
                templates=form.templates(),
                language=data["language"],
            )
            return None
        except ValidationError as error:
            add_errors(form, error, {"max_per_day": "max_per_day", "language": "language"})
    return {"auto_form": form}


SITE_ACTIONS = {
    "site": _save_site,
    "closure": _add_closure,
    "holiday": _add_holiday,
    "space": _add_space,
    "token": _add_token,
    "auto_posts": _auto_posts,
}


@require_POST
@member_page
def site_manage_action(request: HttpRequest, site_id: int, what: str) -> HttpResponse:
    """One form of the site's management page; an error shows the page again with it."""
    site = managed_site(request, site_id)
    if what not in SITE_ACTIONS:
        raise Http404
    with transaction.atomic():
        shown = SITE_ACTIONS[what](request, site, current_account(request))
    if shown is None:
        messages.success(request, _("Saved."))
        return redirect("web:site_manage", site.pk)
    status = 200 if "new_token" in shown else 400
    return render(
        request, "sites/manage.html", _manage_context(request, site, **shown), status=status
    )


@require_POST
@member_page
def site_remove(request: HttpRequest, site_id: int, what: str, item_id: int) -> HttpResponse:
    """Remove a closure or a space, or revoke a sensor token."""
    site = managed_site(request, site_id)
    actor = current_account(request)
    if what == "closure":
        institution_services.remove_closure(actor, site, item_id)
    elif what == "space":
        services.delete_space(actor, _space_of(site, item_id))
    elif what == "token":
        services.revoke_sensor_token(actor, site, item_id)
    else:
        raise Http404
    messages.success(request, _("Saved."))
    return redirect("web:site_manage", site.pk)


def _space_of(site: Site, space_id: int) -> Space:
    try:
        return site.spaces.get(pk=space_id)
    except Space.DoesNotExist:
        raise Http404 from None


def _period(request: HttpRequest) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        end = date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = end - timedelta(days=27)
    if start > end or (end - start).days > 366:
        start = end - timedelta(days=27)
    return start, end


def heat_rows(grid: dict[int, dict[int, int]]) -> tuple[list[str], list[dict[str, Any]]]:
    """The heat map as table rows; only the half-hours with data anywhere are columns."""
    slots = sorted({slot for row in grid.values() for slot in row})
    names = list(DAY_NAMES.values())
    rows = []
    for weekday in range(7):
        cells = []
        for slot in slots:
            value = grid.get(weekday, {}).get(slot)
            step = None if value is None else min(4, value // 25)
            cells.append({"value": value, "step": step})
        rows.append({"day": names[weekday], "cells": cells})
    headers = [f"{slot // 2:02d}:{30 * (slot % 2):02d}" for slot in slots]
    return headers, rows


@member_page
def statistics(request: HttpRequest, site_id: int) -> HttpResponse:
    site = managed_site(request, site_id)
    viewer = current_account(request)
    start, end = _period(request)
    spaces = []
    for space in site.spaces.all():
        headers, rows = heat_rows(queries.heat_map(viewer, space, start, end))
        spaces.append(
            {
                "space": space,
                "headers": headers,
                "rows": rows,
                "compare": queries.compare_with_previous_year(viewer, space, start, end),
            }
        )
    today = timezone.localdate()
    context = institution_context(request, site.institution, "sites")
    context.update(
        site=site,
        start=start,
        end=end,
        spaces=spaces,
        busiest=queries.busiest_days(viewer, site, start, end),
        months=[_month_back(today, back) for back in range(12)],
    )
    return render(request, "sites/statistics.html", context)


def _month_back(today: date, back: int) -> str:
    index = today.year * 12 + today.month - 1 - back
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


# --- the staff phone page ------------------------------------------------------------------


@member_page
def staff_phone(request: HttpRequest) -> HttpResponse:
    """Large buttons to update each room of the sites the viewer works at."""
    viewer = current_account(request)
    sites = queries.sites_for_staff(viewer)
    return render(
        request,
        "sites/phone.html",
        {"sites": [(site, live_spaces(site)) for site in sites], "queues": QUEUE_CHOICES},
    )


def _phone_update(request: HttpRequest) -> dict[str, Any]:
    """The update a phone button asks for, as ``update_occupancy`` takes it."""
    action = request.POST.get("action", "")
    if action == "plus":
        return {"delta": 1}
    if action == "minus":
        return {"delta": -1}
    if action == "full":
        return {"full": True}
    if action == "open":
        return {"full": False}
    if action == "set":
        try:
            return {"count": int(request.POST.get("count", ""))}
        except ValueError:
            raise ValidationError(_("Give the number of people as a whole number.")) from None
    if action == "queue":
        try:
            return {"queue_minutes": int(request.POST.get("queue_minutes", ""))}
        except ValueError:
            raise ValidationError(_("Choose a waiting time.")) from None
    raise ValidationError(_("Unknown button."))


@require_POST
@member_page
def space_update(request: HttpRequest, space_id: int) -> HttpResponse:
    viewer = current_account(request)
    space = services.get_space(space_id)
    try:
        body = _phone_update(request)
        services.update_occupancy(space, viewer, **body)
        if body.get("full") is False and space.declared_closed:
            services.update_occupancy(space, viewer, closed=False)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("%(space)s is updated.") % {"space": space.name})
    if is_htmx(request):
        site = space.site
        return render(
            request,
            "sites/_phone_site.html",
            {"site": site, "live": live_spaces(site), "queues": QUEUE_CHOICES},
        )
    return redirect(f"{reverse('web:staff_phone')}#space-{space.pk}")
