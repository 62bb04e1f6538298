from babillard.api.tests.conftest import app, token_for  # noqa: F401  (shared fixtures)
from babillard.federation.tests.conftest import network  # noqa: F401  (shared fixture)
