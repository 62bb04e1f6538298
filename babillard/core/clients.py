"""The address a request comes from, as the rate limits and the moderators see it."""

import ipaddress

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address (``REMOTE_ADDR``, set by the server or the proxy), if valid."""
    address = str(request.META.get("REMOTE_ADDR", "")).strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
