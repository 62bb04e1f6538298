from babillard.api.tests.conftest import app, token_for  # noqa: F401  (shared fixtures)
