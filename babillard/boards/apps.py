from django.apps import AppConfig


class BoardsConfig(AppConfig):
    name = "babillard.boards"
    label = "boards"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from babillard.accounts.models import FollowRequest
        from babillard.accounts.services import account_deleting
        from babillard.boards import columns
        from babillard.boards.services import (
            forget_account,
            on_antenna_matched,
            refuse_follow_of_private_board,
        )
        from babillard.watch.services import antenna_matched

        post_save.connect(
            refuse_follow_of_private_board,
            sender=FollowRequest,
            dispatch_uid="boards_refuse_private_follow",
        )
        antenna_matched.connect(on_antenna_matched, dispatch_uid="boards_antenna_suggestions")
        account_deleting.connect(forget_account, dispatch_uid="boards.forget_account")
        columns.register()
