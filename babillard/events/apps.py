from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "babillard.events"
    label = "events"

    def ready(self) -> None:
        from babillard.accounts.services import account_deleting
        from babillard.events.services import forget_account

        account_deleting.connect(forget_account, dispatch_uid="events.forget_account")
