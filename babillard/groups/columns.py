"""The "group" column of the watch deck: the posts a group shared, as its reader may see
them, newest first."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from babillard.accounts.models import Account
from babillard.core.errors import NotFound
from babillard.core.pagination import paginate
from babillard.groups import queries
from babillard.watch.columns import ColumnKind, ColumnPage, register_column_kind


def _clean(owner: Account, params: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"group": queries.get_group(str(params.get("group", ""))).account.username}
    except NotFound:
        raise ValidationError(_("Choose a group of this instance."), code="group") from None


def _read(owner: Account, params: dict[str, Any], page: dict[str, Any]) -> ColumnPage:
    group = queries.get_group(str(params.get("group", "")))
    return ColumnPage.of_statuses(paginate(queries.timeline(group, owner), **page))


def _title(owner: Account, params: dict[str, Any]) -> str:
    group = queries.get_group(str(params.get("group", "")))
    return _("Group: %(name)s") % {"name": group.account.name}


def register() -> None:
    register_column_kind(
        ColumnKind("group", gettext_lazy("Group"), _read, clean=_clean, title=_title)
    )
