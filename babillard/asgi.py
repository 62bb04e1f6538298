import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "babillard.settings")
django_application = get_asgi_application()

# Imported once Django is set up: it loads the models.
from babillard.api.websocket import with_streaming_socket  # noqa: E402

application = with_streaming_socket(django_application)
