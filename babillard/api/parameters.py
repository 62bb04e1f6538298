"""The query and body parameters of both APIs, for their OpenAPI documents.

Handlers read their input with ``base.params`` (form, multipart or JSON bodies,
``key[]`` arrays, ``"1"``/``"0"`` booleans), which django-ninja's typed
parameters cannot express; so the parameters are described here, one line per
operation, in Mastodon's names, and merged into ``/api/openapi.json`` by
``describe``. Types: ``string``, ``integer``, ``boolean``, ``object``, ``file``
and arrays written ``string[]`` (sent as ``key[]`` in a query string, a JSON
array in a body). Bodies are documented as JSON, which every write accepts.
"""

from typing import Any

Fields = dict[str, str]

PAGE: Fields = {"max_id": "string", "since_id": "string", "min_id": "string", "limit": "integer"}
OFFSET: Fields = {"limit": "integer", "offset": "integer"}
STATUS_BODY: Fields = {
    "status": "string",
    "media_ids": "string[]",
    "poll": "object",
    "in_reply_to_id": "string",
    "sensitive": "boolean",
    "spoiler_text": "string",
    "visibility": "string",
    "language": "string",
    "scheduled_at": "string",
    "local_only": "boolean",
}
FILTER_BODY: Fields = {
    "title": "string",
    "context": "string[]",
    "filter_action": "string",
    "expires_in": "integer",
    "keywords_attributes": "object",
}
NOTIFICATION_QUERY: Fields = {
    **PAGE,
    "types": "string[]",
    "exclude_types": "string[]",
    "account_id": "string",
    "include_filtered": "boolean",
}
PUBLIC_TIMELINE: Fields = {
    **PAGE,
    "local": "boolean",
    "remote": "boolean",
    "only_media": "boolean",
}

QUERY: dict[tuple[str, str], Fields] = {
    ("get", "/api/v1/accounts/lookup"): {"acct": "string"},
    ("get", "/api/v1/accounts/relationships"): {"id": "string[]", "with_suspended": "boolean"},
    ("get", "/api/v1/accounts/familiar_followers"): {"id": "string[]"},
    ("get", "/api/v1/accounts/search"): {
        "q": "string",
        "resolve": "boolean",
        "following": "boolean",
        **OFFSET,
    },
    ("get", "/api/v1/accounts/{account_id}/statuses"): {
        **PAGE,
        "only_media": "boolean",
        "exclude_replies": "boolean",
        "exclude_reblogs": "boolean",
        "pinned": "boolean",
        "tagged": "string",
    },
    ("get", "/api/v1/accounts/{account_id}/followers"): PAGE,
    ("get", "/api/v1/accounts/{account_id}/following"): PAGE,
    ("get", "/api/v1/endorsements"): PAGE,
    ("get", "/api/v1/follow_requests"): PAGE,
    ("get", "/api/v1/blocks"): PAGE,
    ("get", "/api/v1/mutes"): PAGE,
    ("get", "/api/v1/statuses"): {"id": "string[]"},
    ("get", "/api/v1/statuses/{status_id}/favourited_by"): PAGE,
    ("get", "/api/v1/statuses/{status_id}/reblogged_by"): PAGE,
    ("get", "/api/v1/scheduled_statuses"): PAGE,
    ("get", "/api/v1/timelines/home"): PAGE,
    ("get", "/api/v1/timelines/public"): PUBLIC_TIMELINE,
    ("get", "/api/v1/timelines/tag/{hashtag}"): {
        **PUBLIC_TIMELINE,
        "any": "string[]",
        "all": "string[]",
        "none": "string[]",
    },
    ("get", "/api/v1/timelines/list/{list_id}"): PAGE,
    ("get", "/api/v1/timelines/direct"): PAGE,
    ("get", "/api/v1/timelines/link"): {**PAGE, "url": "string"},
    ("get", "/api/v1/bookmarks"): PAGE,
    ("get", "/api/v1/favourites"): PAGE,
    ("get", "/api/v1/conversations"): PAGE,
    ("get", "/api/v1/notifications"): NOTIFICATION_QUERY,
    ("get", "/api/v1/notifications/unread_count"): {
        "limit": "integer",
        "types": "string[]",
        "exclude_types": "string[]",
        "account_id": "string",
    },
    ("get", "/api/v2/notifications"): {
        **NOTIFICATION_QUERY,
        "grouped_types": "string[]",
        "expand_accounts": "string",
    },
    ("get", "/api/v1/lists/{list_id}/accounts"): PAGE,
    ("get", "/api/v1/notifications/requests"): PAGE,
    ("get", "/api/v2/search"): {
        "q": "string",
        "type": "string",
        "resolve": "boolean",
        "following": "boolean",
        "account_id": "string",
        "exclude_unreviewed": "boolean",
        **PAGE,
        "offset": "integer",
    },
    ("get", "/api/v1/trends/tags"): OFFSET,
    ("get", "/api/v1/trends"): OFFSET,
    ("get", "/api/v1/trends/statuses"): OFFSET,
    ("get", "/api/v1/trends/links"): OFFSET,
    ("get", "/api/v2/suggestions"): {"limit": "integer"},
    ("get", "/api/v1/suggestions"): {"limit": "integer"},
    ("get", "/api/v1/markers"): {"timeline": "string[]"},
    ("get", "/api/v1/followed_tags"): PAGE,
}

