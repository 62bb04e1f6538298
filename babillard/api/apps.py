from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "babillard.api"
    label = "api"
