"""Acting as an institution from any Mastodon app: the consent page's "authorise as
<institution>" through the real authorization-code flow, and Mastodon.py against a
live server with an act-as token."""

import html
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.test import Client
from mastodon import Mastodon

from babillard.accounts.models import Account
from babillard.api.tests.conftest import ApiClient
from babillard.api.tests.live import LiveServer, live_server
from babillard.core.testing import PASSWORD, make_account
from babillard.institutions.models import AuditEntry, Role
from babillard.institutions.services import add_member

OOB = "urn:ietf:wg:oauth:2.0:oob"


@pytest.fixture
def library(db: Any) -> tuple[Account, Account, Account]:
    institution = make_account("bibli", kind="institution", display_name="Bibliothèque")
    editor, staff = make_account("eddy"), make_account("stella")
    add_member(institution, institution, editor, Role.EDITOR)
    add_member(institution, institution, staff, Role.STAFF)
    return institution, editor, staff


def authorise(person: Account, act_as: str | None) -> tuple[bytes, dict[str, Any]]:
    """Register an app, consent as ``person`` (choosing ``act_as``), exchange the code."""
    client = Client()
    app = client.post(
        "/api/v1/apps",
        json.dumps({"client_name": "Ivory", "redirect_uris": OOB, "scopes": "read write"}),
        content_type="application/json",
    ).json()
    client.force_login(person.user)  # type: ignore[arg-type]
    query = {"client_id": app["client_id"], "redirect_uri": OOB, "scope": "read write"}
    page = client.get("/oauth/authorize", query, headers={"Accept-Language": "en"})
    decision = {**query, "step": "consent", "decision": "approve"}
    if act_as is not None:
        decision["act_as"] = act_as
    shown = client.post("/oauth/authorize", decision)
    code = re.search(rb'readonly value="([^"]+)"', shown.content)
    assert code is not None
    reply = client.post(
        "/oauth/token",
        {
            "grant_type": "authorization_code",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "redirect_uri": OOB,
            "code": code.group(1).decode(),
        },
    )
    assert reply.status_code == 200, reply.content
    return page.content, reply.json()


def test_an_editor_authorises_an_app_as_the_institution(library: Any) -> None:
    institution, editor, _staff = library
    page, reply = authorise(editor, str(institution.pk))
    assert b"Authorise as myself" in page
    assert "Authorise as Bibliothèque".encode() in page
    acting = ApiClient(reply["access_token"])
    assert acting.get("/api/v1/accounts/verify_credentials").json()["id"] == str(institution.pk)
    posted = acting.post("/api/v1/statuses", {"status": "Ouverture à 10 h"})
    assert posted.json()["account"]["id"] == str(institution.pk)
    entry = AuditEntry.objects.get(action="post")
    assert (entry.acting_account_id, entry.status_id) == (editor.pk, int(posted.json()["id"]))


def test_authorising_as_oneself_stays_oneself(library: Any) -> None:
    _institution, editor, _staff = library
    _page, reply = authorise(editor, "")
    me = ApiClient(reply["access_token"]).get("/api/v1/accounts/verify_credentials").json()
    assert me["id"] == str(editor.pk)


def test_staff_are_not_offered_the_institution_and_cannot_forge_it(library: Any) -> None:
    institution, _editor, staff = library
    page, reply = authorise(staff, str(institution.pk))
    assert b"Authorise as myself" not in page
    me = ApiClient(reply["access_token"]).get("/api/v1/accounts/verify_credentials").json()
    assert me["id"] == str(staff.pk)


def test_the_consent_choice_speaks_french(library: Any) -> None:
    _institution, editor, _staff = library
    client = Client()
    app = client.post(
        "/api/v1/apps",
        json.dumps({"client_name": "Ivory", "redirect_uris": OOB}),
        content_type="application/json",
    ).json()
    client.force_login(editor.user)  # type: ignore[arg-type]
    page = client.get(
        "/oauth/authorize",
        {"client_id": app["client_id"], "redirect_uri": OOB},
        headers={"Accept-Language": "fr"},
    )
    assert b"Autoriser en mon nom" in page.content
    assert "Autoriser au nom de Bibliothèque".encode() in page.content


# --- Mastodon.py against a live server -----------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    with live_server() as running:
        yield running


def _csrf(text: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
    assert found is not None
    return found.group(1)


def test_mastodon_py_acts_as_the_institution(server: LiveServer) -> None:
    suffix = uuid.uuid4().hex[:6]
    editor_email = server.make_user(f"eddy_{suffix}", PASSWORD)
    server.manage(
        "shell",
        "-c",
        "from babillard.accounts.services import create_local_user\n"
        "from babillard.accounts.models import Account\n"
        "from babillard.institutions.services import add_member\n"
        f"bib = create_local_user('bib_{suffix}', 'bib_{suffix}@example.org', 'x' * 20, "
        "kind='institution', display_name='Médiathèque').account\n"
        f"add_member(bib, bib, Account.objects.get(username='eddy_{suffix}'), 'editor')\n",
    )
    client_id, client_secret = Mastodon.create_app(
        "Babillard act-as", scopes=["read", "write"], redirect_uris=OOB, api_base_url=server.url
    )
    own = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server.url)
    own.log_in(username=editor_email, password=PASSWORD, scopes=["read", "write"], allow_http=True)
    institution = own.account_lookup(f"bib_{suffix}")
    assert institution["babillard"]["institution"]["verified"] is False

    # A token from the API (scripts, the library's website).
    path = f"{server.url}/api/babillard/v1/institutions/{institution['id']}/act_as"
    issued = httpx.post(path, headers={"Authorization": f"Bearer {own.access_token}"}).json()
    scripted = Mastodon(access_token=issued["access_token"], api_base_url=server.url)
    posted = scripted.status_post("Fermeture exceptionnelle samedi")
    assert posted["account"]["id"] == institution["id"]

    # A token from the consent page, chosen "as the institution".
    browser = httpx.Client(base_url=server.url, follow_redirects=True)
    query = {"client_id": client_id, "redirect_uri": OOB, "scope": "read write"}
    page = browser.get("/oauth/authorize", params=query)
    login = {**query, "step": "login", "username": editor_email, "password": PASSWORD}
    page = browser.post(str(page.url), data={**login, "csrfmiddlewaretoken": _csrf(page.text)})
    assert f'name="act_as" value="{institution["id"]}"' in page.text
    consent = {**query, "step": "consent", "decision": "approve", "act_as": institution["id"]}
    page = browser.post(str(page.url), data={**consent, "csrfmiddlewaretoken": _csrf(page.text)})
    code = re.search(r'readonly value="([^"]+)"', page.text)
    assert code is not None
    app = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server.url)
    app.log_in(
        code=html.unescape(code.group(1)),
        redirect_uri=OOB,
        scopes=["read", "write"],
        allow_http=True,
    )
    assert app.account_verify_credentials()["id"] == institution["id"]
    boosted = app.status_reblog(posted["id"])
    assert boosted["account"]["id"] == institution["id"]

    audit = httpx.get(
        f"{server.url}/api/babillard/v1/institutions/{institution['id']}/audit",
        headers={"Authorization": f"Bearer {app.access_token}"},
    ).json()
    assert [row["action"] for row in audit] == ["reblog", "grant", "post", "grant"]
    editor_id = own.account_verify_credentials()["id"]
    assert {row["acting_account_id"] for row in audit} == {editor_id}
