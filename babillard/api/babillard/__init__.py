"""Babillard's own API, under ``/api/babillard/v1/``.

It shares the client API's OAuth tokens, scopes, request parsing (``base.params``),
error shape and front door (CORS, rate limits, trailing-slash twins); its
OpenAPI document is served at ``/api/babillard/v1/openapi.json``. One module per
domain, each with its ``router``.
"""

from babillard.api.api import VERSION, ClientApi, Renderer, install_error_handlers

babillard_api = ClientApi(
    title="Babillard API",
    version=VERSION,
    description=(
        "Babillard's own API: institutions, sites and live occupancy, events, books. "
        "Same OAuth tokens and scopes as the Mastodon-compatible client API; errors "
        'are answered as {"error": "..."}. See docs/api.md.'
    ),
    renderer=Renderer(),
    urls_namespace="babillard_api",
    openapi_url="/openapi.json",
    docs_url=None,
)
install_error_handlers(babillard_api)


def _register() -> None:
    from babillard.api.babillard import (
        admin,
        boards,
        books,
        events,
        groups,
        institutions,
        occupancy,
        outages,
        portability,
        quotes,
        triage,
        watch,
    )

    modules = (institutions, occupancy, events, books, watch, boards, triage, portability)
    for module in (*modules, outages, quotes, groups, admin):
        babillard_api.add_router("", module.router)


_register()