BODY: dict[tuple[str, str], Fields] = {
    ("post", "/api/v1/apps"): {
        "client_name": "string",
        "redirect_uris": "string",
        "scopes": "string",
        "website": "string",
    },
    ("post", "/api/v1/accounts"): {
        "username": "string",
        "email": "string",
        "password": "string",
        "agreement": "boolean",
        "locale": "string",
        "reason": "string",
        "invite_code": "string",
    },
    ("patch", "/api/v1/accounts/update_credentials"): {
        "display_name": "string",
        "note": "string",
        "locked": "boolean",
        "bot": "boolean",
        "discoverable": "boolean",
        "hide_collections": "boolean",
        "fields_attributes": "object",
        "source": "object",
    },
    ("post", "/api/v1/accounts/{account_id}/follow"): {
        "reblogs": "boolean",
        "notify": "boolean",
        "languages": "string[]",
    },
    ("post", "/api/v1/accounts/{account_id}/mute"): {
        "notifications": "boolean",
        "duration": "integer",
    },
    ("post", "/api/v1/accounts/{account_id}/note"): {"comment": "string"},
    ("post", "/api/v1/statuses"): STATUS_BODY,
    ("put", "/api/v1/statuses/{status_id}"): {
        **{k: v for k, v in STATUS_BODY.items() if k not in ("in_reply_to_id", "scheduled_at")},
        "media_attributes": "object",
    },
    ("post", "/api/v1/statuses/{status_id}/reblog"): {"visibility": "string"},
    ("post", "/api/v1/polls/{poll_id}/votes"): {"choices": "integer[]"},
    ("put", "/api/v1/scheduled_statuses/{scheduled_id}"): {"scheduled_at": "string"},
    ("post", "/api/v2/media"): {"file": "file", "description": "string", "focus": "string"},
    ("post", "/api/v1/media"): {"file": "file", "description": "string", "focus": "string"},
    ("put", "/api/v1/media/{media_id}"): {"description": "string", "focus": "string"},
    ("post", "/api/v1/lists"): {
        "title": "string",
        "replies_policy": "string",
        "exclusive": "boolean",
    },
    ("put", "/api/v1/lists/{list_id}"): {
        "title": "string",
        "replies_policy": "string",
        "exclusive": "boolean",
    },
    ("post", "/api/v1/lists/{list_id}/accounts"): {"account_ids": "string[]"},
    ("delete", "/api/v1/lists/{list_id}/accounts"): {"account_ids": "string[]"},
    ("post", "/api/v2/filters"): FILTER_BODY,
    ("put", "/api/v2/filters/{filter_id}"): FILTER_BODY,
    ("post", "/api/v2/filters/{filter_id}/keywords"): {
        "keyword": "string",
        "whole_word": "boolean",
    },
    ("put", "/api/v2/filters/keywords/{keyword_id}"): {
        "keyword": "string",
        "whole_word": "boolean",
    },
    ("post", "/api/v2/filters/{filter_id}/statuses"): {"status_id": "string"},
    ("post", "/api/v1/featured_tags"): {"name": "string"},
    ("post", "/api/v1/markers"): {"home": "object", "notifications": "object"},
    ("patch", "/api/v2/notifications/policy"): {
        "for_not_following": "string",
        "for_not_followers": "string",
        "for_new_accounts": "string",
        "for_private_mentions": "string",
        "for_limited_accounts": "string",
    },
    ("post", "/api/v1/notifications/requests/accept"): {"id": "string[]"},
    ("post", "/api/v1/notifications/requests/dismiss"): {"id": "string[]"},
    ("post", "/api/v1/reports"): {
        "account_id": "string",
        "status_ids": "string[]",
        "comment": "string",
        "forward": "boolean",
        "category": "string",
        "rule_ids": "integer[]",
    },
}


