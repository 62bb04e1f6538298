"""Book posts to and from BookWyrm, with documents shaped as BookWyrm writes them."""

import json
from pathlib import Path

import pytest

from babillard.accounts.models import Follow
from babillard.accounts.services import follow
from babillard.books.models import Book, BookKind, BookPost, BookwyrmServer
from babillard.books.services import BookPostSpec, BookSpec, book_for, books_for_the_post
from babillard.core.testing import make_account
from babillard.federation.remote import resolve_actor
from babillard.federation.tests.conftest import network, signed_post  # noqa: F401
from babillard.statuses.models import Status
from babillard.statuses.services import post_status

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
RAT = "https://bookwyrm.example/user/rat"
EDITION = "https://bookwyrm.example/book/7"


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def alice(network):  # noqa: F811
    return make_account("alice")


@pytest.fixture
def rat(network, alice):  # noqa: F811
    """A BookWyrm reader alice follows, on a server that serves the edition and its author."""
    actor = network.actor("rat", host="bookwyrm.example", uri=RAT, bookwyrmUser=True)
    network.documents[EDITION] = fixture("bookwyrm_edition.json")
    network.documents["https://bookwyrm.example/author/3"] = fixture("bookwyrm_author.json")
    account = resolve_actor(RAT)
    Follow.objects.create(account=alice, target=account)
    return actor


def test_review_attaches_to_the_local_book_by_isbn(client, network, alice, rat):  # noqa: F811
    local = book_for(BookSpec(isbn="2-07-036002-4"))
    answer = signed_post(client, "/inbox", fixture("bookwyrm_create_review.json"), rat)
    assert answer.status_code == 202
    review = Status.objects.get(uri="https://bookwyrm.example/user/rat/review/51")
    post = BookPost.objects.get(status=review)
    assert (post.kind, post.rating, post.review_title) == (
        BookKind.REVIEW,
        5,
        "Toujours aussi fort",
    )
    assert list(post.books.all()) == [local]
    local.refresh_from_db()
    assert local.edition_uri == EDITION
    assert (local.title, local.subtitle, local.authors) == ("L'Étranger", "roman", ["Albert Camus"])
    assert (local.publisher, local.year) == ("Gallimard", 1972)
    assert BookwyrmServer.objects.filter(domain="bookwyrm.example").exists()
    # The book page lists the remote review.
    assert (
        f"/@rat@bookwyrm.example/{review.pk}" in client.get("/books/9782070360024").content.decode()
    )


def test_plain_quotation_attaches_with_its_quote_and_page(client, network, alice, rat):  # noqa: F811
    signed_post(client, "/inbox", fixture("bookwyrm_create_quotation_plain.json"), rat)
    quotation = Status.objects.get(uri="https://bookwyrm.example/user/rat/quotation/52")
    post = BookPost.objects.get(status=quotation)
    assert post.kind == BookKind.QUOTATION and post.quote_page == 9
    assert "maman est morte" in post.quote
    book = post.books.get()
    assert book.isbn13 == "9782070360024" and book.edition_uri == EDITION
    # A second post about the same edition reuses the book without fetching it again.
    fetched = len([1 for _ in network.documents])
    signed_post(client, "/inbox", fixture("bookwyrm_create_review.json"), rat)
    assert Book.objects.count() == 1 and len(network.documents) == fetched


def test_unreachable_edition_keeps_the_post(client, network, alice, rat):  # noqa: F811
    del network.documents[EDITION]
    signed_post(client, "/inbox", fixture("bookwyrm_create_review.json"), rat)
    review = Status.objects.get(uri="https://bookwyrm.example/user/rat/review/51")
    assert not BookPost.objects.filter(status=review).exists()


@pytest.fixture
def followers(network, alice):  # noqa: F811
    """A Mastodon follower and a BookWyrm follower of alice."""
    mona = resolve_actor(network.actor("mona", host="mastodon.example").uri)
    rat = resolve_actor(
        network.actor("rat", host="bookwyrm.example", uri=RAT, bookwyrmUser=True).uri
    )
    BookwyrmServer.objects.create(domain="bookwyrm.example")
    for account in (mona, rat):
        follow(account, alice)
    network.sent.clear()
    return mona, rat


def _created(network, host):  # noqa: F811
    return next(a["object"] for url, a in network.sent if host in url and a["type"] == "Create")


def _post(alice, text, spec):
    with books_for_the_post(spec) as pending:
        status = post_status(alice, text)
        pending.check_attached()
    return status


def test_review_goes_out_as_bookwyrm_and_plain_forms(network, alice, followers):  # noqa: F811
    book_for(BookSpec(isbn="2070360024", title="L'Étranger", authors=["Albert Camus"]))
    _post(
        alice,
        "Un roman essentiel.",
        BookPostSpec(
            books=[BookSpec(isbn="978-2-07-036002-4")],
            kind=BookKind.REVIEW,
            rating=4,
            review_title="L'absurde",
        ),
    )
    edition = "http://127.0.0.1:8000/books/9782070360024"
    bookwyrm = _created(network, "bookwyrm.example")
    assert bookwyrm["type"] == "Review"
    assert (bookwyrm["inReplyToBook"], bookwyrm["rating"]) == (edition, 4)
    assert bookwyrm["name"] == "L'absurde"
    assert bookwyrm["content"] == "<p>Un roman essentiel.</p>"
    mastodon = _created(network, "mastodon.example")
    assert mastodon["type"] == "Article"
    # The plain form speaks the post's language (French here, the author's default).
    assert mastodon["name"] == "Critique de « L'Étranger » (★★★★☆): L'absurde"
    assert f'<a href="{edition}"><i>L&#x27;Étranger</i></a>' in mastodon["content"]
    assert mastodon["inReplyToBook"] == edition and mastodon["rating"] == 4


def test_quotation_goes_out_as_bookwyrm_and_plain_forms(network, alice, followers):  # noqa: F811
    _post(
        alice,
        "Aujourd'hui, maman est morte.",
        BookPostSpec(books=[BookSpec(isbn="2070360024")], kind=BookKind.QUOTATION, quote_page=9),
    )
    bookwyrm = _created(network, "bookwyrm.example")
    assert bookwyrm["type"] == "Quotation"
    assert "maman est morte" in bookwyrm["quote"] and bookwyrm["content"] == ""
    assert (bookwyrm["position"], bookwyrm["positionMode"]) == (9, "PG")
    mastodon = _created(network, "mastodon.example")
    assert mastodon["type"] == "Note"
    assert "maman est morte" in mastodon["content"] and ", p. 9" in mastodon["content"]


def test_isbn_in_plain_text_goes_out_as_a_comment(network, alice, followers):  # noqa: F811
    post_status(alice, "Coup de cœur ISBN 978-2-07-036822-8")
    assert _created(network, "bookwyrm.example")["type"] == "Comment"
    mastodon = _created(network, "mastodon.example")
    assert mastodon["type"] == "Note" and "/books/9782070368228" in mastodon["content"]


def test_plain_post_is_unchanged(network, alice, followers):  # noqa: F811
    post_status(alice, "Bonjour")
    assert _created(network, "bookwyrm.example")["type"] == "Note"
    assert "inReplyToBook" not in _created(network, "mastodon.example")
