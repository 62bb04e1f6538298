from django.apps import AppConfig


class TimelinesConfig(AppConfig):
    name = "babillard.timelines"
    label = "timelines"
