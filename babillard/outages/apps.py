from django.apps import AppConfig


class OutagesConfig(AppConfig):
    name = "babillard.outages"
    label = "outages"
