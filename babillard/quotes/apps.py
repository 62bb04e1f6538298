from django.apps import AppConfig


class QuotesConfig(AppConfig):
    name = "babillard.quotes"
    label = "quotes"
