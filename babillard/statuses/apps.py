from django.apps import AppConfig


class StatusesConfig(AppConfig):
    name = "babillard.statuses"
    label = "statuses"
