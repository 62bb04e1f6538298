"""One table: for each visibility and each viewer, which surfaces may show a post.

Every surface that lists or shows posts is a row of ``SURFACES``; the expected
audience of each surface is derived from one rule per visibility, so a new
surface is added once here and checked against every visibility and viewer.
"""

from collections.abc import Callable

import pytest

from babillard.accounts.models import Account
from babillard.accounts.services import block, follow
from babillard.boards import queries as board_queries
from babillard.boards.models import Board
from babillard.boards.services import add_item, create_board
from babillard.core.errors import NotFound
from babillard.core.testing import make_account
from babillard.institutions.models import Role
from babillard.institutions.queries import internal_timeline
from babillard.institutions.services import add_member
from babillard.notifications.queries import notifications_for
from babillard.portability.queries import wall_posts
from babillard.search.queries import search_statuses
from babillard.statuses.models import Bookmark, Favourite, Quote, Status
from babillard.statuses.queries import account_statuses, can_see, shown_quote, thread
from babillard.statuses.services import post_status
from babillard.timelines import queries as timelines
from babillard.timelines.models import List
from babillard.timelines.services import add_to_list, create_list
from babillard.triage import queries as triage_queries
from babillard.watch import queries as watch_queries
from babillard.watch.services import create_antenna

# The author and "member" are on the staff of one institution; nobody else is.
# "remote" is an account of another server that follows the author.
VIEWERS = [
    "author",
    "follower",
    "mentioned",
    "stranger",
    "anonymous",
    "blocked",
    "member",
    "remote",
]
# Who may see a post of each kind at all (the page of the post itself).
AUDIENCE = {
    "public": {"author", "follower", "mentioned", "stranger", "anonymous", "member", "remote"},
    "unlisted": {"author", "follower", "mentioned", "stranger", "anonymous", "member", "remote"},
    "private": {"author", "follower", "mentioned", "remote"},
    "direct": {"author", "mentioned"},
    # Local-only posts: only accounts of this instance, and still their visibility's audience.
    "local_only": {"author", "follower", "mentioned", "stranger", "member"},
    "local_only_followers": {"author", "follower", "mentioned"},
    # Staff only: the institution's members, never the mentioned outsider nor a follower.
    "internal": {"author", "member"},
}
LISTED_PUBLICLY = {"public", "local_only"}
LOCAL_ONLY_VISIBILITY = {"local_only": "public", "local_only_followers": "private"}


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
    if surface == "public board":
        return may_see
    if surface == "private board":
        # Curated by the author alone: nobody else finds the board at all.
        return viewer == "author"
    if surface == "list":
        # The follower lists the author (only followed accounts may be listed).
        return may_see and viewer == "follower" and kind != "direct"
    if surface in ("bookmarks", "favourites"):
        # Every local reader marked every post: the marks are read again through the rule.
        return may_see and viewer not in ("anonymous", "remote")
    if surface == "catch-up":
        return _expected("home", kind, viewer)
    if surface == "quoted":
        # Quoted by its author (private mentions cannot be quoted): shown inside the quote
        # to those who may see the post itself, never wider. A quote of a followers-only
        # post is followers-only: it does not mention the people the post mentions.
        if kind in ("private", "local_only_followers"):
            return may_see and viewer in {"author", "follower", "remote"}
        return may_see and kind != "direct"
    if surface == "digest":
        # A digest is made of the home feed's posts, never of direct messages.
        return _expected("home", kind, viewer) and kind != "direct"
    if surface == "antenna":
        # Every local reader has an antenna listening for the hashtag's word.
        return may_see and viewer not in ("anonymous", "remote")
    if surface == "antenna feed":
        # Its secret address may be read anywhere: posts that could be shown to anyone.
        return _expected("antenna", kind, viewer) and kind in ("public", "unlisted")
    if surface == "hashtag wall":
        # A projection screen in a room: what a visitor may read, whoever opens it.
        return "anonymous" in AUDIENCE[kind] and kind in LISTED_PUBLICLY
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
    "public board": lambda viewer, post, root: post.pk in _board_ids(viewer, post, "public"),
    "private board": lambda viewer, post, root: post.pk in _board_ids(viewer, post, "private"),
    "list": lambda viewer, post, root: post.pk in _list_ids(viewer),
    "bookmarks": lambda viewer, post, root: (
        viewer is not None
        and viewer.is_local
        and post.pk in _ids(timelines.bookmarks(viewer).items)
    ),
    "favourites": lambda viewer, post, root: (
        viewer is not None
        and viewer.is_local
        and post.pk in _ids(timelines.favourites(viewer).items)
    ),
    "catch-up": lambda viewer, post, root: (
        viewer is not None
        and any(post in group.statuses for group in triage_queries.catch_up(viewer).by_author)
    ),
    "quoted": lambda viewer, post, root: any(
        can_see(viewer, quote.status) and shown_quote(viewer, quote)[1] == post
        for quote in Quote.objects.filter(quoted_status=post).select_related("status")
    ),
    "digest": lambda viewer, post, root: (
        viewer is not None
        and post.pk in {item.status.pk for item in triage_queries.digest(viewer, None, "day")}
    ),
    "hashtag wall": lambda viewer, post, root: post.pk in _ids(wall_posts("matrice").items),
    "antenna": lambda viewer, post, root: post.pk in _antenna_ids(viewer, public_only=False),
    "antenna feed": lambda viewer, post, root: post.pk in _antenna_ids(viewer, public_only=True),
}


