"""OAuth 2 as Mastodon clients speak it, on django-oauth-toolkit's tables.

Applications, grants, access and refresh tokens are DOT's models (so its admin
and token checks apply); the grant logic is written here because Mastodon's
flavour differs from a generic provider: JSON or form bodies, the out-of-band
redirect URI that shows the code on a page, the password grant whose username
is the e-mail address, and scopes with granular forms (``read:statuses`` is
satisfied by ``read``).
"""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken, set_token_value

from babillard.accounts.models import User
from babillard.api.models import ClientApp
from babillard.security.queries import is_enabled as two_factor_enabled

OOB = "urn:ietf:wg:oauth:2.0:oob"
TOP_SCOPES = ["read", "write", "follow", "push", "admin:read", "admin:write", "profile"]
READ_SCOPES = [
    "accounts",
    "blocks",
    "bookmarks",
    "favourites",
    "filters",
    "follows",
    "lists",
    "mutes",
    "notifications",
    "search",
    "statuses",
]
WRITE_SCOPES = [
    "accounts",
    "blocks",
    "bookmarks",
    "conversations",
    "favourites",
    "filters",
    "follows",
    "lists",
    "media",
    "mutes",
    "notifications",
    "reports",
    "statuses",
]
ADMIN_SCOPES = ["accounts", "reports", "domain_blocks", "ip_blocks", "email_domain_blocks"]
# The legacy ``follow`` scope grants these granular ones, as in Mastodon.
FOLLOW_IMPLIES = {
    "read:blocks",
    "write:blocks",
    "read:follows",
    "write:follows",
    "read:mutes",
    "write:mutes",
}
ALL_SCOPES = (
    TOP_SCOPES
    + ["admin"]
    + [f"read:{s}" for s in READ_SCOPES]
    + [f"write:{s}" for s in WRITE_SCOPES]
    + [f"admin:read:{s}" for s in ADMIN_SCOPES]
    + [f"admin:write:{s}" for s in ADMIN_SCOPES]
)
GRANT_TYPES = ["authorization_code", "password", "client_credentials", "refresh_token"]
# Mastodon's tokens do not expire; DOT needs a date, so a distant one.
TOKEN_LIFETIME = timedelta(days=365 * 20)
CODE_LIFETIME = timedelta(minutes=10)


