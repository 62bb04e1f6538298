"""Settings for the test suite: the production settings with fast, isolated parts.

The database and Redis come from the same variables as in production, so the
suite runs unchanged on SQLite and on PostgreSQL + Redis.
"""

import os
import tempfile

os.environ.setdefault("BABILLARD_HOME", tempfile.mkdtemp(prefix="babillard-test-"))
os.environ.setdefault("BABILLARD_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault(
    "BABILLARD_TASK_BACKEND", "babillard.core.testing.ImmediateBackendWithDeferral"
)
os.environ.setdefault("BABILLARD_CACHE_PREFIX", f"babillard-test-{os.getpid()}")

from babillard.settings import *  # noqa: F403

TESTING = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AUTH_RATE_LIMIT = 1000
ACCOUNT_KEY_BITS = 1024
