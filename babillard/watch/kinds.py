"""The column kinds watch offers itself; registered by ``WatchConfig.ready``."""

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from babillard.accounts.models import Account
from babillard.core.errors import NotFound
from babillard.notifications.models import NotificationType
from babillard.notifications.queries import notifications_for
from babillard.timelines import queries as timelines
from babillard.timelines.models import List
from babillard.watch import queries
from babillard.watch.columns import (
    ColumnEntry,
    ColumnKind,
    ColumnPage,
    register_column_kind,
)

SEARCH_ENTRIES = 40


def _tags(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    names = [str(v).strip().lstrip("#").casefold() for v in value or []]
    return [n[:100] for n in names if n][:10]


def _own_list(owner: Account, params: dict[str, Any]) -> List:
    found = List.objects.filter(owner=owner, pk=queries.number(params.get("list_id"))).first()
    if found is None:
        raise NotFound(params.get("list_id"))
    return found


def _clean_list(owner: Account, params: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"list_id": _own_list(owner, params).pk}
    except NotFound:
        raise ValidationError(_("Choose one of your lists."), code="list_id") from None


def _clean_tag(owner: Account, params: dict[str, Any]) -> dict[str, Any]:
    tag = _tags([params.get("tag", "")])
    if not tag:
        raise ValidationError(_("Give a hashtag."), code="tag")
    return {
        "tag": tag[0],
        "any": _tags(params.get("any")),
        "all": _tags(params.get("all")),
        "none": _tags(params.get("none")),
    }


def _clean_search(owner: Account, params: dict[str, Any]) -> dict[str, Any]:
    query = str(params.get("q") or "").strip()[:200]
    if not query:
        raise ValidationError(_("Give the words to search for."), code="q")
    return {"q": query}


def _clean_antenna(owner: Account, params: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"antenna_id": queries.get_antenna(owner, params.get("antenna_id")).pk}
    except NotFound:
        raise ValidationError(_("Choose one of your antennas."), code="antenna_id") from None


def _clean_source(owner: Account, params: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"source_id": queries.get_source(owner, params.get("source_id")).pk}
    except NotFound:
        raise ValidationError(_("Choose one of the feeds you follow."), code="source_id") from None


def _clean_institution(owner: Account, params: dict[str, Any]) -> dict[str, Any]:
    from babillard.institutions.queries import in_internal_audience

    number = queries.number(params.get("institution_id"))
    if not in_internal_audience(owner, number):
        raise ValidationError(_("Choose an institution you work for."), code="institution_id")
    return {"institution_id": number}


def _home(owner: Account, params: dict[str, Any], page: dict[str, Any]) -> ColumnPage:
    return ColumnPage.of_statuses(timelines.home(owner, **page))


def _local(owner: Account, params: dict[str, Any], page: dict[str, Any]) -> ColumnPage:
    return ColumnPage.of_statuses(timelines.public(owner, local=True, **page))


def _federated(owner: Account, params: dict[str, Any], page: dict[str, Any]) -> ColumnPage:
    return ColumnPage.of_statuses(timelines.public(owner, **page))


def _list(owner: Account, params: dict[str, Any], page: dict[str, Any]) -> ColumnPage:
    return ColumnPage.of_statuses(timelines.list_timeline(owner, _own_list(owner, params), **page))


def _hashtag(owner: Account, params: dict[str, Any], page: dict[str, Any]) -> ColumnPage:
    found = timelines.hashtag(
        owner,
        params["tag"],
        any_of=params.get("any", []),
        all_of=params.get("all", []),
        none_of=params.get("none", []),
        **page,
    )
    return ColumnPage.of_statuses(found)


def _search(owner: Account, params: dict[str, Any], page: dict[str, Any]) -> ColumnPage:
    """The newest of the best matches (search ranks; a column reads by date)."""
    from babillard.search.queries import search_statuses

    if page.get("max_id") or page.get("min_id"):
        return ColumnPage()
    found = sorted(search_statuses(owner, params["q"], limit=SEARCH_ENTRIES), key=lambda s: -s.pk)
    keys = [s.pk for s in found]
    return ColumnPage(
        [ColumnEntry(key=s.pk, status=s) for s in found],
        keys[0] if keys else None,
        None,
    )


def _antenna(owner: Account, params: dict[str, Any], page: dict[str, Any]) -> ColumnPage:
    antenna = queries.get_antenna(owner, params.get("antenna_id"))
    return queries.antenna_entries(owner, antenna, **page)


def _source(owner: Account, params: dict[str, Any], page: dict[str, Any]) -> ColumnPage:
    source = queries.get_source(owner, params.get("source_id"))
    found = queries.source_items(owner, source, **page)
    return ColumnPage(
        [ColumnEntry(key=i.pk, item=i) for i in found.items], found.newest_key, found.oldest_key
    )


def _notifications(types: list[str] | None) -> Any:
    def read(owner: Account, params: dict[str, Any], page: dict[str, Any]) -> ColumnPage:
        from babillard.core.pagination import paginate

        found = paginate(notifications_for(owner, types=types), **page)
        return ColumnPage(
            [ColumnEntry(key=n.pk, notification=n) for n in found.items],
            found.newest_key,
            found.oldest_key,
        )

    return read


def _internal(owner: Account, params: dict[str, Any], page: dict[str, Any]) -> ColumnPage:
    from babillard.institutions.queries import get_institution_account, internal_timeline

    institution = get_institution_account(params.get("institution_id", ""))
    return ColumnPage.of_statuses(internal_timeline(owner, institution, **page))


def _list_title(owner: Account, params: dict[str, Any]) -> str:
    return _("List: %(title)s") % {"title": _own_list(owner, params).title}


def _tag_title(owner: Account, params: dict[str, Any]) -> str:
    title = f"#{params['tag']}"
    for word, key in ((_("any"), "any"), (_("all"), "all"), (_("none"), "none")):
        if params.get(key):
            title += f" ({word}: {' '.join('#' + t for t in params[key])})"
    return title


def _search_title(owner: Account, params: dict[str, Any]) -> str:
    return _("Search: %(query)s") % {"query": params["q"]}


def _antenna_title(owner: Account, params: dict[str, Any]) -> str:
    return _("Antenna: %(title)s") % {
        "title": queries.get_antenna(owner, params.get("antenna_id")).title
    }


def _source_title(owner: Account, params: dict[str, Any]) -> str:
    source = queries.get_source(owner, params.get("source_id"))
    return _("Feed: %(title)s") % {"title": source.title or source.url}


def _internal_title(owner: Account, params: dict[str, Any]) -> str:
    from babillard.institutions.queries import get_institution_account

    institution = get_institution_account(params.get("institution_id", ""))
    return _("Staff: %(name)s") % {"name": institution.name}


def _stream(path: str) -> Any:
    return lambda params: path


def register_builtin_kinds() -> None:
    for kind in (
        ColumnKind("home", gettext_lazy("Home"), _home, stream=_stream("/api/v1/streaming/user")),
        ColumnKind(
            "local",
            gettext_lazy("Local timeline"),
            _local,
            stream=_stream("/api/v1/streaming/public/local"),
        ),
        ColumnKind(
            "federated",
            gettext_lazy("Federated timeline"),
            _federated,
            stream=_stream("/api/v1/streaming/public"),
        ),
        ColumnKind(
            "list",
            gettext_lazy("List"),
            _list,
            clean=_clean_list,
            title=_list_title,
            stream=lambda p: f"/api/v1/streaming/list?{urlencode({'list': p['list_id']})}",
        ),
        ColumnKind(
            "hashtag",
            gettext_lazy("Hashtag"),
            _hashtag,
            clean=_clean_tag,
            title=_tag_title,
            stream=lambda p: f"/api/v1/streaming/hashtag?{urlencode({'tag': p['tag']})}",
        ),
        ColumnKind(
            "search", gettext_lazy("Search"), _search, clean=_clean_search, title=_search_title
        ),
        ColumnKind(
            "antenna", gettext_lazy("Antenna"), _antenna, clean=_clean_antenna, title=_antenna_title
        ),
        ColumnKind(
            "source",
            gettext_lazy("Outside feed"),
            _source,
            clean=_clean_source,
            title=_source_title,
        ),
        ColumnKind(
            "notifications",
            gettext_lazy("Notifications"),
            _notifications(None),
            stream=_stream("/api/v1/streaming/user/notification"),
        ),
        ColumnKind(
            "mentions",
            gettext_lazy("Mentions"),
            _notifications([NotificationType.MENTION]),
            stream=_stream("/api/v1/streaming/user/notification"),
        ),
        ColumnKind(
            "internal",
            gettext_lazy("Staff timeline"),
            _internal,
            clean=_clean_institution,
            title=_internal_title,
        ),
    ):
        register_column_kind(kind)
