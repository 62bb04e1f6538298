"""Pages of imports and exports (``/settings/import``, ``/settings/export`` and its
files) and the live wall of a hashtag (``/tags/:tag/wall``) with its moderation."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from babillard.accounts.models import Account
from babillard.api.base import ApiError, account_for_token, token_of
from babillard.core import links
from babillard.core.errors import NotFound
from babillard.portability import csvfiles, queries, services
from babillard.portability.forms import ImportForm
from babillard.portability.models import JobState
from babillard.statuses.queries import get_visible_status
from babillard.web.views.common import (
    add_errors,
    current_account,
    member_page,
    public_page,
    qr_svg,
    status_context,
    viewer_of,
)

ACTIVE = (JobState.QUEUED, JobState.RUNNING)
WALL_REFRESH_SECONDS = 30
PROGRESS_REFRESH_SECONDS = 3


@member_page
def imports(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.start_import(account, data["kind"], data["mode"], data["file"].read())
        except ValidationError as error:
            add_errors(form, error, {"type": "kind", "mode": "mode"})
        else:
            messages.success(request, _("Your file is received; it is being imported."))
            return redirect("web:settings_import_detail", import_id=item.pk)
    return render(
        request,
        "portability/imports.html",
        {"form": form, "imports": queries.imports_of(account)[:20]},
        status=422 if form.errors else 200,
    )


@member_page
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    item = services.get_import(current_account(request), import_id)
    active = item.state in ACTIVE
    return render(
        request,
        "portability/import_detail.html",
        {"item": item, "active": active, "refresh": PROGRESS_REFRESH_SECONDS if active else 0},
    )


@member_page
def exports(request: HttpRequest) -> HttpResponse:
    account = current_account(request)
    if request.method == "POST":
        try:
            services.request_archive(account)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Your archive is being prepared."))
        return redirect("web:settings_export")
    archives = list(queries.archives_of(account)[:5])
    active = any(a.state in ACTIVE for a in archives)
    return render(
        request,
        "portability/exports.html",
        {
            "files": list(csvfiles.EXPORTS.values()),
            "archives": archives,
            "refresh": PROGRESS_REFRESH_SECONDS if active else 0,
        },
    )


def _exporting_account(request: HttpRequest, scope: str) -> Account | None:
    """The signed-in reader, or the owner of a bearer token with ``scope``."""
    account = viewer_of(request)
    if account is not None:
        return account
    token = token_of(request)
    return account_for_token(token, scope) if token is not None else None


def export_file(request: HttpRequest, filename: str) -> HttpResponse:
    """One of Mastodon's CSV files, for a browser session or a bearer token."""
    wanted = csvfiles.EXPORTS.get(filename)
    if wanted is None:
        raise Http404
    try:
        account = _exporting_account(request, wanted.scope)
    except ApiError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    if account is None:
        return redirect_to_login(request.get_full_path())
    body = csvfiles.write(csvfiles.export_rows(account, wanted.kind))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def archive_download(request: HttpRequest, archive_id: int) -> HttpResponseBase:
    """The zip, streamed to its owner only."""
    account = viewer_of(request)
    if account is None:
        return redirect_to_login(request.get_full_path())
    try:
        archive = services.get_archive(account, archive_id)
    except NotFound:
        raise Http404 from None
    name = (archive.file.name or "archive.zip").rsplit("/", 1)[-1]
    response = FileResponse(archive.file.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


# The live wall of a hashtag.


def _wall_context(request: HttpRequest, name: str, since_id: str | None) -> dict[str, object]:
    page = queries.wall_posts(name, since_id=since_id)
    return {
        "tag": name,
        "statuses": page.items,
        "newest_id": page.newest_key or since_id or "",
        "flags": status_context(None, page.items),
    }


@public_page
def wall(request: HttpRequest, name: str) -> HttpResponse:
    """A projection page: large type, newest first, live with JavaScript, refreshed without."""
    context = _wall_context(request, name, None)
    tag_url = links.absolute(reverse("web:tag", args=[name]))
    wall_row = queries.get_wall(name)
    context.update(
        {
            "tag_url": tag_url,
            "qr_svg": qr_svg(
                tag_url, _("QR code of the page of #%(tag)s") % {"tag": name}, "wall-qr"
            ),
            "refresh": WALL_REFRESH_SECONDS,
            "wall": wall_row,
            "can_moderate": services.may_moderate_wall(viewer_of(request), wall_row),
        }
    )
    return render(request, "portability/wall.html", context)


@public_page
def wall_posts(request: HttpRequest, name: str) -> HttpResponse:
    """The posts newer than ``since_id``, as the fragment the wall's script inserts."""
    context = _wall_context(request, name, request.GET.get("since_id") or None)
    response = render(request, "portability/_wall_posts.html", context)
    response["X-Newest-Id"] = str(context["newest_id"])
    return response


@member_page
def wall_moderation(request: HttpRequest, name: str) -> HttpResponse:
    account = current_account(request)
    wall_row = queries.get_wall(name)
    if not services.may_moderate_wall(account, wall_row):
        raise PermissionDenied
    if request.method == "POST":
        moderated = request.POST.get("moderated") == "on"
        services.set_wall_moderation(account, name, moderated)
        if moderated:
            messages.success(request, _("Posts now wait for approval before they show."))
        else:
            messages.success(request, _("Every post with the hashtag now shows."))
        return redirect("web:wall_moderation", name=name)
    queue = queries.wall_queue(wall_row) if wall_row is not None else []
    return render(
        request,
        "portability/wall_moderation.html",
        {
            "tag": name,
            "wall": wall_row,
            "queue": queue,
            "flags": status_context(account, queue),
        },
    )


@require_POST
@member_page
def wall_decide(request: HttpRequest, name: str, status_id: int, verb: str) -> HttpResponse:
    if verb not in ("approve", "reject"):
        raise Http404
    account = current_account(request)
    try:
        status = get_visible_status(None, status_id)
    except NotFound:
        raise Http404 from None
    try:
        services.decide_wall_post(account, name, status, verb == "approve")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("web:wall_moderation", name=name)
