"""Fixtures shared by every app's tests.

Tests run inside a transaction that is rolled back, so Django would never run
``on_commit`` hooks. The patch below runs them when the outermost transaction
that is not the test's own ends, which is when they would run in production.
"""

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.transaction import Atomic

_original_on_commit = BaseDatabaseWrapper.on_commit
_test_numbers = itertools.count()
_original_exit = Atomic.__exit__


def _only_test_transactions(wrapper: BaseDatabaseWrapper) -> bool:
    return all(getattr(block, "_from_testcase", False) for block in wrapper.atomic_blocks)


def _on_commit(self: BaseDatabaseWrapper, func: Callable[[], Any], robust: bool = False) -> None:
    if self.in_atomic_block and _only_test_transactions(self):
        func()
    else:
        _original_on_commit(self, func, robust)


def _exit(self: Atomic, exc_type: Any, exc_value: Any, traceback: Any) -> None:
    _original_exit(self, exc_type, exc_value, traceback)
    if connection.in_atomic_block and _only_test_transactions(connection):
        pending, connection.run_on_commit = connection.run_on_commit, []
        for _savepoints, func, _robust in pending:
            func()


@pytest.fixture(autouse=True)
def _run_on_commit_hooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", _on_commit)
    monkeypatch.setattr(Atomic, "__exit__", _exit)
    yield


@pytest.fixture(autouse=True)
def _own_cache_keys() -> Iterator[None]:
    """Each test reads and writes cache keys of its own, so that counters (rate limits)
    and cached answers never pass from one test to the next, in memory as in Redis."""
    from django.core.cache import caches

    cache = caches["default"]
    shared = cache.key_prefix
    cache.key_prefix = f"{shared}-{next(_test_numbers)}"
    yield
    cache.key_prefix = shared


@pytest.fixture(autouse=True)
def _fresh_deferred_tasks() -> Iterator[None]:
    from babillard.core.testing import ImmediateBackendWithDeferral

    ImmediateBackendWithDeferral.deferred.clear()
    yield
    ImmediateBackendWithDeferral.deferred.clear()
