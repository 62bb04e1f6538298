from django.apps import AppConfig


class InstitutionsConfig(AppConfig):
    name = "babillard.institutions"
    label = "institutions"