class OAuthError(Exception):
    """An OAuth failure, answered as ``{"error": code, "error_description": ...}``."""

    def __init__(self, code: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.status = status


def parse_scopes(value: str | list[str] | None, default: str = "read") -> list[str]:
    if isinstance(value, list):
        value = " ".join(value)
    words = (value or default).replace("+", " ").replace(",", " ").split()
    return list(dict.fromkeys(words))


def check_known(scopes: list[str]) -> None:
    unknown = [s for s in scopes if s not in ALL_SCOPES]
    if unknown:
        raise OAuthError("invalid_scope", f"Unknown scope: {' '.join(unknown)}", 400)


def satisfies(granted: set[str], required: str) -> bool:
    """Whether the granted scopes allow ``required``, a granular scope or a top one."""
    if required in granted:
        return True
    parts = required.split(":")
    for cut in range(len(parts) - 1, 0, -1):
        if ":".join(parts[:cut]) in granted:
            return True
    if required.startswith("admin:") and "admin" in granted:
        return True
    return "follow" in granted and required in FOLLOW_IMPLIES


def within(requested: list[str], allowed: list[str]) -> bool:
    return all(satisfies(set(allowed), scope) for scope in requested)


@dataclass
class RegisteredApp:
    application: Application
    client_secret: str
    scopes: list[str]
    website: str


def register_app(
    name: str, redirect_uris: list[str], scopes: list[str], website: str
) -> RegisteredApp:
    check_known(scopes)
    if not name.strip():
        raise OAuthError("invalid_client_metadata", "client_name can't be blank", 422)
    if not redirect_uris:
        raise OAuthError("invalid_redirect_uri", "redirect_uris can't be blank", 422)
    for uri in redirect_uris:
        if uri != OOB and "://" not in uri:
            raise OAuthError("invalid_redirect_uri", "redirect_uris must be absolute URIs", 422)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        application = Application(
            name=name.strip()[:255],
            redirect_uris=" ".join(redirect_uris),
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            client_secret=secret,
            hash_client_secret=True,
        )
        application.save()
        ClientApp.objects.create(
            application_id=application.pk, scopes=" ".join(scopes), website=website[:2000]
        )
    return RegisteredApp(application, secret, scopes, website)


def app_scopes(application: Application) -> list[str]:
    client = ClientApp.objects.filter(application_id=application.pk).first()
    return parse_scopes(client.scopes if client else "read")


def app_website(application: Application) -> str:
    client = ClientApp.objects.filter(application_id=application.pk).first()
    return client.website if client else ""


def redirect_uris(application: Application) -> list[str]:
    return application.redirect_uris.split()


def find_client(client_id: str, client_secret: str | None) -> Application:
    """The application these credentials name; the secret is checked when given."""
    application = Application.objects.filter(client_id=client_id or "").first()
    if application is None:
        raise OAuthError("invalid_client", "Client authentication failed.", 401)
    if client_secret is not None:
        stored = application.client_secret
        ok = (
            check_password(client_secret, stored)
            if application.hash_client_secret
            else secrets.compare_digest(stored, client_secret)
        )
        if not ok:
            raise OAuthError("invalid_client", "Client authentication failed.", 401)
    return application


def issue_token(user: User | None, application: Application, scopes: list[str]) -> AccessToken:
    token = AccessToken(
        user=user,
        application=application,
        expires=timezone.now() + TOKEN_LIFETIME,
        scope=" ".join(scopes),
    )
    set_token_value(token, secrets.token_urlsafe(32))
    raw = token.token
    token.save()
    token.raw = raw  # type: ignore[attr-defined]
    if user is not None:
        refresh = RefreshToken(user=user, application=application, access_token=token)
        set_token_value(refresh, secrets.token_urlsafe(32))
        refresh_raw = refresh.token
        refresh.save()
        token.refresh_raw = refresh_raw  # type: ignore[attr-defined]
    return token


def token_reply(token: AccessToken) -> dict[str, object]:
    reply: dict[str, object] = {
        "access_token": getattr(token, "raw", token.token),
        "token_type": "Bearer",
        "scope": token.scope,
        "created_at": int(token.created.timestamp()),
    }
    if getattr(token, "refresh_raw", None):
        reply["refresh_token"] = token.refresh_raw  # type: ignore[attr-defined]
    return reply


def _requested_scopes(application: Application, value: str | list[str] | None) -> list[str]:
    allowed = app_scopes(application)
    scopes = parse_scopes(value, default=" ".join(allowed))
    check_known(scopes)
    if not within(scopes, allowed):
        raise OAuthError(
            "invalid_scope",
            "The requested scope is invalid, unknown, or malformed.",
            400,
        )
    return scopes


def create_grant(
    user: User,
    application: Application,
    redirect_uri: str,
    scopes: list[str],
    code_challenge: str = "",
    code_challenge_method: str = "",
) -> Grant:
    if code_challenge and code_challenge_method not in ("S256", "plain", ""):
        raise OAuthError("invalid_request", "Unsupported code_challenge_method.", 400)
    return Grant.objects.create(
        user=user,
        application=application,
        code=secrets.token_urlsafe(32),
        expires=timezone.now() + CODE_LIFETIME,
        redirect_uri=redirect_uri,
        scope=" ".join(scopes),
        code_challenge=code_challenge,
        code_challenge_method=(code_challenge_method or "plain") if code_challenge else "",
    )


def _pkce_ok(grant: Grant, verifier: str) -> bool:
    if not grant.code_challenge:
        return True
    if not verifier:
        return False
    if grant.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        computed = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    else:
        computed = verifier
    return secrets.compare_digest(computed, grant.code_challenge)


def exchange(params: dict[str, object]) -> AccessToken:
    """The token endpoint: one of the four grants, with the client's credentials."""
    grant_type = str(params.get("grant_type") or "")
    client_id = str(params.get("client_id") or "")
    raw_secret = params.get("client_secret")
    client_secret = str(raw_secret) if raw_secret is not None else None
    if grant_type not in GRANT_TYPES:
        raise OAuthError("unsupported_grant_type", "The authorization grant type is not supported.")
    # PKCE lets a public client exchange a code without its secret.
    application = find_client(client_id, client_secret)
    if client_secret is None and not (
        grant_type == "authorization_code" and params.get("code_verifier")
    ):
        raise OAuthError("invalid_client", "Client authentication failed.", 401)
    scope_param = params.get("scope")
    if grant_type == "client_credentials":
        return issue_token(None, application, _requested_scopes(application, scope_param))  # type: ignore[arg-type]
    if grant_type == "password":
        user = authenticate(
            None,
            username=str(params.get("username") or ""),
            password=str(params.get("password") or ""),
        )
        if user is None:
            raise OAuthError("invalid_grant", "The provided authorization grant is invalid.")
        if two_factor_enabled(user):  # type: ignore[arg-type]
            raise OAuthError(
                "invalid_grant",
                "This account uses two-factor authentication: log in through the "
                "authorization page (/oauth/authorize) instead of the password grant.",
            )
        return issue_token(user, application, _requested_scopes(application, scope_param))  # type: ignore[arg-type]
    if grant_type == "refresh_token":
        return _refresh(application, str(params.get("refresh_token") or ""))
    return _from_code(application, params)


def _from_code(application: Application, params: dict[str, object]) -> AccessToken:
    with transaction.atomic():
        grant = (
            Grant.objects.select_for_update(of=("self",))
            .filter(code=str(params.get("code") or ""), application=application)
            .select_related("user")
            .first()
        )
        if grant is None or grant.is_expired():
            raise OAuthError("invalid_grant", "The provided authorization grant is invalid.")
        redirect_uri = str(params.get("redirect_uri") or grant.redirect_uri)
        if redirect_uri != grant.redirect_uri:
            raise OAuthError("invalid_grant", "The redirect URI does not match.")
        if not _pkce_ok(grant, str(params.get("code_verifier") or "")):
            raise OAuthError("invalid_grant", "The code verifier does not match.")
        user, scopes, code_id = grant.user, grant.scope.split(), grant.pk
        grant.delete()
        token = issue_token(user, application, scopes)
        _carry_acting_grant(code_id, token)
    return token


def _carry_acting_grant(code_id: int, token: AccessToken) -> None:
    """A code authorised "as the institution" hands its acting grant to its token."""
    from babillard.institutions.queries import acting_code_ref, acting_token_ref
    from babillard.institutions.services import carry_grant_to_token

    carry_grant_to_token(acting_code_ref(code_id), acting_token_ref(token.pk))


def _refresh(application: Application, raw: str) -> AccessToken:
    checksum = hashlib.sha256(raw.encode()).hexdigest()
    with transaction.atomic():
        refresh = (
            RefreshToken.objects.select_for_update(of=("self",))
            .filter(token_checksum=checksum, application=application, revoked__isnull=True)
            .select_related("access_token", "user")
            .first()
        )
        if refresh is None:
            raise OAuthError("invalid_grant", "The provided authorization grant is invalid.")
        scopes = refresh.access_token.scope.split() if refresh.access_token else ["read"]
        user = refresh.user
        refresh.revoke()
    return issue_token(user, application, scopes)


def revoke(params: dict[str, object]) -> None:
    """Revoke a token of this client; unknown tokens are ignored, as RFC 7009 says."""
    application = find_client(
        str(params.get("client_id") or ""),
        str(params["client_secret"]) if params.get("client_secret") is not None else None,
    )
    checksum = hashlib.sha256(str(params.get("token") or "").encode()).hexdigest()
    for token in AccessToken.objects.filter(token_checksum=checksum, application=application):
        token.revoke()
    for refresh in RefreshToken.objects.filter(
        token_checksum=checksum, application=application, revoked__isnull=True
    ):
        refresh.revoke()


def token_from_header(raw: str) -> AccessToken | None:
    """The valid access token with this value, or None."""
    if not raw:
        return None
    checksum = hashlib.sha256(raw.encode()).hexdigest()
    token = (
        AccessToken.objects.filter(token_checksum=checksum)
        .select_related("user", "user__account_record", "application")
        .first()
    )
    if token is None or token.is_expired():
        return None
    return token


def revoke_application_for(user: User, application_id: int) -> None:
    """Withdraw a user's consent: every token and pending code of that application."""
    with transaction.atomic():
        for token in AccessToken.objects.filter(user=user, application_id=application_id):
            token.revoke()
        RefreshToken.objects.filter(user=user, application_id=application_id).delete()
        Grant.objects.filter(user=user, application_id=application_id).delete()


def authorised_applications(user: User) -> list[tuple[Application, set[str], object]]:
    """The applications holding a token of this user, with their scopes and first use."""
    found: dict[int, tuple[Application, set[str], object]] = {}
    for token in (
        AccessToken.objects.filter(user=user, application__isnull=False)
        .select_related("application")
        .order_by("created")
    ):
        app = token.application
        assert app is not None
        entry = found.setdefault(app.pk, (app, set(), token.created))
        entry[1].update(token.scope.split())
    return list(found.values())
