from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "babillard.moderation"
    label = "moderation"
