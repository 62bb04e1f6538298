"""Reactions on the pages: the form under each post, and who reacted."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from babillard.reactions import queries, services
from babillard.statuses.queries import get_visible_status
from babillard.web.views.common import (
    back,
    current_account,
    is_htmx,
    member_page,
    public_page,
    status_context,
    viewer_of,
)
from babillard.web.views.statuses import status_path


@require_POST
@member_page
def react(request: HttpRequest, status_id: int) -> HttpResponse:
    """Put the chosen emoji on the post, or take it off (``remove``); htmx swaps the post."""
    viewer = current_account(request)
    status = get_visible_status(viewer, status_id)
    emoji = request.POST.get("emoji", "")
    refused: list[str] = []
    try:
        if request.POST.get("remove"):
            services.unreact(viewer, status, emoji)
        else:
            services.react(viewer, status, emoji)
    except ValidationError as error:
        refused = list(error.messages)
    if is_htmx(request):
        fresh = get_visible_status(viewer, status_id)
        context = {"status": fresh, "flags": status_context(viewer, [fresh]), "refused": refused}
        return render(request, "web/_status.html", context)
    for text in refused:
        messages.error(request, text)
    return back(request, status_path(status))


@public_page
def reactions(request: HttpRequest, username: str, status_id: int) -> HttpResponse:
    viewer = viewer_of(request)
    status = get_visible_status(viewer, status_id)
    original = status.reblog or status
    if original.account.acct.lower() != username.lower():
        raise Http404
    rows = queries.with_accounts(viewer, original)
    return render(request, "reactions/reactions.html", {"status": original, "rows": rows})
