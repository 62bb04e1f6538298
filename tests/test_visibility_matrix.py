"""One table: for each visibility and each viewer, which surfaces may show a post.

Every surface that lists or shows posts is a row of ``SURFACES``; the expected
audience of each surface is derived from one rule per visibility, so a new
surface is added once here and checked against every visibility and viewer.
"""

from collections.abc import Callable

import pytest

from babillard.accounts.models import Account
from babillard.accounts.services import block, follow
from babillard.core.errors import NotFound
from babillard.core.testing import make_account
from babillard.institutions.models import Role
from babillard.institutions.queries import internal_timeline
from babillard.institutions.services import add_member
from babillard.notifications.queries import notifications_for
from babillard.search.queries import search_statuses
from babillard.statuses.models import Status
from babillard.statuses.queries import account_statuses, can_see, thread
from babillard.statuses.services import post_status
from babillard.timelines import queries as timelines

# The author and "member" are on the staff of one institution; nobody else is.
VIEWERS = ["author", "follower", "mentioned", "stranger", "anonymous", "blocked", "member"]
# Who may see a post of each kind at all (the page of the post itself).
AUDIENCE = {
    "public": {"author", "follower", "mentioned", "stranger", "anonymous", "member"},
    "unlisted": {"author", "follower", "mentioned", "stranger", "anonymous", "member"},
    "private": {"author", "follower", "mentioned"},
    "direct": {"author", "mentioned"},
    "local_only": {"author", "follower", "mentioned", "stranger", "member"},
    # Staff only: the institution's members, never the mentioned outsider nor a follower.
    "internal": {"author", "member"},
}
LISTED_PUBLICLY = {"public", "local_only"}


def _expected(surface: str, kind: str, viewer: str) -> bool:
    may_see = viewer in AUDIENCE[kind]
    if surface in ("page", "profile", "thread"):
        return may_see
    if surface == "home":
        return may_see and viewer in (
            {"author", "follower", "mentioned"} if kind != "direct" else {"author", "mentioned"}
        )
    if surface in ("local timeline", "hashtag"):
        return may_see and kind in LISTED_PUBLICLY
    if surface == "search":
        return may_see and kind != "direct"
    if surface == "notifications":
        return viewer == "mentioned" and kind != "internal"
    if surface == "institution timeline":
        return may_see and kind == "internal"
    raise AssertionError(surface)


def _ids(statuses) -> set[int]:
    return {s.pk for s in statuses}


Surface = Callable[[Account | None, Status, Status], bool]
SURFACES: dict[str, Surface] = {
    "page": lambda viewer, post, root: can_see(viewer, post),
    "profile": lambda viewer, post, root: (
        post.pk in _ids(account_statuses(viewer, post.account, with_replies=True))
    ),
    "thread": lambda viewer, post, root: post.pk in _ids(thread(viewer, root)[1]),
    "home": lambda viewer, post, root: (
        viewer is not None and post.pk in _ids(timelines.home(viewer).items)
    ),
    "local timeline": lambda viewer, post, root: (
        post.pk in _ids(timelines.public(viewer, local=True).items)
    ),
    "hashtag": lambda viewer, post, root: (
        post.pk in _ids(timelines.hashtag(viewer, "matrice").items)
    ),
    "search": lambda viewer, post, root: (
        post.pk in _ids(search_statuses(viewer, f"motunique{post.pk % 997}"))
    ),
    "notifications": lambda viewer, post, root: (
        viewer is not None
        and notifications_for(viewer).filter(status=post, type="mention").exists()
    ),
    "institution timeline": lambda viewer, post, root: (
        post.pk in _internal_ids(viewer, post.internal_to or post.account)
    ),
}


def _internal_ids(viewer: Account | None, institution: Account) -> set[int]:
    if viewer is None:
        return set()
    try:
        return _ids(internal_timeline(viewer, institution).items)
    except NotFound:
        return set()


@pytest.fixture
def world(db):
    people = {name: make_account(name) for name in VIEWERS if name != "anonymous"}
    author = people["author"]
    follow(people["follower"], author)
    block(author, people["blocked"])
    institution = make_account("matrixlib", kind="institution")
    add_member(institution, institution, author, Role.STAFF)
    add_member(institution, institution, people["member"], Role.STAFF)
    root = post_status(author, "Fil de la matrice")
    posts = {}
    for kind in AUDIENCE:
        visibility = "public" if kind == "local_only" else kind
        posts[kind] = post_status(
            author,
            f"@mentioned @blocked #matrice {kind} marker",
            visibility=visibility,
            local_only=kind == "local_only",
            in_reply_to=root,
            internal_to=institution if kind == "internal" else None,
        )
    for post in posts.values():
        # A word unique to each post, so that a search finds exactly that one.
        from babillard.statuses.services import edit_status

        edit_status(author, post, post.text + f" motunique{post.pk % 997}")
    return people, posts, root


@pytest.mark.parametrize("surface", SURFACES)
def test_visibility_matrix(world, surface):
    people, posts, root = world
    wrong = [
        f"{kind} post, viewer {viewer_name}: expected {'shown' if expected else 'hidden'}"
        for kind, post in posts.items()
        for viewer_name in VIEWERS
        if (expected := _expected(surface, kind, viewer_name))
        != SURFACES[surface](people.get(viewer_name), post, root)
    ]
    assert not wrong, f"{surface} leaks or hides wrongly: {wrong}"
