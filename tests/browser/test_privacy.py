"""No page makes its reader's browser talk to another server.

Chromium visits the main pages logged out and logged in, with content from another
server on them (an avatar, a header, an image, a custom emoji, all on remote hosts),
records every request it makes and every content security policy violation, and finds
only the instance's own origin.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from babillard.accounts.services import follow, update_remote_account
from babillard.boards.services import create_board
from babillard.core.middleware import CONTENT_SECURITY_POLICY
from babillard.core.testing import PASSWORD, image_bytes, make_account
from babillard.events.services import create_event
from babillard.groups.services import create_group
from babillard.reactions.services import react
from babillard.statuses.services import post_status, reblog, receive_remote_status, upload_media

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REMOTE = "https://elsewhere.example"

# Kept by the page from its first script on: every violation of the content security policy.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def _content() -> dict[str, Any]:
    alice = make_account("alice", moderator=True)
    bob = make_account("bob")
    follow(bob, alice)
    ada = update_remote_account(
        f"{REMOTE}/users/ada",
        username="ada",
        domain="elsewhere.example",
        display_name="Ada",
        inbox_url=f"{REMOTE}/users/ada/inbox",
        avatar_remote_url=f"{REMOTE}/avatars/ada.png",
        header_remote_url=f"{REMOTE}/headers/ada.png",
    )
    remote_post = receive_remote_status(
        ada,
        uri=f"{REMOTE}/notes/1",
        url=f"{REMOTE}/@ada/1",
        content="<p>Une reliure du XVe siècle</p>",
        visibility="public",
        media=[{"url": f"{REMOTE}/media/reliure.jpg", "description": "Une reliure"}],
    )
    media = upload_media(alice, image_bytes(), "Une étagère")
    post = post_status(alice, "Bonjour #veille", media_ids=[media.pk])
    reblog(alice, remote_post)
    react(ada, post, ":blobcat:", image_url=f"{REMOTE}/emoji/blobcat.png")
    start = timezone.now() + timedelta(days=2)
    cover = SimpleUploadedFile("cover.png", image_bytes().getvalue(), "image/png")
    event = create_event(
        alice,
        cover=cover,
        title="Atelier reliure",
        starts_at=start.isoformat(),
        ends_at=(start + timedelta(hours=2)).isoformat(),
        timezone="Europe/Paris",
    )
    board = create_board(alice, "Veille patrimoine")
    create_group(alice, "reliure", display_name="Reliure")
    return {"post": post, "remote_post": remote_post, "event": event, "board": board}


def _visit(page: Any, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status < 400, url
    page.wait_for_load_state("networkidle")
    return list(page.evaluate("window.__violations"))


def test_pages_only_talk_to_their_own_server(browser: Any, live_server: Any) -> None:
    made = _content()
    base = live_server.url
    post, remote_post = made["post"], made["remote_post"]
    everyone = [
        "/",
        "/about",
        "/public/local",
        "/tags/veille",
        "/@alice",
        f"/@alice/{post.pk}",
        "/@ada@elsewhere.example",
        f"/@ada@elsewhere.example/{remote_post.pk}",
        "/events",
        f"/events/{made['event'].pk}",
        "/institutions",
        "/boards",
        f"/boards/{made['board'].pk}",
        "/groups",
        "/platforms",
        "/auth/login",
    ]
    logged_in = [
        "/home",
        "/notifications",
        "/deck",
        "/antennas",
        "/catch_up",
        "/bookmarks",
        "/lists",
        "/settings/profile",
        "/settings/account",
        "/settings/preferences",
        "/settings/export",
        "/moderation/accounts",
    ]
    context = browser.new_context(locale="fr-FR")
    context.set_default_timeout(15_000)
    context.add_init_script(RECORD_VIOLATIONS)
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    violations = {}
    for path in everyone:
        violations[path] = _visit(page, base + path)
    page.goto(f"{base}/auth/login")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/home")
    for path in everyone + logged_in:
        violations[f"{path} (logged in)"] = _visit(page, base + path)
    context.close()

    assert len(requested) > len(everyone) * 2 + len(logged_in)
    assert any("/static/" in url for url in requested)
    assert any("/media/" in url for url in requested)
    elsewhere = sorted(
        {url for url in requested if not url.startswith((base + "/", "data:", "blob:"))}
    )
    assert elsewhere == []
    assert {path: found for path, found in violations.items() if found} == {}


def test_the_content_security_policy_names_no_other_server(client: Any) -> None:
    response = client.get("/about")
    policy = response.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    for name, sources in directives.items():
        for source in sources.split():
            assert source in {"'self'", "'none'", "data:", "blob:"}, (name, source)
    for needed in ("script-src", "style-src", "img-src", "connect-src", "font-src", "form-action"):
        assert needed in directives