def _antenna_ids(viewer: Account | None, *, public_only: bool) -> set[int]:
    """The posts caught by the viewer's antenna: its statuses, or its private feed."""
    if viewer is None or not viewer.is_local:
        return set()
    antenna = watch_queries.antennas(viewer).get()
    if public_only:
        entries = watch_queries.antenna_entries(viewer, antenna, public_only=True).entries
        return {e.status.pk for e in entries if e.status is not None}
    return _ids(watch_queries.antenna_statuses(viewer, antenna).items)


def _list_ids(viewer: Account | None) -> set[int]:
    """The posts of the viewer's list of the author, if the viewer has one."""
    if viewer is None:
        return set()
    return {
        status.pk
        for timeline in List.objects.filter(owner=viewer)
        for status in timelines.list_timeline(viewer, timeline).items
    }


def _board_ids(viewer: Account | None, post: Status, visibility: str) -> set[int]:
    """The posts ``viewer`` reads on the author's board of that visibility (every post is on it)."""
    board = Board.objects.get(owner=post.account, visibility=visibility)
    try:
        found = board_queries.items(viewer, board_queries.get_board(viewer, board.pk))
    except NotFound:
        return set()
    return {item.status_id for item in found if item.status_id}


def _internal_ids(viewer: Account | None, institution: Account) -> set[int]:
    if viewer is None:
        return set()
    try:
        return _ids(internal_timeline(viewer, institution).items)
    except NotFound:
        return set()


@pytest.fixture
def world(db):
    people = {name: make_account(name) for name in VIEWERS if name not in ("anonymous", "remote")}
    people["remote"] = Account.objects.create(
        username="remote", domain="remote.example", uri="https://remote.example/users/remote"
    )
    author = people["author"]
    follow(people["follower"], author)
    follow(people["remote"], author)
    block(author, people["blocked"])
    institution = make_account("matrixlib", kind="institution")
    add_member(institution, institution, author, Role.STAFF)
    add_member(institution, institution, people["member"], Role.STAFF)
    for person in people.values():
        if person.is_local:
            create_antenna(person, title="Matrice", keywords=["matrice"])
    root = post_status(author, "Fil de la matrice")
    posts = {}
    for kind in AUDIENCE:
        visibility = LOCAL_ONLY_VISIBILITY.get(kind, kind)
        posts[kind] = post_status(
            author,
            f"@mentioned @blocked #matrice {kind} marker",
            visibility=visibility,
            local_only=kind in LOCAL_ONLY_VISIBILITY,
            in_reply_to=root,
            internal_to=institution if kind == "internal" else None,
        )
    for visibility in ("public", "private"):
        board = create_board(author, f"Matrice {visibility}", visibility=visibility)
        for post in posts.values():
            add_item(author, board, status=post)
    for post in posts.values():
        # A word unique to each post, so that a search finds exactly that one.
        from babillard.statuses.services import edit_status

        edit_status(author, post, post.text + f" motunique{post.pk % 997}")
    add_to_list(people["follower"], create_list(people["follower"], "Matrice"), [author])
    for person in people.values():
        if person.is_local:
            # Marks written as they would stand had the reader lost access since.
            Bookmark.objects.bulk_create(Bookmark(account=person, status=p) for p in posts.values())
            Favourite.objects.bulk_create(
                Favourite(account=person, status=p) for p in posts.values()
            )
    for kind, post in posts.items():
        if kind != "direct":
            post_status(author, "Citation", quoted_status=post)
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


