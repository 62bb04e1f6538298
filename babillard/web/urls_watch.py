"""Web pages of watch: the deck, antennas and their private feeds, outside feeds."""

from django.urls import path

from babillard.web.views import watch

urlpatterns = [
    path("deck", watch.deck, name="deck"),
    path("deck/columns/<int:column_id>", watch.column, name="deck_column"),
    path("deck/columns/<int:column_id>/<str:verb>", watch.column_action, name="deck_column_action"),
    path("deck/sources", watch.sources, name="sources"),
    path("deck/sources/import", watch.opml_import, name="sources_import"),
    path("deck/sources/feeds.opml", watch.opml_export, name="sources_export"),
    path("deck/sources/<int:source_id>/unfollow", watch.unfollow_source, name="source_unfollow"),
    path("antennas", watch.antennas, name="antennas"),
    path("antennas/<int:antenna_id>", watch.antenna, name="antenna"),
    path("antennas/<int:antenna_id>/<str:verb>", watch.antenna_action, name="antenna_action"),
    path("antennas/feed/<str:token>.atom", watch.AntennaAtom(), name="antenna_atom"),
    path("antennas/feed/<str:token>.rss", watch.AntennaRss(), name="antenna_rss"),
]
