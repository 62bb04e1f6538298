"""The visibility matrix covers every surface that can show a post.

Each page or document of the resolver and each operation of the two OpenAPI documents
whose answer holds a post must name the surface of ``tests/test_visibility_matrix.py``
that checks the query it reads, or stand in a list, with its reason, of surfaces that
never show posts. A route added without either fails here, so the matrix grows with
the code.
"""

from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from babillard.api.api import api
from babillard.api.babillard import babillard_api
from tests.test_visibility_matrix import SURFACES

API_PREFIXES = ("admin/", "api/v1/", "api/v2/", "api/babillard/")

# Pages and documents (by URL name) -> the matrix surface that checks the query they read.
PAGES_IN_MATRIX = {
    "federation:status": "page",
    "federation:status-activity": "page",
    "federation:status-page": "page",
    "federation:quote-authorization": "quoted",
    "web:status": "thread",
    "web:status_history": "page",
    "web:status_edit": "page",
    "web:status_reactions": "page",
    "web:compose": "quoted",
    "federation:profile": "profile",
    "federation:outbox": "profile",
    "federation:featured": "profile",
    "web:profile": "profile",
    "web:profile_replies": "profile",
    "web:profile_media": "profile",
    "web:profile_rss": "profile",
    "web:profile_atom": "profile",
    "web:report": "profile",
    "web:home": "home",
    "web:home_new": "home",
    "web:local": "local timeline",
    "web:landing": "local timeline",
    "web:tag": "hashtag",
    "web:tag_rss": "hashtag",
    "web:tag_atom": "hashtag",
    "web:search": "search",
    "web:notifications": "notifications",
    "web:notification_requests": "notifications",
    "web:notification_request": "notifications",
    "web:institution_timeline": "institution timeline",
    "web:board": "public board",
    "web:board_atom": "public board",
    "web:board_rss": "public board",
    "web:board_manage": "private board",
    "web:board_suggestions": "private board",
    "web:catch_up": "catch-up",
    "web:digest": "digest",
    "web:digest_feed": "digest",
    "web:wall": "hashtag wall",
    "web:wall_posts": "hashtag wall",
    "web:wall_moderation": "hashtag wall",
    "web:antenna": "antenna",
    "web:deck": "antenna",
    "web:deck_column": "antenna",
    "web:antenna_atom": "antenna feed",
    "web:antenna_rss": "antenna feed",
    "web:list": "list",
    "web:bookmarks": "bookmarks",
    "web:favourites": "favourites",
    "web:my_quotes": "quoted",
}

# Pages that show posts through a rule of their own, checked by their app's tests and not
# yet by the matrix: each is a known gap, listed so that it stays visible.
PAGES_OUTSIDE_MATRIX = {
    "web:group": "a group's shared posts (groups.queries.timeline, filtered by visible_to)",
    "web:group_moderation": "posts waiting for a group's moderators, shown to them only",
    "web:book": "posts about a book (books.queries.posts_about, filtered by visible_statuses)",
    "web:moderation_report": "the reported posts, shown to moderators only",
    "web:settings_archive": "the account's own archive, served to its owner only",
}

