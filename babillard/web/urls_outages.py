"""Web pages of outages: the platforms board, a page per platform, their actions, feeds
and the embeddable widget."""

from django.urls import path

import babillard.web.views.outages as outages

urlpatterns: list = [
    path("platforms", outages.board, name="platforms"),
    path("platforms/propose", outages.propose, name="platform_propose"),
    path("platforms/proposals", outages.proposals, name="platform_proposals"),
    path("platforms/incidents.rss", outages.IncidentsRss(), name="incidents_rss"),
    path("platforms/incidents.atom", outages.IncidentsAtom(), name="incidents_atom"),
    path("platforms/incidents.json", outages.incidents_json, name="incidents_json"),
    path("platforms/<slug:slug>", outages.platform_page, name="platform"),
    path("platforms/<slug:slug>/report", outages.report, name="platform_report"),
    path("platforms/<slug:slug>/subscribe", outages.subscribe, name="platform_subscribe"),
    path(
        "platforms/<slug:slug>/incidents.rss",
        outages.IncidentsRss(),
        name="platform_incidents_rss",
    ),
    path(
        "platforms/<slug:slug>/incidents.atom",
        outages.IncidentsAtom(),
        name="platform_incidents_atom",
    ),
    path(
        "platforms/<slug:slug>/incidents.json",
        outages.incidents_json,
        name="platform_incidents_json",
    ),
    path("incidents/<int:incident_id>/update", outages.update_incident, name="incident_update"),
    path("incidents/<int:incident_id>/me-too", outages.me_too, name="incident_me_too"),
    path("embed/platforms", outages.embed, name="embed_platforms"),
]
