from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "babillard.books"
    label = "books"

    def ready(self) -> None:
        from babillard.books import services
        from babillard.statuses.services import published

        published.connect(services.on_published, dispatch_uid="books-from-text")