NEVER_SHOW_POSTS = {
    "sign-in, sign-up, OAuth and language forms": {
        "oauth-applications",
        "oauth-authorize",
        "oauth-metadata",
        "oauth-revoke",
        "oauth-token",
        "web:confirm",
        "web:invite",
        "web:login",
        "web:login_code",
        "web:logout",
        "web:password_reset",
        "web:password_reset_complete",
        "web:password_reset_confirm",
        "web:password_reset_done",
        "web:set_language",
        "web:sign_up",
    },
    "server and account documents: names, keys, counts, collections of accounts": {
        "health",
        "api:api-root",
        "api:openapi-json",
        "federation:actor",
        "federation:featured-tags",
        "federation:followers",
        "federation:following",
        "federation:host-meta",
        "federation:instance-actor",
        "federation:nodeinfo",
        "federation:nodeinfo-index",
        "federation:webfinger",
        "web:about",
        "web:collection",
    },
    "POST-only actions that answer with a redirect": {
        "federation:inbox",
        "federation:shared-inbox",
        "web:account_priority",
        "web:answer_follow_request",
        "web:answer_notification_request",
        "web:antenna_action",
        "web:bibliography_delete",
        "web:bibliography_remove",
        "web:board_add_to_deck",
        "web:board_item_action",
        "web:board_subscribe",
        "web:board_suggest",
        "web:cancel_scheduled",
        "web:deck_column_action",
        "web:event_cancel",
        "web:event_participation",
        "web:filter_delete",
        "web:group_add_to_deck",
        "web:group_membership",
        "web:incident_me_too",
        "web:incident_update",
        "web:institution_delete_template",
        "web:institution_remove_member",
        "web:institution_revoke_grant",
        "web:list_delete",
        "web:list_exclusive",
        "web:list_members",
        "web:moderation_account_action",
        "web:moderation_answer_sign_up",
        "web:moderation_domain_unblock",
        "web:moderation_institution_action",
        "web:moderation_report_action",
        "web:notifications_read",
        "web:quote_delete",
        "web:relation",
        "web:revoke_quote",
        "web:settings_alias_remove",
        "web:settings_domain_unblock",
        "web:site_remove",
        "web:source_unfollow",
        "web:space_update",
        "web:status_action",
        "web:status_delete",
        "web:status_react",
        "web:status_reblog_as",
        "web:status_vote",
        "web:wall_decide",
        "web:board_subscription_confirm",
        "web:board_unsubscribe",
        "web:platform_subscribe",
        "web:platform_report",
        "web:quote_sharing",
    },
    "the reader's own settings, lists of accounts, antennas, sources and scheduled drafts": {
        "web:antennas",
        "web:boards",
        "web:account_boards",
        "web:follow_requests",
        "web:lists",
        "web:scheduled",
        "web:settings_account",
        "web:settings_aliases",
        "web:settings_blocks",
        "web:settings_domain_blocks",
        "web:settings_export",
        "web:settings_export_file",
        "web:settings_filters",
        "web:settings_import",
        "web:settings_import_detail",
        "web:settings_invites",
        "web:settings_library",
        "web:settings_mutes",
        "web:settings_notification_policy",
        "web:settings_preferences",
        "web:settings_priorities",
        "web:settings_profile",
        "web:settings_two_factor",
        "web:sources",
        "web:sources_export",
        "web:sources_import",
        "web:groups",
        "web:group_members",
        "web:group_moderators",
    },
    "books and bibliographies: editions and their notes, not posts": {
        "web:book_work",
        "web:bibliographies",
        "web:account_bibliographies",
        "web:bibliography",
        "web:bib_atom",
        "web:bib_csv",
        "web:bib_embed",
        "web:bib_ris",
        "web:bib_rss",
    },
    "events, institutions, sites and occupancy: their own records": {
        "web:events",
        "web:events_ics",
        "web:event",
        "web:event_ics",
        "web:event_edit",
        "web:event_new",
        "web:event_participants",
        "web:event_participants_csv",
        "web:my_events",
        "web:my_events_ics",
        "web:site_events",
        "web:site_events_ics",
        "web:tag_events",
        "web:tag_events_ics",
        "web:account_events",
        "web:account_events_ics",
        "web:institutions",
        "web:institution",
        "web:institution_staff",
        "web:institution_audit",
        "web:institution_calendar",
        "web:institution_sites",
        "web:network",
        "web:sites",
        "web:site",
        "web:site_live",
        "web:site_history_csv",
        "web:site_manage",
        "web:site_manage_action",
        "web:site_statistics",
        "web:embed_site",
        "web:staff_phone",
    },
    "moderation lists of accounts, sign-ups, reports, domains and the audit log": {
        "web:moderation",
        "web:moderation_accounts",
        "web:moderation_domain_blocks",
        "web:moderation_institutions",
        "web:moderation_log",
        "web:moderation_reports",
        "web:moderation_sign_ups",
    },
    "e-resource platforms: reports and incidents (tests/test_visibility_matrix.py checks "
    "that no reporter nor comment shows)": {
        "web:platforms",
        "web:platform",
        "web:platform_propose",
        "web:platform_proposals",
        "web:incidents_rss",
        "web:incidents_atom",
        "web:incidents_json",
        "web:platform_incidents_rss",
        "web:platform_incidents_atom",
        "web:platform_incidents_json",
        "web:embed_platforms",
    },
    "the quote observatory: vendors' quotes, never posts (its k-anonymity is tested in "
    "quotes/tests)": {
        "web:quotes",
        "web:quote",
        "web:quote_new",
        "web:quotes_compare",
        "web:quotes_audit",
        "web:quotes_export",
        "web:quote_document",
    },
    "uploaded files, served by their unguessable path": {""},
    "the client API's answer to an unknown path": {"api:"},
}

