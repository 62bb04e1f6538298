"""Absolute URLs and ActivityPub ids of local objects, in one place.

Web pages, the client API and federation all name local things through these
functions, so that an account's URI never differs between front doors.
"""

from django.conf import settings


def absolute(path: str) -> str:
    return f"{settings.SCHEME}://{settings.DOMAIN}{path}"


def account_uri(username: str) -> str:
    return absolute(f"/users/{username}")


def account_url(username: str) -> str:
    return absolute(f"/@{username}")


def status_uri(username: str, status_id: int) -> str:
    return absolute(f"/users/{username}/statuses/{status_id}")


def status_url(username: str, status_id: int) -> str:
    return absolute(f"/@{username}/{status_id}")


def tag_url(name: str) -> str:
    return absolute(f"/tags/{name}")
