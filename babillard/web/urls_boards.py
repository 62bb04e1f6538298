"""Web pages of boards."""

from django.urls import path, re_path

from babillard.web.views import boards

urlpatterns = [
    path("boards", boards.my_boards, name="boards"),
    re_path(r"^@(?P<username>[A-Za-z0-9_]+)/boards$", boards.account_boards, name="account_boards"),
    path("boards/<int:board_id>", boards.board_page, name="board"),
    path("boards/<int:board_id>/feed.atom", boards.BoardAtom(), name="board_atom"),
    path("boards/<int:board_id>/feed.rss", boards.BoardRss(), name="board_rss"),
    path("boards/<int:board_id>/manage", boards.manage, name="board_manage"),
    path("boards/<int:board_id>/suggestions", boards.suggestions, name="board_suggestions"),
    path("boards/<int:board_id>/suggest", boards.suggest, name="board_suggest"),
    path("boards/<int:board_id>/subscribe", boards.subscribe, name="board_subscribe"),
    path("boards/<int:board_id>/deck", boards.add_to_deck, name="board_add_to_deck"),
    path(
        "boards/<int:board_id>/items/<int:item_id>/<str:verb>",
        boards.item_action,
        name="board_item_action",
    ),
    path(
        "boards/subscriptions/<str:token>/confirm",
        boards.confirm_subscription,
        name="board_subscription_confirm",
    ),
    path(
        "boards/subscriptions/<str:token>/unsubscribe",
        boards.unsubscribe,
        name="board_unsubscribe",
    ),
]
