from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "babillard.triage"
    label = "triage"
