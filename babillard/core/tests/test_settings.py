"""Settings read from the environment: the PostgreSQL connection pool."""

import json
import os
import subprocess
import sys

import pytest


def _database_settings(**env: str) -> dict[str, object]:
    """The default database's settings as a fresh process builds them from ``env``."""
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps(settings.DATABASES['default'], default=str))"
    )
    inherited = {k: v for k, v in os.environ.items() if k != "BABILLARD_DB_POOL_SIZE"}
    environment = {**inherited, "DJANGO_SETTINGS_MODULE": "babillard.settings", **env}
    out = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


URL = "postgres://postgres@127.0.0.1:5432/babillard"


@pytest.mark.parametrize("size", ["", "8"])
def test_pool_is_used_only_when_sized(size: str) -> None:
    env = {"BABILLARD_DATABASE_URL": URL}
    if size:
        env["BABILLARD_DB_POOL_SIZE"] = size
    found = _database_settings(**env)
    if size:
        assert found["CONN_MAX_AGE"] == 0
        assert found["OPTIONS"]["pool"]["max_size"] == 8  # type: ignore[index]
    else:
        assert found["CONN_MAX_AGE"] == 60
        assert "pool" not in found.get("OPTIONS", {})  # type: ignore[operator]
