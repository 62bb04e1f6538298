"""Web pages of portability: imports, exports, archives, and hashtag walls."""

from django.urls import path, re_path

from babillard.web.views import portability

TAG = r"(?P<name>[^/.]+)"

urlpatterns = [
    path("settings/import", portability.imports, name="settings_import"),
    path(
        "settings/import/<int:import_id>",
        portability.import_detail,
        name="settings_import_detail",
    ),
    path("settings/export", portability.exports, name="settings_export"),
    path(
        "settings/export/archives/<int:archive_id>",
        portability.archive_download,
        name="settings_archive",
    ),
    re_path(
        r"^settings/export/(?P<filename>[a-z_]+\.csv)$",
        portability.export_file,
        name="settings_export_file",
    ),
    re_path(rf"^tags/{TAG}/wall$", portability.wall, name="wall"),
    re_path(rf"^tags/{TAG}/wall/posts$", portability.wall_posts, name="wall_posts"),
    re_path(rf"^tags/{TAG}/wall/moderation$", portability.wall_moderation, name="wall_moderation"),
    re_path(
        rf"^tags/{TAG}/wall/moderation/(?P<status_id>[0-9]+)/(?P<verb>approve|reject)$",
        portability.wall_decide,
        name="wall_decide",
    ),
]
