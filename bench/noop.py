"""The task worker's floor for ``bench.watch``: a task that does nothing. Imported only
by the benchmark's child, once Django is set up (declaring a task reads the settings)."""

from django_tasks import task


@task()
def noop() -> None:
    """Nothing: what remains is the worker's own cost per task."""
