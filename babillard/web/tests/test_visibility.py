"""The visibility matrix on the web pages: for each kind of post and each viewer, every
page that lists or shows posts (thread, profile, home, local and hashtag timelines,
search, feeds) shows the post exactly when it should."""

import pytest
from django.test import Client

from babillard.accounts.services import block, follow
from babillard.core.testing import make_account
from babillard.statuses.services import post_status
from babillard.web.tests.conftest import logged_in

pytestmark = pytest.mark.django_db

KINDS = ["public", "unlisted", "private", "direct", "local_only"]
VIEWERS = ["author", "follower", "mentioned", "stranger", "anonymous", "blocked"]
AUDIENCE = {
    "public": {"author", "follower", "mentioned", "stranger", "anonymous"},
    "unlisted": {"author", "follower", "mentioned", "stranger", "anonymous"},
    "private": {"author", "follower", "mentioned"},
    "direct": {"author", "mentioned"},
    "local_only": {"author", "follower", "mentioned", "stranger"},
}


def expected(surface: str, kind: str, viewer: str) -> bool:
    may_see = viewer in AUDIENCE[kind]
    if surface in ("thread", "profile"):
        return may_see
    if surface in ("local", "hashtag"):
        return may_see and kind in ("public", "local_only")
    if surface == "search":
        return may_see and kind != "direct"
    if surface == "home":
        return may_see and viewer in ("author", "follower", "mentioned")
    if surface == "feeds":
        return kind == "public"
    raise AssertionError(surface)


@pytest.mark.parametrize("kind", KINDS)
def test_web_visibility_matrix(kind: str) -> None:
    author = make_account("author")
    people = {name: make_account(name) for name in VIEWERS if name not in ("author", "anonymous")}
    follow(people["follower"], author)
    follow(people["blocked"], author)
    block(author, people["blocked"])
    marker = f"zqx{kind.replace('_', '')}"
    post = post_status(
        author,
        f"{marker} #matrice @mentioned",
        visibility="public" if kind == "local_only" else kind,
        local_only=kind == "local_only",
    )
    clients = {name: logged_in(account) for name, account in people.items()}
    clients["author"] = logged_in(author)
    clients["anonymous"] = Client()
    surfaces = {
        "thread": f"/@author/{post.pk}",
        "profile": "/@author",
        "home": "/home",
        "local": "/public/local",
        "hashtag": "/tags/matrice",
        "search": f"/search?q={marker}",
    }
    article = f'id="status-{post.pk}"'
    wrong = []
    for viewer, client in clients.items():
        for surface, url in surfaces.items():
            if surface == "home" and viewer == "anonymous":
                continue
            response = client.get(url)
            # the search page repeats the query, so look for the post itself
            shown = response.status_code == 200 and article in response.content.decode()
            if shown != expected(surface, kind, viewer):
                wrong.append((viewer, surface, shown))
        for url in ("/@author.rss", "/@author.atom", "/tags/matrice.rss", "/tags/matrice.atom"):
            shown = marker in client.get(url).content.decode()
            if shown != expected("feeds", kind, viewer):
                wrong.append((viewer, url, shown))
    assert wrong == []


def test_mentioned_person_is_notified_of_a_direct_post_and_nobody_else() -> None:
    author = make_account("author")
    mentioned = make_account("mentioned")
    stranger = make_account("stranger")
    post_status(author, "zqxsecret @mentioned", visibility="direct")
    assert "zqxsecret" in logged_in(mentioned).get("/notifications").content.decode()
    assert "zqxsecret" not in logged_in(stranger).get("/notifications").content.decode()
