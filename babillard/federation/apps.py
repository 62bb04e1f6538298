from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "babillard.federation"
    label = "federation"
