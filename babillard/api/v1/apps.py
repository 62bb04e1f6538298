"""``/api/v1/apps``: dynamic registration of client applications."""

from typing import Any

from django.http import HttpRequest
from ninja import Router

from babillard.api import oauth, schemas
from babillard.api.base import ApiError, as_list, as_str, params, require_token

router = Router(tags=["apps"])


def _entity(application: Any, scopes: list[str], website: str) -> dict[str, Any]:
    uris = oauth.redirect_uris(application)
    return {
        "id": str(application.pk),
        "name": application.name,
        "website": website or None,
        "scopes": scopes,
        "redirect_uri": "\n".join(uris),
        "redirect_uris": uris,
        "vapid_key": "",
    }


@router.post("/v1/apps", response=schemas.CredentialApplication)
def create_app(request: HttpRequest) -> dict[str, Any]:
    """Register an application (redirect URIs may include ``urn:ietf:wg:oauth:2.0:oob``)."""
    data = params(request)
    raw_uris = data.get("redirect_uris")
    uris = [u for item in as_list(raw_uris) for u in str(item).split()]
    scopes = oauth.parse_scopes(data.get("scopes"), default="read")
    try:
        registered = oauth.register_app(
            as_str(data.get("client_name")), uris, scopes, as_str(data.get("website"))
        )
    except oauth.OAuthError as error:
        raise ApiError(error.status if error.status != 400 else 422, error.description) from None
    entity = _entity(registered.application, registered.scopes, registered.website)
    entity["client_id"] = registered.application.client_id
    entity["client_secret"] = registered.client_secret
    entity["client_secret_expires_at"] = 0
    return entity


@router.get("/v1/apps/verify_credentials", response=schemas.Application)
def verify_app(request: HttpRequest) -> dict[str, Any]:
    token = require_token(request)
    application = token.application
    if application is None:
        raise ApiError(401, "The access token is invalid")
    return _entity(application, oauth.app_scopes(application), oauth.app_website(application))
