from django.urls import URLPattern, URLResolver, path, re_path

from babillard.federation import views

app_name = "federation"
urlpatterns: list[URLPattern | URLResolver] = [
    path(".well-known/webfinger", views.webfinger, name="webfinger"),
    path(".well-known/host-meta", views.host_meta, name="host-meta"),
    path(".well-known/nodeinfo", views.nodeinfo_index, name="nodeinfo-index"),
    path("nodeinfo/<str:version>", views.nodeinfo, name="nodeinfo"),
    path("actor", views.instance_actor_view, name="instance-actor"),
    path("inbox", views.shared_inbox, name="shared-inbox"),
    path("users/<str:username>", views.actor, name="actor"),
    path("users/<str:username>/inbox", views.personal_inbox, name="inbox"),
    path("users/<str:username>/outbox", views.outbox, name="outbox"),
    path("users/<str:username>/followers", views.followers, name="followers"),
    path("users/<str:username>/following", views.following, name="following"),
    path("users/<str:username>/collections/featured", views.featured, name="featured"),
    path("users/<str:username>/collections/tags", views.featured_tags, name="featured-tags"),
    path("users/<str:username>/statuses/<int:status_id>", views.status_object, name="status"),
    path(
        "users/<str:username>/statuses/<int:status_id>/activity",
        views.status_activity,
        name="status-activity",
    ),
    path(
        "users/<str:username>/quote_authorizations/<int:quote_id>",
        views.quote_authorization,
        name="quote-authorization",
    ),
    # Only local handles: remote profiles (/@bob@example.org) and feeds go straight to the web.
    re_path(r"^@(?P<username>[A-Za-z0-9_]+)$", views.profile, name="profile"),
    re_path(
        r"^@(?P<username>[A-Za-z0-9_]+)/(?P<status_id>[0-9]+)$",
        views.status_page,
        name="status-page",
    ),
]