# --- vendor quotes: on no surface at all ---------------------------------------------------

QUOTE_MARKERS = ("Zorglubvendor", "Zorglubpackage", "zorglubnote")


def test_no_quote_on_any_surface(world, client):
    """A quote entered by an institution's staff appears in no post, timeline, search,
    notification, feed, Mastodon entity or federation document, for anyone."""
    from babillard.accounts.models import Account as AccountModel
    from babillard.api import oauth
    from babillard.federation.models import Delivery
    from babillard.institutions.services import update_institution, verify_institution
    from babillard.notifications.models import Notification
    from babillard.quotes.services import submit_quote

    people, _posts, _root = world
    institution = AccountModel.objects.get(username="matrixlib")
    update_institution(institution, institution, type="university", isil="FR-751131015")
    verify_institution(make_account("matrixmodo", moderator=True), institution)
    counts = (Status.objects.count(), Notification.objects.count(), Delivery.objects.count())
    submit_quote(
        people["author"],
        institution,
        {
            "vendor": QUOTE_MARKERS[0],
            "product": QUOTE_MARKERS[1],
            "year": 2025,
            "price_excl_vat": "98765.43",
            "fte": 10000,
            "institution_type": "university",
            "consortium": True,
            "notes": QUOTE_MARKERS[2],
            "sharing": "named",
        },
    )
    assert (Status.objects.count(), Notification.objects.count(), Delivery.objects.count()) == (
        counts
    )
    for viewer in (None, people["author"], people["member"], people["stranger"]):
        assert not search_statuses(viewer, QUOTE_MARKERS[0])

    app = oauth.register_app("Matrix", [oauth.OOB], oauth.parse_scopes("read"), "")
    token = oauth.issue_token(people["member"].user, app.application, ["read"]).raw
    api = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    activity = {"HTTP_ACCEPT": "application/activity+json"}
    surfaces = {
        f"/api/v1/accounts/{institution.pk}": api,
        "/api/v1/accounts/verify_credentials": api,
        f"/api/v1/accounts/{institution.pk}/statuses": api,
        "/api/v1/timelines/home": api,
        "/api/v1/timelines/public": api,
        "/api/v1/notifications": api,
        f"/api/v2/search?q={QUOTE_MARKERS[0]}": api,
        "/api/v1/instance": api,
        "/api/v2/instance": api,
        "/@matrixlib": {},
        "/@matrixlib.rss": {},
        "/@matrixlib.atom": {},
        "/@author.rss": {},
        "/public/local": {},
        "/users/matrixlib": activity,
        "/users/matrixlib/outbox?page=true": activity,
        "/users/author/outbox?page=true": activity,
        "/nodeinfo/2.0": {},
    }
    for path, headers in surfaces.items():
        response = client.get(path, **headers)
        assert response.status_code == 200, path
        body = response.content.decode()
        leaked = [m for m in (*QUOTE_MARKERS, "98765") if m.casefold() in body.casefold()]
        assert not leaked, f"{path} shows a quote: {leaked}"


# --- E-resource platform reports ---------------------------------------------------------
# A report is not a post: its reporter and comment are shown on no surface, while the
# platform's counts, institutions and cities are public. Each surface is fetched as a
# visitor and as another member.


def test_platform_reports_show_no_reporter_nor_comment(db, client):
    from babillard.outages import services as outages

    reporter = make_account("reporter")
    cairn = outages.create_platform(None, name="Cairn", url="https://www.cairn.info/")
    outages.report_problem(reporter, cairn, "down", "commentaire confidentiel")
    other = make_account("other")
    surfaces = [
        "/platforms",
        "/platforms/cairn",
        "/platforms/incidents.rss",
        "/platforms/cairn/incidents.json",
        "/embed/platforms",
        f"/api/babillard/v1/platforms/{cairn.pk}/status",
        "/api/babillard/v1/platforms",
        "/api/babillard/v1/incidents",
    ]
    for viewer in (None, other):
        if viewer is not None:
            client.force_login(viewer.user)
        for path in surfaces:
            body = client.get(path).content.decode()
            assert "commentaire confidentiel" not in body, path
            assert "reporter" not in body, path
        assert not search_statuses(viewer, "confidentiel")
    assert not notifications_for(other).exists()
