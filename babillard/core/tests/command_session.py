"""One long-lived ``babillard`` command runner for an instance of the multi-instance tests.

The tests drive each server with many management commands (``fedctl``, ``shell -c``,
``createuser``); starting Python and Django for each one costs more than the command itself.
This process starts once beside the server and runs them one after another: it reads one JSON
list of arguments per line on stdin and answers one JSON line on stdout, ``{"output": ...}``
or ``{"error": ...}``. Between commands it forgets what a new process would not know: the
local-memory cache and the database connections.
"""

import contextlib
import io
import json
import sys
import traceback


def main() -> None:
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connections

    protocol = sys.stdout
    for line in sys.stdin:
        output = io.StringIO()
        try:
            with contextlib.redirect_stdout(output):
                call_command(*json.loads(line), stdout=output)
            answer = {"output": output.getvalue()}
        except (Exception, SystemExit):
            answer = {"error": output.getvalue()[-1000:] + traceback.format_exc()[-3000:]}
        finally:
            cache.clear()
            connections.close_all()
        protocol.write(json.dumps(answer) + "\n")
        protocol.flush()


if __name__ == "__main__":
    main()