# Operations whose answer holds a post -> the matrix surface of the query they read.
OPERATIONS_IN_MATRIX = {
    "GET /api/v1/accounts/{account_id}/statuses": "profile",
    "GET /api/v1/statuses": "page",
    "GET /api/v1/statuses/{status_id}": "page",
    "GET /api/v1/statuses/{status_id}/history": "page",
    "GET /api/v1/statuses/{status_id}/source": "page",
    "GET /api/v1/statuses/{status_id}/context": "thread",
    "GET /api/v1/statuses/{status_id}/quotes": "quoted",
    "GET /api/v1/timelines/home": "home",
    "GET /api/v1/timelines/public": "local timeline",
    "GET /api/v1/timelines/tag/{hashtag}": "hashtag",
    "GET /api/v1/timelines/list/{list_id}": "list",
    "GET /api/v1/timelines/direct": "home",
    "GET /api/v1/timelines/link": "local timeline",
    "GET /api/v1/bookmarks": "bookmarks",
    "GET /api/v1/favourites": "favourites",
    "GET /api/v1/conversations": "home",
    "GET /api/v1/notifications": "notifications",
    "GET /api/v1/notifications/requests": "notifications",
    "GET /api/v1/notifications/requests/{request_id}": "notifications",
    "GET /api/v1/notifications/{notification_id}": "notifications",
    "GET /api/v2/notifications": "notifications",
    "GET /api/v2/notifications/{group_key}": "notifications",
    "GET /api/v2/search": "search",
    "GET /api/v1/trends/statuses": "local timeline",
    "GET /api/babillard/v1/institutions/{account_id}/timeline": "institution timeline",
    "GET /api/babillard/v1/antennas/{antenna_id}/statuses": "antenna",
    "GET /api/babillard/v1/boards/{board_id}/items": "public board",
    "GET /api/babillard/v1/boards/{board_id}/suggestions": "private board",
    "GET /api/babillard/v1/digest": "digest",
}

OPERATIONS_OUTSIDE_MATRIX = {
    "GET /api/babillard/v1/groups/{username}/statuses": "a group's shared posts",
    "GET /api/babillard/v1/groups/{username}/pending": "posts waiting for group moderators",
    "GET /api/babillard/v1/platforms/{platform_id}/status": (
        "the platform actor's own public incident posts"
    ),
}

