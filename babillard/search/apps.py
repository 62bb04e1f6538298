from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "babillard.search"
    label = "search"
