from django.apps import AppConfig


class StatusesConfig(AppConfig):
    name = "babillard.statuses"
    label = "statuses"

    def ready(self) -> None:
        from babillard.accounts.services import account_deleting
        from babillard.statuses.services import forget_account

        account_deleting.connect(forget_account, dispatch_uid="statuses.forget_account")
