from django.apps import AppConfig
from django.db.models.signals import post_delete


class PortabilityConfig(AppConfig):
    name = "babillard.portability"
    label = "portability"

    def ready(self) -> None:
        from babillard.portability.models import Archive, Import, delete_stored_file

        post_delete.connect(delete_stored_file, sender=Import)
        post_delete.connect(delete_stored_file, sender=Archive)
