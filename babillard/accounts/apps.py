from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "babillard.accounts"
    label = "accounts"
