"""Web pages of reactions."""

from django.urls import path, re_path

from babillard.web.urls import USER
from babillard.web.views import reactions

urlpatterns = [
    path("statuses/<int:status_id>/reactions/react", reactions.react, name="status_react"),
    re_path(
        rf"^@{USER}/(?P<status_id>\d+)/reactions$", reactions.reactions, name="status_reactions"
    ),
]
