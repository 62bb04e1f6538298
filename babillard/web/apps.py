from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "babillard.web"
    label = "web"
