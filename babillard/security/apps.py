from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "babillard.security"
    label = "security"