# Babillard's own API (``/api/babillard/v1/``), read with the same ``base.params``.
B = "/api/babillard/v1"
INSTITUTION_BODY: Fields = {
    "name": "string",
    "type": "string",
    "isil": "string",
    "website": "string",
    "catalogue_url_template": "string",
}
SITE_BODY: Fields = {
    "name": "string",
    "address": "string",
    "postcode": "string",
    "city": "string",
    "latitude": "number",
    "longitude": "number",
    "opening_hours": "object",
    "time_zone": "string",
    "accessibility_notes": "string",
    "institution_id": "string",
}
EVENT_BODY: Fields = {
    "title": "string",
    "description": "string",
    "starts_at": "string",
    "ends_at": "string",
    "timezone": "string",
    "site_id": "string",
    "address": "string",
    "online_url": "string",
    "capacity": "integer",
    "registration": "string",
    "registration_url": "string",
    "waiting_list": "boolean",
    "audience": "string",
    "tags": "string[]",
    "accessibility_notes": "string",
    "cover_alt": "string",
    "institution_id": "string",
}
ANTENNA_BODY: Fields = {
    "title": "string",
    "keywords": "string[]",
    "exclude_keywords": "string[]",
    "regex": "string",
    "account_ids": "string[]",
    "exclude_account_ids": "string[]",
    "list_ids": "string[]",
    "exclude_list_ids": "string[]",
    "languages": "string[]",
    "with_media_only": "boolean",
    "with_links_only": "boolean",
}
BOARD_BODY: Fields = {"title": "string", "description": "string", "visibility": "string"}
GROUP_BODY: Fields = {
    "display_name": "string",
    "description": "string",
    "rules": "string",
    "join_mode": "string",
    "hold_posts": "boolean",
}
QUOTE_SELECTION: Fields = {
    "vendor": "string",
    "product": "string",
    "institution_type": "string",
    "year": "integer",
    "size_band": "string",
    "currency": "string",
}

QUERY.update(
    {
        ("get", f"{B}/digest"): {"list_id": "string", "period": "string"},
        ("get", f"{B}/sites"): {"institution_id": "string"},
        ("get", f"{B}/events"): {
            "account_id": "string",
            "site_id": "string",
            "tag": "string",
            "from": "string",
            "to": "string",
            "audience": "string",
            "place": "string",
            "limit": "integer",
        },
        ("get", f"{B}/bibliographies"): {"account_id": "string"},
        ("get", f"{B}/boards"): {"account_id": "string"},
        ("get", f"{B}/boards/{{board_id}}/suggestions"): {"state": "string"},
        ("get", f"{B}/antennas/{{antenna_id}}/statuses"): PAGE,
        ("get", f"{B}/sources/{{source_id}}/items"): PAGE,
        ("get", f"{B}/institutions/{{account_id}}/audit"): PAGE,
        ("get", f"{B}/institutions/{{account_id}}/timeline"): PAGE,
        ("get", f"{B}/groups/{{username}}/statuses"): PAGE,
        ("get", f"{B}/incidents"): {"platform_id": "string"},
        ("get", f"{B}/admin/audit_log"): {**PAGE, "account_id": "string", "action": "string"},
        ("get", f"{B}/quotes/shared"): QUOTE_SELECTION,
    }
)

