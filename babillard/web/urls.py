"""The web pages. Shapes follow Mastodon's web addresses where they exist (``/@name``,
``/@name/<id>``, ``/tags/<name>``, ``/public/local``)."""

from django.urls import include, path, re_path

import babillard.web.views.books as books
import babillard.web.views.events as events
import babillard.web.views.federation_settings as federation_settings
import babillard.web.views.institutions as institutions
import babillard.web.views.sites as sites
from babillard.web import feeds
from babillard.web.views import accounts, auth, moderation, settings, statuses, timelines

app_name = "web"

# Remote servers allow more characters in user names than this one does (dots, dashes).
USER = r"(?P<username>[^/@\s]+(?:@[A-Za-z0-9.:-]+)?)"
LOCAL_USER = r"(?P<username>[A-Za-z0-9_]+)"
TAG = r"(?P<name>[^/.]+)"

urlpatterns = [
    path("", timelines.landing, name="landing"),
    path("about", timelines.about, name="about"),
    path("home", timelines.home, name="home"),
    path("home/new", timelines.home_new, name="home_new"),
    path("public/local", timelines.local, name="local"),
    re_path(rf"^tags/{TAG}\.rss$", feeds.TagRss(), name="tag_rss"),
    re_path(rf"^tags/{TAG}\.atom$", feeds.TagAtom(), name="tag_atom"),
    re_path(rf"^tags/{TAG}$", timelines.hashtag, name="tag"),
    path("bookmarks", timelines.bookmarks, name="bookmarks"),
    path("favourites", timelines.favourites, name="favourites"),
    path("compose", statuses.compose, name="compose"),
    path("scheduled", statuses.scheduled, name="scheduled"),
    path("scheduled/<int:scheduled_id>/cancel", statuses.cancel_scheduled, name="cancel_scheduled"),
    path(
        "statuses/<int:status_id>/reblog_as/<int:account_id>",
        institutions.reblog_as,
        name="status_reblog_as",
    ),
    path("statuses/<int:status_id>/delete", statuses.delete, name="status_delete"),
    path("quotes/mine", statuses.my_quotes, name="my_quotes"),
    path(
        "statuses/<int:status_id>/quotes/<int:quoting_id>/revoke",
        statuses.revoke_quote,
        name="revoke_quote",
    ),
    path("statuses/<int:status_id>/vote", statuses.vote, name="status_vote"),
    path("statuses/<int:status_id>/<str:verb>", statuses.action, name="status_action"),
    path("accounts/<int:account_id>/report", accounts.report, name="report"),
    path("accounts/<int:account_id>/<str:verb>", accounts.relation, name="relation"),
    path("follow_requests", accounts.follow_requests, name="follow_requests"),
    path(
        "follow_requests/<int:account_id>/<str:verb>",
        accounts.answer_follow_request,
        name="answer_follow_request",
    ),
    path("search", accounts.search, name="search"),
    path("notifications", accounts.notifications, name="notifications"),
    path("notifications/read", accounts.notifications_read, name="notifications_read"),
    path("lists", accounts.lists, name="lists"),
    path("lists/<int:list_id>", accounts.list_detail, name="list"),
    path("lists/<int:list_id>/delete", accounts.list_delete, name="list_delete"),
    path("lists/<int:list_id>/members/<str:verb>", accounts.list_members, name="list_members"),
    # Books and bibliographies
    re_path(r"^books/(?P<key>[0-9]{13}|id-[0-9]+)$", books.book_page, name="book"),
    re_path(r"^books/(?P<key>[0-9]{13}|id-[0-9]+)/work$", books.book_work, name="book_work"),
    path("settings/library", books.home_library, name="settings_library"),
    path("bibliographies", books.bibliographies, name="bibliographies"),
    re_path(
        rf"^@{LOCAL_USER}/bibliographies$",
        books.account_bibliographies,
        name="account_bibliographies",
    ),
    path("bibliographies/<int:bibliography_id>", books.bibliography, name="bibliography"),
    path("bibliographies/<int:bibliography_id>.rss", books.BibliographyRss(), name="bib_rss"),
    path("bibliographies/<int:bibliography_id>.atom", books.BibliographyAtom(), name="bib_atom"),
    path("bibliographies/<int:bibliography_id>.csv", books.bibliography_csv, name="bib_csv"),
    path("bibliographies/<int:bibliography_id>.ris", books.bibliography_ris, name="bib_ris"),
    path("bibliographies/<int:bibliography_id>/embed", books.bibliography_embed, name="bib_embed"),
    path(
        "bibliographies/<int:bibliography_id>/delete",
        books.bibliography_delete,
        name="bibliography_delete",
    ),
    path(
        "bibliographies/<int:bibliography_id>/items/<int:item_id>/remove",
        books.bibliography_remove,
        name="bibliography_remove",
    ),
    # Settings
    path("settings/profile", settings.profile, name="settings_profile"),
    path("settings/account", settings.account, name="settings_account"),
    path("settings/preferences", settings.preferences, name="settings_preferences"),
    path("settings/mutes", settings.mutes, name="settings_mutes"),
    path("settings/blocks", settings.blocks, name="settings_blocks"),
    path(
        "settings/domain_blocks",
        federation_settings.domain_blocks,
        name="settings_domain_blocks",
    ),
    path(
        "settings/domain_blocks/remove",
        federation_settings.unhide_domain,
        name="settings_domain_unblock",
    ),
    path("settings/aliases", federation_settings.aliases, name="settings_aliases"),
    path(
        "settings/aliases/<int:alias_id>/remove",
        federation_settings.remove_alias,
        name="settings_alias_remove",
    ),
    path("settings/invites", settings.invites, name="settings_invites"),
    path("settings/two_factor", settings.two_factor, name="settings_two_factor"),
    # Authentication
    path("auth/sign_up", auth.sign_up, name="sign_up"),
    path("invite/<str:code>", auth.sign_up, name="invite"),
    path("auth/confirm/<str:token>/", auth.confirm, name="confirm"),
    path("auth/login", auth.login, name="login"),
    path("auth/login/code", auth.login_code, name="login_code"),
    path("auth/logout", auth.logout, name="logout"),
    path("auth/password/reset", auth.password_reset, name="password_reset"),
    path("auth/password/reset/done", auth.password_reset_done, name="password_reset_done"),
    path(
        "auth/password/reset/<uidb64>/<token>/",
        auth.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "auth/password/reset/complete",
        auth.password_reset_complete,
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    # Moderation
    path("moderation/", moderation.reports, name="moderation"),
    path("moderation/sign_ups", moderation.sign_ups, name="moderation_sign_ups"),
    path(
        "moderation/sign_ups/<int:user_id>/<str:verb>",
        moderation.answer_sign_up,
        name="moderation_answer_sign_up",
    ),
    path("moderation/reports", moderation.reports, name="moderation_reports"),
    path("moderation/reports/<int:report_id>", moderation.report_detail, name="moderation_report"),
    path(
        "moderation/reports/<int:report_id>/<str:verb>",
        moderation.report_action,
        name="moderation_report_action",
    ),
    path("moderation/accounts", moderation.accounts, name="moderation_accounts"),
    path(
        "moderation/accounts/<int:account_id>/<str:verb>",
        moderation.account_action,
        name="moderation_account_action",
    ),
    path("moderation/log", moderation.audit_log, name="moderation_log"),
    path(
        "moderation/domain_blocks",
        federation_settings.server_blocks,
        name="moderation_domain_blocks",
    ),
    path(
        "moderation/domain_blocks/remove",
        federation_settings.lift_server_block,
        name="moderation_domain_unblock",
    ),
    # Events and their calendars
    path("events", events.agenda, name="events"),
    path("events.ics", events.events_ics, name="events_ics"),
    path("events/new", events.new_event, name="event_new"),
    path("events/mine", events.my_events, name="my_events"),
    path("events/mine/<str:token>.ics", events.my_events_ics, name="my_events_ics"),
    path("events/<int:event_id>", events.event_page, name="event"),
    path("events/<int:event_id>.ics", events.event_ics, name="event_ics"),
    path("events/<int:event_id>/edit", events.edit_event, name="event_edit"),
    path("events/<int:event_id>/cancel", events.cancel_event, name="event_cancel"),
    path("events/<int:event_id>/participation", events.participation, name="event_participation"),
    path("events/<int:event_id>/participants", events.participants, name="event_participants"),
    path(
        "events/<int:event_id>/participants.csv",
        events.participants,
        {"csv": True},
        name="event_participants_csv",
    ),
    path("sites/<int:site_id>/events", events.site_agenda, name="site_events"),
    path("sites/<int:site_id>/events.ics", events.site_events_ics, name="site_events_ics"),
    re_path(rf"^tags/{TAG}/events$", events.tag_agenda, name="tag_events"),
    re_path(rf"^tags/{TAG}/events\.ics$", events.tag_events_ics, name="tag_events_ics"),
    re_path(rf"^@{LOCAL_USER}/events$", events.account_agenda, name="account_events"),
    re_path(rf"^@{LOCAL_USER}/events\.ics$", events.account_events_ics, name="account_events_ics"),
    path("moderation/institutions", institutions.moderation, name="moderation_institutions"),
    path(
        "moderation/institutions/<int:account_id>/<str:verb>",
        institutions.moderation_action,
        name="moderation_institution_action",
    ),
    # Institutions, sites and live occupancy
    path("institutions", institutions.mine, name="institutions"),
    path("institutions/<int:account_id>", institutions.manage, name="institution"),
    path("institutions/<int:account_id>/staff", institutions.staff, name="institution_staff"),
    path(
        "institutions/<int:account_id>/staff/<int:member_id>/remove",
        institutions.remove_member,
        name="institution_remove_member",
    ),
    path("institutions/<int:account_id>/audit", institutions.audit, name="institution_audit"),
    path(
        "institutions/<int:account_id>/grants/<int:grant_id>/revoke",
        institutions.revoke_grant,
        name="institution_revoke_grant",
    ),
    path(
        "institutions/<int:account_id>/timeline",
        institutions.timeline,
        name="institution_timeline",
    ),
    path(
        "institutions/<int:account_id>/calendar",
        institutions.calendar,
        name="institution_calendar",
    ),
    path(
        "institutions/<int:account_id>/templates/<int:template_id>/delete",
        institutions.delete_template,
        name="institution_delete_template",
    ),
    path("institutions/<int:account_id>/sites", sites.institution_sites, name="institution_sites"),
    path("institutions/<int:account_id>/network", sites.network, name="network"),
    path("sites", sites.site_list, name="sites"),
    path("sites/<int:site_id>", sites.site_page, name="site"),
    path("sites/<int:site_id>/live", sites.site_live, name="site_live"),
    path("sites/<int:site_id>/history.csv", sites.history_csv, name="site_history_csv"),
    path("sites/<int:site_id>/manage", sites.site_manage, name="site_manage"),
    path(
        "sites/<int:site_id>/manage/<str:what>",
        sites.site_manage_action,
        name="site_manage_action",
    ),
    path(
        "sites/<int:site_id>/manage/<str:what>/<int:item_id>/remove",
        sites.site_remove,
        name="site_remove",
    ),
    path("sites/<int:site_id>/statistics", sites.statistics, name="site_statistics"),
    path("embed/sites/<int:site_id>", sites.embed, name="embed_site"),
    path("occupancy", sites.staff_phone, name="staff_phone"),
    path("spaces/<int:space_id>/occupancy", sites.space_update, name="space_update"),
    # Profiles and posts
    re_path(rf"^@{LOCAL_USER}\.rss$", feeds.AccountRss(), name="profile_rss"),
    re_path(rf"^@{LOCAL_USER}\.atom$", feeds.AccountAtom(), name="profile_atom"),
    re_path(rf"^@{USER}$", accounts.profile, name="profile"),
    re_path(
        rf"^@{USER}/with_replies$", accounts.profile, {"tab": "replies"}, name="profile_replies"
    ),
    re_path(rf"^@{USER}/media$", accounts.profile, {"tab": "media"}, name="profile_media"),
    path("", include("babillard.web.urls_watch")),
    path("", include("babillard.web.urls_boards")),
    path("", include("babillard.web.urls_triage")),
    path("", include("babillard.web.urls_portability")),
    path("", include("babillard.web.urls_outages")),
    path("", include("babillard.web.urls_quotes")),
    path("", include("babillard.web.urls_groups")),
    path("", include("babillard.web.urls_reactions")),
    re_path(rf"^@{USER}/(?P<which>followers|following)$", accounts.collection, name="collection"),
    re_path(rf"^@{USER}/(?P<status_id>[0-9]+)$", statuses.status_page, name="status"),
    re_path(rf"^@{USER}/(?P<status_id>[0-9]+)/edit$", statuses.edit, name="status_edit"),
    re_path(rf"^@{USER}/(?P<status_id>[0-9]+)/history$", statuses.history, name="status_history"),
]
