"""Rate limits, counted in the shared cache so that every process and every front door
count the same requests.

Two kinds of limits, as Mastodon has them:

- per client address (``count_address``): sign-up, log-in and password reset, on the web
  pages, the client API's sign-up and the OAuth password grant alike; the codes of
  two-factor authentication are counted per address and per account (``count_for``);
- per account (``spend``): posting and boosting, uploading images, following, reporting
  and favouriting. The services call ``spend`` for the account that acts, so the web
  pages and both APIs share one counter per account and per family.

Windows are fixed: a window starts at a multiple of its length since the epoch, so every
process agrees on when it ends. Per-account limits count what a person does in a
request: the web middleware and the API's front door open a ``Meter`` for each request.
Work of the worker (imports, scheduled posts, automatic posts, federation) is not
metered, and neither are remote accounts or the local actors nobody signs in as
(boards, groups).
"""

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from babillard.core.clients import client_ip

if TYPE_CHECKING:
    from babillard.accounts.models import Account


@dataclass(frozen=True)
class Usage:
    """One limit after counting a request: what the ``X-RateLimit-*`` headers tell."""

    scope: str
    limit: int
    remaining: int
    reset: int

    @property
    def exceeded(self) -> bool:
        return self.remaining < 0

    def retry_after(self) -> int:
        """Seconds until the window ends (at least one)."""
        return max(1, self.reset - int(time.time()))

    def is_stricter_than(self, other: "Usage") -> bool:
        return (self.remaining, self.limit) < (other.remaining, other.limit)


def count(scope: str, key: str, limit: int, period: int) -> Usage:
    """Count one request under ``key`` in the current window of ``period`` seconds."""
    now = int(time.time())
    start = now - now % period
    cache_key = f"rate:{scope}:{key}:{start}"
    cache.add(cache_key, 0, period + 5)
    try:
        used = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, period + 5)
        used = 1
    return Usage(scope, limit, limit - used, start + period)


class RateLimited(Exception):
    """Over a limit: the web answers a 429 page, the API a 429 JSON error."""

    def __init__(self, usage: Usage) -> None:
        super().__init__(usage.scope)
        self.usage = usage

    @property
    def message(self) -> str:
        reasons = {
            "statuses": _("You have posted a lot in a short time."),
            "media": _("You have uploaded a lot of images in a short time."),
            "follows": _("You have followed a lot of accounts in a short time."),
            "reports": _("You have sent a lot of reports in a short time."),
            "favourites": _("You have added a lot of favourites in a short time."),
            "login_code_account": _("Too many codes were tried for this account."),
        }
        reason = reasons.get(self.usage.scope, _("Too many attempts from your address."))
        minutes = self.minutes
        wait = ngettext(
            "Please wait %(count)d minute and try again.",
            "Please wait %(count)d minutes and try again.",
            minutes,
        ) % {"count": minutes}
        return f"{reason} {wait}"

    @property
    def minutes(self) -> int:
        return math.ceil(self.usage.retry_after() / 60)


class Meter:
    """The limits one request has counted; the strictest is the one its headers tell."""

    def __init__(self) -> None:
        self.strictest: Usage | None = None

    def record(self, usage: Usage) -> None:
        if self.strictest is None or usage.is_stricter_than(self.strictest):
            self.strictest = usage


_current: ContextVar[Meter | None] = ContextVar("babillard_rate_meter", default=None)


@contextmanager
def metered() -> Iterator[Meter]:
    """Count per-account limits for what runs inside (one request)."""
    meter = Meter()
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)


def _checked(usage: Usage) -> None:
    meter = _current.get()
    if meter is not None:
        meter.record(usage)
    if usage.exceeded:
        raise RateLimited(usage)


def spend(account: "Account", family: str) -> None:
    """Count one action of ``family`` for a local person's account; ``RateLimited`` over it.

    The limit and window of each family are ``settings.ACCOUNT_RATE_LIMITS``.
    """
    if _current.get() is None or not account.is_local or account.user_id is None:
        return
    limit, period = settings.ACCOUNT_RATE_LIMITS[family]
    _checked(count(family, f"account:{account.pk}", limit, period))


def count_address(request: HttpRequest, scope: str) -> None:
    """Count one attempt of ``scope`` for the client's address; ``RateLimited`` over it."""
    address = client_ip(request) or "unknown"
    _checked(count(scope, f"ip:{address}", settings.AUTH_RATE_LIMIT, settings.AUTH_RATE_WINDOW))


def count_for(target: str, scope: str) -> None:
    """Count one attempt of ``scope`` aimed at ``target`` (an account's two-factor codes),
    from whatever address, under the log-in limit; ``RateLimited`` over it."""
    _checked(count(scope, target, settings.AUTH_RATE_LIMIT, settings.AUTH_RATE_WINDOW))
