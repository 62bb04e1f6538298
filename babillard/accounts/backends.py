from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from babillard.accounts.models import User


class EmailOrUsernameBackend(ModelBackend):
    """Log in with the username or the e-mail address; unconfirmed or unapproved users cannot."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or not password:
            return None
        field = "email__iexact" if "@" in username else "username__iexact"
        user = User.objects.filter(**{field: username}).first()
        if user is None:
            User().set_password(password)  # same time spent whether or not the user exists
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def user_can_authenticate(self, user: Any) -> bool:
        return bool(super().user_can_authenticate(user) and user.email_confirmed and user.approved)
