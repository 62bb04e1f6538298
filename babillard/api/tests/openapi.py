"""What the schemathesis runs of both APIs share: the schema of a document served by
the application itself, and one round of generated requests to every operation.

Each round draws one request per operation, puts the ids of real objects into its
path (so that requests reach the handlers instead of stopping at a 404), sends it
with the given token and checks that the answer is never a server error, is JSON as
documented, and matches the documented schema of its status.
"""

from collections.abc import Callable
from typing import Any

import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

# Reads first, deletions last, so that each operation finds the objects it names.
METHOD_ORDER = ["GET", "POST", "PUT", "PATCH", "DELETE"]
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

# The ids put into an operation's path, by the names the document gives its parameters.
IdsFor = Callable[[str], dict[str, str]]


def rounds(examples: int) -> Any:
    """Hypothesis settings of a bounded, reproducible run of ``examples`` rounds."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def operations_of(document_path: str, exclude_paths: str | None = None) -> list[Any]:
    """The operations of the document served at ``document_path``, in a stable order."""
    schema = schemathesis.openapi.from_wsgi(document_path, get_wsgi_application())
    if exclude_paths:
        schema = schema.exclude(path_regex=exclude_paths)
    found = (result.ok() for result in schema.get_all_operations())
    return sorted(found, key=lambda o: (METHOD_ORDER.index(o.method.upper()), o.path))


def send_round(data: st.DataObject, operations: list[Any], token: str, ids_for: IdsFor) -> None:
    """Draw and send one request to every operation; report every failure together.

    The round runs in a savepoint rolled back at its end, so that every round starts
    from the same objects (the deletions of one round do not leave the next 404s).
    """
    with transaction.atomic():
        try:
            failures = [failure for o in operations if (failure := _send(data, o, token, ids_for))]
        finally:
            transaction.set_rollback(True)
    assert not failures, "\n\n".join(failures)


def _send(data: st.DataObject, operation: Any, token: str, ids_for: IdsFor) -> str:
    """Send one drawn request to ``operation``; the failure found, or an empty string."""
    case = data.draw(operation.as_strategy(), label=operation.label)
    ids = ids_for(operation.path)
    for name in list(case.path_parameters or {}):
        if name in ids:
            case.path_parameters[name] = ids[name]
    cache.clear()  # the rate limit would otherwise answer 429 to the later requests
    try:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
            checks=CHECKS,
        )
    except Exception as failure:  # every failure of the round is reported together
        return f"{operation.label}: {failure}"
    return ""
