"""Helpers to hand work to the task backend once the current transaction commits."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django_tasks.base import Task


def enqueue_on_commit(task: Task[Any, Any], *args: Any) -> None:
    """Enqueue ``task`` after the surrounding transaction commits.

    A worker must never pick up a task about a row it cannot see yet (Redis
    workers would race the commit), and a rolled-back write must enqueue nothing.
    """
    transaction.on_commit(lambda: task.enqueue(*args))


def enqueue_at(task: Task[Any, Any], when: datetime, *args: Any) -> None:
    """Enqueue ``task`` to run at ``when``, after commit (the backend must support deferral)."""
    transaction.on_commit(lambda: task.using(run_after=when).enqueue(*args))
