from babillard.api.tests.conftest import app, token_for  # noqa: F401  (shared fixtures)
from babillard.watch.tests.conftest import feed_server  # noqa: F401  (shared fixture)
