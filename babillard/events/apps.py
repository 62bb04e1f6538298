from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "babillard.events"
    label = "events"
