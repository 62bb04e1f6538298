"""Web pages of groups."""

from django.urls import path

from babillard.web.views import groups

urlpatterns = [
    path("groups", groups.directory, name="groups"),
    path("groups/<str:username>", groups.group, name="group"),
    path("groups/<str:username>/members", groups.members, name="group_members"),
    path("groups/<str:username>/moderators", groups.moderators, name="group_moderators"),
    path("groups/<str:username>/moderation", groups.moderation, name="group_moderation"),
    path("groups/<str:username>/deck", groups.add_to_deck, name="group_add_to_deck"),
    path("groups/<str:username>/<str:verb>", groups.membership, name="group_membership"),
]
