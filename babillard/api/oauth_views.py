"""OAuth 2 pages and endpoints: consent, token, revocation, server metadata,
and the settings page where users see and revoke the applications they authorised."""

from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.contrib.auth import authenticate, login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from oauth2_provider.models import Application

from babillard.accounts.models import User
from babillard.api import oauth
from babillard.api.base import ApiError, params
from babillard.core import links, ratelimits
from babillard.institutions import queries as institution_queries
from babillard.institutions import services as institution_services
from babillard.institutions.models import Role
from babillard.security import queries as security_queries
from babillard.security.sessions import hold_login


def _describe(scope: str) -> str:
    labels = {
        "read": _("Read all your account's data"),
        "write": _("Publish and change everything in your account"),
        "follow": _("Follow, block and mute accounts"),
        "push": _("Receive your notifications"),
        "profile": _("Read your profile only"),
        "admin:read": _("Read moderation data"),
        "admin:write": _("Act as a moderator"),
    }
    if scope in labels:
        return labels[scope]
    family, _sep, what = scope.partition(":")
    if family == "read":
        return _("Read: %(what)s") % {"what": what}
    if family == "write":
        return _("Change: %(what)s") % {"what": what}
    return scope


def _with_query(uri: str, values: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = "&".join(q for q in (parts.query, urlencode(values)) if q)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def _login_url(request: HttpRequest) -> str | None:
    from django.conf import settings

    try:
        return reverse(settings.LOGIN_URL)
    except NoReverseMatch:
        return None


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """The consent page: who asks, for what; approve or deny. Logs in first if needed."""
    data: dict[str, Any] = {**request.GET.dict(), **request.POST.dict()}
    client_id = data.get("client_id", "")
    application = Application.objects.filter(client_id=client_id).first()
    if application is None:
        return render(
            request,
            "api/oauth_error.html",
            {"message": _("This application is not known here.")},
            status=400,
        )
    redirect_uri = data.get("redirect_uri") or oauth.redirect_uris(application)[0]
    if redirect_uri not in oauth.redirect_uris(application):
        return render(
            request,
            "api/oauth_error.html",
            {"message": _("The redirect address does not match the application's.")},
            status=400,
        )
    if data.get("response_type", "code") != "code":
        return render(
            request,
            "api/oauth_error.html",
            {"message": _("Only the authorisation code flow is supported.")},
            status=400,
        )
    allowed = oauth.app_scopes(application)
    scopes = oauth.parse_scopes(data.get("scope"), default=" ".join(allowed))
    if not set(scopes) <= set(oauth.ALL_SCOPES) or not oauth.within(scopes, allowed):
        return render(
            request,
            "api/oauth_error.html",
            {"message": _("The application asks for permissions it did not register.")},
            status=400,
        )
    login_error = ""
    if not request.user.is_authenticated:
        if request.method == "POST" and data.get("step") == "login":
            ratelimits.count_address(request, "login")
            known = authenticate(
                request, username=data.get("username", ""), password=data.get("password", "")
            )
            if known is not None and security_queries.is_enabled(known):
                return _second_step(request, known, _hidden(data, redirect_uri, scopes))
            if known is not None:
                login(request, known)
                request.method = "GET"
            else:
                login_error = _("Wrong e-mail address or password.")
        if not request.user.is_authenticated:
            return render(
                request,
                "api/authorize.html",
                {
                    "application": application,
                    "website": oauth.app_website(application),
                    "params": _hidden(data, redirect_uri, scopes),
                    "needs_login": True,
                    "login_error": login_error,
                    "login_url": _login_url(request),
                },
                status=401 if login_error else 200,
            )
    user = User.objects.get(pk=request.user.pk)
    if request.method == "POST" and data.get("step") == "consent":
        if data.get("decision") != "approve":
            if redirect_uri == oauth.OOB:
                return render(
                    request, "api/oauth_error.html", {"message": _("You denied the access.")}
                )
            values = {"error": "access_denied"}
            if data.get("state"):
                values["state"] = data["state"]
            return _to_client(_with_query(redirect_uri, values))
        try:
            grant = oauth.create_grant(
                user,
                application,
                redirect_uri,
                scopes,
                data.get("code_challenge", ""),
                data.get("code_challenge_method", ""),
            )
        except oauth.OAuthError as error:
            return render(
                request, "api/oauth_error.html", {"message": error.description}, status=400
            )
        acting = _acting_choice(user, data.get("act_as", ""))
        if acting is not None:
            acting_grant = institution_services.create_acting_grant(user.account, acting)
            institution_services.attach_token(
                acting_grant, institution_queries.acting_code_ref(grant.pk)
            )
        if redirect_uri == oauth.OOB:
            return render(
                request, "api/authorize_code.html", {"code": grant.code, "application": application}
            )
        values = {"code": grant.code}
        if data.get("state"):
            values["state"] = data["state"]
        return _to_client(_with_query(redirect_uri, values))
    return render(
        request,
        "api/authorize.html",
        {
            "application": application,
            "website": oauth.app_website(application),
            "params": _hidden(data, redirect_uri, scopes),
            "scopes": [_describe(s) for s in scopes],
            "needs_login": False,
            "institutions": institution_queries.institutions_of(user.account, Role.EDITOR),
        },
    )


def _second_step(request: HttpRequest, user: Any, kept: dict[str, str]) -> HttpResponse:
    """An account with two-factor authentication gives its code on the log-in's own
    second step, which then comes back to this consent page."""
    hold_login(request, user)
    back_here = f"{request.path}?{urlencode(kept)}"
    return HttpResponseRedirect(f"{reverse('web:login_code')}?{urlencode({'next': back_here})}")


def _acting_choice(user: User, value: str) -> Any:
    """The institution chosen with "authorise as <institution>", or None for oneself.

    Only institutions where the user is an editor are offered; any other value
    authorises as oneself."""
    for institution in institution_queries.institutions_of(user.account, Role.EDITOR):
        if str(institution.pk) == value:
            return institution
    return None


def _to_client(uri: str) -> HttpResponse:
    """Redirect to the application's registered URI, which may use its own scheme
    (``elk://``, ``tusky://``): Django's redirect class refuses those schemes."""
    response = HttpResponse(status=302)
    response["Location"] = uri
    return response


def _hidden(data: dict[str, Any], redirect_uri: str, scopes: list[str]) -> dict[str, str]:
    kept = {
        key: str(data[key])
        for key in (
            "client_id",
            "state",
            "code_challenge",
            "code_challenge_method",
            "response_type",
        )
        if data.get(key)
    }
    kept["redirect_uri"] = redirect_uri
    kept["scope"] = " ".join(scopes)
    return kept


def _oauth_error(error: oauth.OAuthError) -> JsonResponse:
    return JsonResponse(
        {"error": error.code, "error_description": error.description}, status=error.status
    )


def token(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return JsonResponse({"error": "Method not allowed"}, status=405)
    try:
        data = params(request)
        if data.get("grant_type") == "password":
            # Password guesses share the log-in limit of the web pages.
            ratelimits.count_address(request, "login")
        issued = oauth.exchange(data)
    except ApiError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    except oauth.OAuthError as error:
        return _oauth_error(error)
    response = JsonResponse(oauth.token_reply(issued))
    response["Cache-Control"] = "no-store"
    return response


def revoke(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return JsonResponse({"error": "Method not allowed"}, status=405)
    try:
        oauth.revoke(params(request))
    except ApiError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    except oauth.OAuthError as error:
        return _oauth_error(error)
    return JsonResponse({})


def server_metadata(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "issuer": links.absolute("/"),
            "service_documentation": "https://docs.joinmastodon.org/",
            "authorization_endpoint": links.absolute("/oauth/authorize"),
            "token_endpoint": links.absolute("/oauth/token"),
            "app_registration_endpoint": links.absolute("/api/v1/apps"),
            "revocation_endpoint": links.absolute("/oauth/revoke"),
            "scopes_supported": oauth.ALL_SCOPES,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "grant_types_supported": oauth.GRANT_TYPES,
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }
    )


@require_http_methods(["GET", "POST"])
def applications(request: HttpRequest) -> HttpResponse:
    """The user's authorised applications, each with a button that revokes its access."""
    if not request.user.is_authenticated:
        login_url = _login_url(request)
        if login_url:
            return HttpResponseRedirect(f"{login_url}?{urlencode({'next': request.path})}")
        return render(request, "api/oauth_error.html", {"message": _("Log in first.")}, status=401)
    user: User = request.user  # type: ignore[assignment]
    if request.method == "POST":
        application_id = request.POST.get("application", "")
        if application_id.isdigit():
            oauth.revoke_application_for(user, int(application_id))
        return HttpResponseRedirect(request.path)
    entries = [
        {
            "application": app,
            "website": oauth.app_website(app),
            "scopes": [_describe(s) for s in sorted(scopes)],
            "since": since,
        }
        for app, scopes, since in oauth.authorised_applications(user)
    ]
    return render(request, "api/applications.html", {"entries": entries})
