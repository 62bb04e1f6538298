from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "babillard.notifications"
    label = "notifications"
