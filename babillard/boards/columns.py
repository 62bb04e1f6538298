"""The "board" column of the watch deck: the posts of a board its reader may see, the
latest accepted first. Links stay on the board's page and in its feeds."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from babillard.accounts.models import Account
from babillard.boards import queries
from babillard.core.errors import NotFound
from babillard.watch.columns import ColumnEntry, ColumnKind, ColumnPage, register_column_kind


def _clean(owner: Account, params: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"board_id": queries.get_board(owner, params.get("board_id")).pk}
    except NotFound:
        raise ValidationError(_("Choose a board you may read."), code="board_id") from None


def _read(owner: Account, params: dict[str, Any], page: dict[str, Any]) -> ColumnPage:
    board = queries.get_board(owner, params.get("board_id"))
    found = queries.column_items(owner, board, **page)
    return ColumnPage(
        [ColumnEntry(key=item.pk, status=item.status) for item in found.items],
        found.newest_key,
        found.oldest_key,
    )


def _title(owner: Account, params: dict[str, Any]) -> str:
    return _("Board: %(title)s") % {"title": queries.get_board(owner, params.get("board_id")).title}


def register() -> None:
    register_column_kind(
        ColumnKind("board", gettext_lazy("Board"), _read, clean=_clean, title=_title)
    )
