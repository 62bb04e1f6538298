"""Helpers for the tests of every app: make users and posts through the services."""

import io
import itertools
from typing import Any

from django.utils import timezone
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id
from PIL import Image

from babillard.accounts.models import Account, AccountKind
from babillard.accounts.services import create_local_user

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def make_account(username: str | None = None, **options: object) -> Account:
    """A confirmed, approved local account."""
    name = username or f"user{next(_counter)}"
    kind = str(options.pop("kind", AccountKind.PERSON))
    user = create_local_user(name, f"{name}@example.org", PASSWORD, kind=kind, **options)  # type: ignore[arg-type]
    return user.account


def image_bytes(
    size: tuple[int, int] = (64, 48), image_format: str = "PNG", color: str = "teal"
) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=image_format)
    buffer.seek(0)
    buffer.name = f"test.{image_format.lower()}"
    return buffer


class ImmediateBackendWithDeferral(ImmediateBackend):
    """Runs tasks at once, like Django's immediate backend, but keeps deferred ones.

    Tasks enqueued with ``run_after`` wait in ``deferred`` until a test calls
    ``run_due_tasks``, so scheduled posts and poll endings are tested at their time.
    """

    supports_defer = True
    deferred: list[TaskResult[Any]] = []

    def enqueue(self, task: Task[Any, Any], args: Any, kwargs: Any) -> TaskResult[Any]:
        if task.run_after is None:
            return super().enqueue(task, args, kwargs)
        self.validate_task(task)
        result: TaskResult[Any] = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        ImmediateBackendWithDeferral.deferred.append(result)
        return result


def run_due_tasks() -> int:
    """Run the deferred tasks whose time has come; return how many ran."""
    now = timezone.now()
    due = [r for r in ImmediateBackendWithDeferral.deferred if (r.task.run_after or now) <= now]
    for result in due:
        ImmediateBackendWithDeferral.deferred.remove(result)
        result.task.using(run_after=None).call(*result.args, **result.kwargs)
    return len(due)
