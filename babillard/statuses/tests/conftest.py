from babillard.federation.tests.conftest import network  # noqa: F401  (shared fixture)
