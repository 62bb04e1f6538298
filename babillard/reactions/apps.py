from django.apps import AppConfig


class ReactionsConfig(AppConfig):
    name = "babillard.reactions"
    label = "reactions"