# Writes answer with the post they acted on, which the service first checked with
# can_see (the "page" surface) or which the caller wrote.
OPERATIONS_ANSWERING_THE_POST_ACTED_ON = {
    "POST /api/v1/statuses",
    "DELETE /api/v1/statuses/{status_id}",
    "PUT /api/v1/statuses/{status_id}",
    "POST /api/v1/statuses/{status_id}/reblog",
    "POST /api/v1/statuses/{status_id}/unreblog",
    "POST /api/v1/statuses/{status_id}/favourite",
    "POST /api/v1/statuses/{status_id}/unfavourite",
    "POST /api/v1/statuses/{status_id}/bookmark",
    "POST /api/v1/statuses/{status_id}/unbookmark",
    "POST /api/v1/statuses/{status_id}/pin",
    "POST /api/v1/statuses/{status_id}/unpin",
    "POST /api/v1/statuses/{status_id}/mute",
    "POST /api/v1/statuses/{status_id}/unmute",
    "POST /api/v1/statuses/{status_id}/quotes/{quoting_status_id}/revoke",
    "PUT /api/v1/statuses/{status_id}/interaction_policy",
    "POST /api/v1/conversations/{conversation_id}/read",
    "PUT /api/v1/pleroma/statuses/{status_id}/reactions/{emoji}",
    "DELETE /api/v1/pleroma/statuses/{status_id}/reactions/{emoji}",
    "POST /api/babillard/v1/boards/{board_id}/items",
    "PATCH /api/babillard/v1/boards/{board_id}/items/{item_id}",
    "POST /api/babillard/v1/boards/{board_id}/suggestions",
    "POST /api/babillard/v1/boards/{board_id}/suggestions/{suggestion_id}/accept",
    "POST /api/babillard/v1/boards/{board_id}/suggestions/{suggestion_id}/reject",
    "POST /api/babillard/v1/groups/{username}/statuses",
}

# The entities of the two documents that carry a post's text.
POST_SCHEMAS = {"Status", "StatusEdit", "StatusSource", "StatusEntity"}


def _page_names(patterns: list[Any], prefix: str = "", namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _page_names(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and not (prefix + str(pattern.pattern)).startswith(
            API_PREFIXES
        ):
            names.add(namespace + (pattern.name or ""))
    return names


def _schemas_reached(node: Any, components: dict[str, Any], seen: set[str]) -> set[str]:
    """The names of the component schemas ``node`` refers to, directly or through others."""
    if isinstance(node, dict):
        reference = node.get("$ref")
        if reference and (name := reference.rsplit("/", 1)[1]) not in seen:
            seen.add(name)
            _schemas_reached(components.get(name, {}), components, seen)
        for value in node.values():
            _schemas_reached(value, components, seen)
    elif isinstance(node, list):
        for value in node:
            _schemas_reached(value, components, seen)
    return seen


def _operations_showing_posts() -> set[str]:
    found = set()
    for document in (api.get_openapi_schema(), babillard_api.get_openapi_schema()):
        components = document.get("components", {}).get("schemas", {})
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                reached = _schemas_reached(operation.get("responses", {}), components, set())
                if POST_SCHEMAS & reached:
                    found.add(f"{method.upper()} {path}")
    return found


def test_every_page_is_in_the_matrix_or_shows_no_post():
    listed = set(PAGES_IN_MATRIX) | set(PAGES_OUTSIDE_MATRIX)
    listed |= set().union(*NEVER_SHOW_POSTS.values())
    names = _page_names(get_resolver().url_patterns)
    assert not names - listed, f"pages neither in the matrix nor without posts: {names - listed}"
    assert not listed - names, f"listed pages that no longer exist: {listed - names}"
    assert set(PAGES_IN_MATRIX.values()) <= set(SURFACES)


def test_every_operation_showing_posts_is_in_the_matrix():
    operations = _operations_showing_posts()
    listed = (
        set(OPERATIONS_IN_MATRIX)
        | set(OPERATIONS_OUTSIDE_MATRIX)
        | OPERATIONS_ANSWERING_THE_POST_ACTED_ON
    )
    assert not operations - listed, f"operations showing posts, unlisted: {operations - listed}"
    assert not listed - operations, f"listed operations that show no post: {listed - operations}"
    assert set(OPERATIONS_IN_MATRIX.values()) <= set(SURFACES)
