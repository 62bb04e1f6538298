"""Errors the services raise, which every front door turns into its own answer.

Bad input raises Django's ``ValidationError`` (a form shows it next to the
field; the API answers 422). A missing object, or one the viewer may not see,
raises ``NotFound``: the same answer either way, so nothing leaks.
"""


class NotFound(Exception):
    pass


class Forbidden(Exception):
    pass
