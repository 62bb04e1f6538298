"""The Mastodon entities as the OpenAPI document describes them, one class per entity.

``serializers.py`` builds the answers; the endpoints declare these classes as
their responses, so django-ninja checks every answer against its entity and
publishes the shapes in ``/api/openapi.json``. Extra fields are allowed, as
Mastodon's own entities grow from version to version.
"""

from typing import Any, Optional

from pydantic import BaseModel, ConfigDict


class Entity(BaseModel):
    model_config = ConfigDict(extra="allow")


class Error(Entity):
    error: str
    error_description: str | None = None


class Empty(Entity):
    pass


def file_answer(media_type: str) -> dict[str, Any]:
    """The ``openapi_extra`` of an operation that answers a file of ``media_type``
    (``*/*`` for any) rather than JSON."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": "OK", "content": {media_type: binary}}}}


class Field(Entity):
    name: str
    value: str
    verified_at: str | None


class Account(Entity):
    id: str
    username: str
    acct: str
    url: str
    display_name: str
    note: str
    avatar: str
    avatar_static: str
    header: str
    header_static: str
    locked: bool
    fields: list[Field]
    emojis: list[Any]
    bot: bool
    group: bool
    discoverable: bool | None
    created_at: str
    last_status_at: str | None
    statuses_count: int
    followers_count: int
    following_count: int


class Source(Entity):
    privacy: str
    sensitive: bool
    language: str | None
    note: str
    fields: list[Field]
    follow_requests_count: int


class CredentialAccount(Account):
    source: Source


class Relationship(Entity):
    id: str
    following: bool
    showing_reblogs: bool
    notifying: bool
    followed_by: bool
    blocking: bool
    blocked_by: bool
    muting: bool
    muting_notifications: bool
    requested: bool
    requested_by: bool
    domain_blocking: bool
    endorsed: bool
    note: str


class MediaAttachment(Entity):
    id: str
    type: str
    url: str | None
    preview_url: str | None
    remote_url: str | None
    meta: dict[str, Any]
    description: str | None
    blurhash: str | None


class PollOption(Entity):
    title: str
    votes_count: int | None


class Poll(Entity):
    id: str
    expires_at: str | None
    expired: bool
    multiple: bool
    votes_count: int
    voters_count: int | None
    options: list[PollOption]
    emojis: list[Any]
    voted: bool | None = None
    own_votes: list[int] | None = None


class TagHistory(Entity):
    day: str
    uses: str
    accounts: str


class Tag(Entity):
    name: str
    url: str
    history: list[TagHistory] = []
    following: bool | None = None


class FeaturedTag(Entity):
    id: str
    name: str
    url: str
    statuses_count: int
    last_status_at: str | None


class TrendsLink(Entity):
    url: str
    title: str
    description: str
    type: str
    author_name: str
    author_url: str
    provider_name: str
    provider_url: str
    html: str
    width: int
    height: int
    image: str | None
    embed_url: str
    blurhash: str | None
    history: list[TagHistory]


class Mention(Entity):
    id: str
    username: str
    url: str
    acct: str


class FilterKeyword(Entity):
    id: str
    keyword: str
    whole_word: bool


class FilterStatus(Entity):
    id: str
    status_id: str


class Filter(Entity):
    id: str
    title: str
    context: list[str]
    expires_at: str | None
    filter_action: str
    keywords: list[FilterKeyword]
    statuses: list[FilterStatus]


class FilterResult(Entity):
    filter: Filter
    keyword_matches: list[str] | None
    status_matches: list[str] | None


class Status(Entity):
    id: str
    uri: str
    created_at: str
    account: Account
    content: str
    visibility: str
    sensitive: bool
    spoiler_text: str
    media_attachments: list[MediaAttachment]
    mentions: list[Mention]
    tags: list[Tag]
    emojis: list[Any]
    reblogs_count: int
    favourites_count: int
    replies_count: int
    url: str | None
    in_reply_to_id: str | None
    in_reply_to_account_id: str | None
    reblog: Optional["Status"]
    poll: Poll | None
    card: dict[str, Any] | None
    language: str | None
    edited_at: str | None
    favourited: bool | None = None
    reblogged: bool | None = None
    muted: bool | None = None
    bookmarked: bool | None = None
    pinned: bool | None = None
    filtered: list[FilterResult] = []


class StatusEdit(Entity):
    content: str
    spoiler_text: str
    sensitive: bool
    created_at: str
    account: Account
    poll: dict[str, Any] | None
    media_attachments: list[MediaAttachment]
    emojis: list[Any]


class StatusSource(Entity):
    id: str
    text: str
    spoiler_text: str


class Context(Entity):
    ancestors: list[Status]
    descendants: list[Status]


class ScheduledStatus(Entity):
    id: str
    scheduled_at: str
    params: dict[str, Any]
    media_attachments: list[MediaAttachment]


class Notification(Entity):
    id: str
    type: str
    created_at: str
    account: Account
    status: Status | None = None


class NotificationGroup(Entity):
    group_key: str
    notifications_count: int
    type: str
    most_recent_notification_id: str
    sample_account_ids: list[str]
    page_min_id: str | None = None
    page_max_id: str | None = None
    latest_page_notification_at: str | None = None
    status_id: str | None = None


class GroupedNotifications(Entity):
    accounts: list[Account]
    statuses: list[Status]
    notification_groups: list[NotificationGroup]


class Conversation(Entity):
    id: str
    unread: bool
    accounts: list[Account]
    last_status: Status | None


class List(Entity):
    id: str
    title: str
    replies_policy: str
    exclusive: bool


class Marker(Entity):
    last_read_id: str
    version: int
    updated_at: str | None


class FamiliarFollowers(Entity):
    id: str
    accounts: list[Account]


class Suggestion(Entity):
    source: str
    sources: list[str]
    account: Account


class Search(Entity):
    accounts: list[Account]
    statuses: list[Status]
    hashtags: list[Tag]


class Application(Entity):
    name: str
    website: str | None
    scopes: list[str]
    redirect_uris: list[str]


class CredentialApplication(Application):
    client_id: str
    client_secret: str


class Token(Entity):
    access_token: str
    token_type: str
    scope: str
    created_at: int


class Report(Entity):
    id: str
    action_taken: bool
    category: str
    comment: str
    forwarded: bool
    created_at: str
    status_ids: list[str] | None
    target_account: Account


class InstanceV1(Entity):
    uri: str
    title: str
    version: str
    urls: dict[str, Any]
    stats: dict[str, Any]
    languages: list[str]
    registrations: bool
    approval_required: bool
    configuration: dict[str, Any]


class InstanceV2(Entity):
    domain: str
    title: str
    version: str
    configuration: dict[str, Any]
    registrations: dict[str, Any]
    api_versions: dict[str, int]
    contact: dict[str, Any]
    rules: list[Any]


class FilterV1(Entity):
    id: str
    phrase: str
    context: list[str]
    whole_word: bool
    expires_at: str | None
    irreversible: bool


class Preferences(Entity):
    pass


class UnreadCount(Entity):
    count: int


class NotificationPolicySummary(Entity):
    pending_requests_count: int
    pending_notifications_count: int


class NotificationPolicy(Entity):
    for_not_following: str
    for_not_followers: str
    for_new_accounts: str
    for_private_mentions: str
    for_limited_accounts: str
    summary: NotificationPolicySummary


class NotificationRequest(Entity):
    id: str
    created_at: str
    updated_at: str
    account: Account
    notifications_count: str
    last_status: Optional["Status"] = None


class Merged(Entity):
    merged: bool


Status.model_rebuild()
