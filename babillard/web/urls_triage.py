"""Web pages of triage."""

from django.urls import path

from babillard.web.views import triage

urlpatterns = [
    path("catch_up", triage.catch_up, name="catch_up"),
    path("digest", triage.digest, name="digest"),
    path("digest/feed/<str:token>.atom", triage.DigestAtom(), name="digest_feed"),
    path("lists/<int:list_id>/exclusive", triage.list_exclusive, name="list_exclusive"),
    path("priorities/<int:account_id>", triage.account_priority, name="account_priority"),
    path("settings/priorities", triage.priorities, name="settings_priorities"),
    path("settings/filters", triage.filters, name="settings_filters"),
    path("settings/filters/<int:filter_id>/delete", triage.delete_filter, name="filter_delete"),
    path(
        "settings/notifications",
        triage.notification_policy,
        name="settings_notification_policy",
    ),
    path("notifications/requests", triage.notification_requests, name="notification_requests"),
    path(
        "notifications/requests/<int:request_id>",
        triage.notification_request,
        name="notification_request",
    ),
    path(
        "notifications/requests/<int:request_id>/<str:verb>",
        triage.answer_notification_request,
        name="answer_notification_request",
    ),
]
