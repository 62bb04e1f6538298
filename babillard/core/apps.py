from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "babillard.core"
    label = "core"