BODY.update(
    {
        ("patch", f"{B}/institutions/{{account_id}}"): INSTITUTION_BODY,
        ("post", f"{B}/institutions/{{account_id}}/staff"): {
            "account_id": "string",
            "role": "string",
        },
        ("post", f"{B}/institutions/{{account_id}}/act_as"): {"scope": "string"},
        ("post", f"{B}/sites"): SITE_BODY,
        ("patch", f"{B}/sites/{{site_id}}"): SITE_BODY,
        ("post", f"{B}/sites/{{site_id}}/spaces"): {"name": "string", "capacity": "integer"},
        ("post", f"{B}/sites/{{site_id}}/sensor_tokens"): {"name": "string"},
        ("post", f"{B}/spaces/{{space_id}}/occupancy"): {
            "count": "integer",
            "delta": "integer",
            "full": "boolean",
            "closed": "boolean",
            "queue_minutes": "integer",
        },
        ("post", f"{B}/events"): EVENT_BODY,
        ("patch", f"{B}/events/{{event_id}}"): {**EVENT_BODY, "status": "string"},
        ("post", f"{B}/bibliographies"): {
            "title": "string",
            "description": "string",
            "account_id": "string",
        },
        ("patch", f"{B}/bibliographies/{{bibliography_id}}"): {
            "title": "string",
            "description": "string",
            "order": "string[]",
        },
        ("post", f"{B}/bibliographies/{{bibliography_id}}/items"): {
            "isbn": "string",
            "title": "string",
            "authors": "string[]",
            "comment": "string",
        },
        ("post", f"{B}/antennas"): ANTENNA_BODY,
        ("patch", f"{B}/antennas/{{antenna_id}}"): ANTENNA_BODY,
        ("post", f"{B}/sources"): {"url": "string"},
        ("post", f"{B}/boards"): BOARD_BODY,
        ("patch", f"{B}/boards/{{board_id}}"): {
            **BOARD_BODY,
            "newsletter": "boolean",
            "order": "string[]",
        },
        ("post", f"{B}/boards/{{board_id}}/items"): {
            "status_id": "string",
            "url": "string",
            "title": "string",
            "excerpt": "string",
            "comment": "string",
            "section_id": "string",
        },
        ("patch", f"{B}/boards/{{board_id}}/items/{{item_id}}"): {
            "comment": "string",
            "section_id": "string",
        },
        ("post", f"{B}/boards/{{board_id}}/sections"): {"title": "string"},
        ("post", f"{B}/boards/{{board_id}}/curators"): {"account_id": "string"},
        ("post", f"{B}/boards/{{board_id}}/suggestions"): {
            "status_id": "string",
            "url": "string",
            "note": "string",
        },
        ("post", f"{B}/boards/{{board_id}}/suggestions/{{suggestion_id}}/accept"): {
            "comment": "string",
            "section_id": "string",
        },
        ("post", f"{B}/boards/{{board_id}}/antennas"): {"antenna_id": "string"},
        ("put", f"{B}/priorities/{{account_id}}"): {"level": "string"},
        ("post", f"{B}/catch_up/read"): {"last_read_id": "string"},
        ("post", f"{B}/imports"): {"type": "string", "mode": "string", "data": "file"},
        ("post", f"{B}/platforms"): {
            "name": "string",
            "url": "string",
            "vendor": "string",
            "probe_urls": "string[]",
            "status_page_url": "string",
        },
        ("post", f"{B}/platforms/{{platform_id}}/reports"): {
            "problem": "string",
            "comment": "string",
        },
        ("post", f"{B}/incidents/{{incident_id}}/updates"): {
            "state": "string",
            "message": "string",
        },
        ("post", f"{B}/quotes"): {
            **QUOTE_SELECTION,
            "price_excl_vat": "number",
            "fte": "integer",
            "population": "integer",
            "consortium": "boolean",
            "access_model": "string",
            "notes": "string",
            "sharing": "string",
        },
        ("patch", f"{B}/quotes/{{quote_id}}"): {"sharing": "string"},
        ("post", f"{B}/groups"): {"username": "string", **GROUP_BODY},
        ("patch", f"{B}/groups/{{username}}"): GROUP_BODY,
        ("post", f"{B}/groups/{{username}}/statuses"): {"status": "string"},
    }
)


def _schema(kind: str) -> dict[str, Any]:
    if kind.endswith("[]"):
        return {"type": "array", "items": _schema(kind[:-2])}
    if kind == "file":
        return {"type": "string", "format": "binary"}
    return {"type": kind}


def _query_parameter(name: str, kind: str) -> dict[str, Any]:
    if kind.endswith("[]"):
        return {
            "in": "query",
            "name": f"{name}[]",
            "required": False,
            "schema": _schema(kind),
            "style": "form",
            "explode": True,
        }
    return {"in": "query", "name": name, "required": False, "schema": _schema(kind)}


def _body(fields: Fields) -> dict[str, Any]:
    properties = {name: _schema(kind) for name, kind in fields.items()}
    media = "multipart/form-data" if "file" in fields.values() else "application/json"
    return {"content": {media: {"schema": {"type": "object", "properties": properties}}}}


def describe(document: dict[str, Any]) -> dict[str, Any]:
    """Add the parameters above to the operations of an OpenAPI ``document``."""
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            query = QUERY.get((method, path))
            if query:
                operation.setdefault("parameters", []).extend(
                    _query_parameter(name, kind) for name, kind in query.items()
                )
            body = BODY.get((method, path))
            if body:
                operation["requestBody"] = _body(body)
    return document
