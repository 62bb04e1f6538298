"""Model parts shared by several domains."""

import secrets

from django.db import models


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class SecretFeed(models.Model):
    """A private feed read through a secret address, without logging in (feed readers
    and calendars cannot log in): whoever holds ``feed_token`` reads the feed, so its
    owner can replace it and the old address stops working."""

    feed_token = models.CharField(max_length=64, unique=True, default=new_feed_token)

    class Meta:
        abstract = True

    def regenerate_feed_token(self) -> None:
        """A new secret address, saved at once; the old one stops working."""
        self.feed_token = new_feed_token()
        self.save(update_fields=["feed_token"])
