"""Composing, replying, editing and the buttons under a post, with and without htmx."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from babillard.accounts.models import Account
from babillard.accounts.services import follow
from babillard.core.testing import image_bytes, make_account
from babillard.statuses.models import (
    Bookmark,
    Favourite,
    MediaAttachment,
    Pin,
    ScheduledStatus,
    Status,
)
from babillard.statuses.services import PollSpec, post_status
from babillard.web.tests.conftest import logged_in

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def compose(client: Client, **data: object) -> object:
    fields = {"visibility": "public", "language": "fr", "poll_duration": "86400", "text": ""}
    fields.update({k: v for k, v in data.items() if k != "htmx"})
    extra = HTMX if data.get("htmx") else {}
    return client.post("/compose", fields, **extra)


def test_post_with_hashtag_and_image(alice: Account, alice_client: Client) -> None:
    image = image_bytes()
    response = compose(
        alice_client, text="Nouveautés #Romans", image_1=image, alt_1="Une pile de livres"
    )
    assert response.status_code == 302
    status = Status.objects.get(account=alice)
    assert status.tags.get().display_name == "Romans"
    assert status.media.get().description == "Une pile de livres"
    page = alice_client.get(f"/@alice/{status.pk}").content.decode()
    assert 'alt="Une pile de livres"' in page
    assert "/tags/romans" in page


def test_image_without_description_is_refused(alice: Account, alice_client: Client) -> None:
    response = compose(alice_client, text="Regardez", image_1=image_bytes())
    assert response.status_code == 400
    assert "id_alt_1_error" in response.content.decode()
    assert not Status.objects.exists()
    assert not MediaAttachment.objects.exists()


def test_bad_image_is_refused_next_to_its_field(alice: Account, alice_client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = compose(alice_client, text="Regardez", image_1=bad, alt_1="rien")
    assert response.status_code == 400
    assert "id_image_1_error" in response.content.decode()
    assert not Status.objects.exists()
    assert not MediaAttachment.objects.exists()


def test_too_long_and_empty_posts_are_refused(alice_client: Client, settings: object) -> None:
    settings.MAX_STATUS_CHARACTERS = 30  # type: ignore[attr-defined]
    response = compose(alice_client, text="x" * 31)
    assert response.status_code == 400
    assert "id_text_error" in response.content.decode()
    # a link counts 23 characters, as Mastodon counts
    assert compose(alice_client, text="Lien : https://example.org/" + "a" * 80).status_code == 302
    assert compose(alice_client, text="   ").status_code == 400
    assert compose(alice_client, text="ok", visibility="everyone").status_code == 400
    assert Status.objects.count() == 1


def test_poll_and_vote(
    alice: Account, bob: Account, alice_client: Client, bob_client: Client
) -> None:
    response = compose(
        alice_client, text="Quel SIGB ?", poll_1="Koha", poll_2="PMB", poll_duration="3600"
    )
    assert response.status_code == 302
    status = Status.objects.get(account=alice)
    assert status.poll.options == ["Koha", "PMB"]
    assert compose(alice_client, text="Un seul choix ?", poll_1="Koha").status_code == 400
    assert bob_client.post(f"/statuses/{status.pk}/vote", {"choice": "1"}).status_code == 302
    status.poll.refresh_from_db()
    assert status.poll.votes_counts == [0, 1]
    # voting twice, or a bad choice, is refused cleanly
    assert bob_client.post(f"/statuses/{status.pk}/vote", {"choice": "0"}).status_code == 302
    assert bob_client.post(f"/statuses/{status.pk}/vote", {"choice": "x"}).status_code == 302
    status.poll.refresh_from_db()
    assert status.poll.votes_counts == [0, 1]
    page = bob_client.get(f"/@alice/{status.pk}").content.decode()
    assert "100 %" in page


def test_scheduled_post_and_cancel(alice: Account, alice_client: Client) -> None:
    when = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = compose(alice_client, text="Plus tard", scheduled_at=when)
    assert response.status_code == 302 and response["Location"] == "/scheduled"
    scheduled = ScheduledStatus.objects.get(account=alice)
    assert "Plus tard" in alice_client.get("/scheduled").content.decode()
    past = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    assert compose(alice_client, text="Trop tôt", scheduled_at=past).status_code == 400
    assert alice_client.post(f"/scheduled/{scheduled.pk}/cancel").status_code == 302
    assert not ScheduledStatus.objects.exists()
    assert alice_client.post(f"/scheduled/{scheduled.pk}/cancel").status_code == 404


def test_reply_and_reply_to_hidden_post(alice: Account, bob: Account, bob_client: Client) -> None:
    post = post_status(alice, "Question ?")
    response = compose(bob_client, text="@alice réponse", in_reply_to=str(post.pk))
    assert response.status_code == 302
    reply = Status.objects.get(account=bob)
    assert reply.in_reply_to_id == post.pk
    secret = post_status(alice, "Secret", visibility="direct")
    response = compose(bob_client, text="Je devine", in_reply_to=str(secret.pk))
    assert response.status_code == 400
    assert Status.objects.filter(account=bob).count() == 1
    # the thread page offers a reply form with the mention filled in
    html = bob_client.get(f"/@alice/{post.pk}").content.decode()
    assert 'id="reply"' in html and "@alice " in html


def test_htmx_posting_returns_the_new_post(alice_client: Client) -> None:
    response = compose(alice_client, text="Sans rechargement", htmx=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith("<article") and "Sans rechargement" in html
    response = compose(alice_client, text="", htmx=True)
    assert response["HX-Retarget"] == "#compose"
    assert 'id="compose"' in response.content.decode()


def test_favourite_boost_bookmark_pin(
    alice: Account, bob: Account, bob_client: Client, alice_client: Client
) -> None:
    post = post_status(alice, "À partager")
    for verb in ("favourite", "reblog", "bookmark"):
        assert (
            bob_client.post(f"/statuses/{post.pk}/{verb}", {"next": "/home"})["Location"] == "/home"
        )
    post.refresh_from_db()
    assert (post.favourites_count, post.reblogs_count) == (1, 1)
    assert Bookmark.objects.filter(account=bob).exists()
    html = bob_client.get(f"/@alice/{post.pk}").content.decode()
    assert 'aria-pressed="true"' in html
    for verb in ("unfavourite", "unreblog", "unbookmark"):
        bob_client.post(f"/statuses/{post.pk}/{verb}")
    post.refresh_from_db()
    assert (post.favourites_count, post.reblogs_count) == (0, 0)
    assert not Favourite.objects.exists() and not Bookmark.objects.exists()
    assert alice_client.post(f"/statuses/{post.pk}/pin").status_code == 302
    assert Pin.objects.filter(account=alice).exists()
    assert "pinned-title" in alice_client.get("/@alice").content.decode()
    # pinning someone else's post is refused cleanly
    assert bob_client.post(f"/statuses/{post.pk}/pin").status_code == 302
    assert not Pin.objects.filter(account=bob).exists()
    assert bob_client.post(f"/statuses/{post.pk}/explode").status_code == 404
    assert bob_client.get(f"/statuses/{post.pk}/favourite").status_code == 405


def test_htmx_favourite_swaps_the_post(alice: Account, bob_client: Client) -> None:
    post = post_status(alice, "Aimez-moi")
    response = bob_client.post(f"/statuses/{post.pk}/favourite", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.strip().startswith("<article")
    assert f"/statuses/{post.pk}/unfavourite" in html


def test_boost_of_private_post_is_refused(alice: Account, bob: Account, bob_client: Client) -> None:
    follow(bob, alice)
    post = post_status(alice, "Entre nous", visibility="private")
    bob_client.post(f"/statuses/{post.pk}/reblog")
    assert not Status.objects.filter(reblog=post).exists()
    response = bob_client.post(f"/statuses/{post.pk}/reblog", **HTMX)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not Status.objects.filter(reblog=post).exists()


def test_actions_on_hidden_posts_are_404(alice: Account, bob_client: Client) -> None:
    secret = post_status(alice, "Secret", visibility="direct")
    assert bob_client.post(f"/statuses/{secret.pk}/favourite").status_code == 404
    assert bob_client.post("/statuses/42/favourite").status_code == 404


def test_delete_own_post_only(
    alice: Account, bob: Account, alice_client: Client, bob_client: Client
) -> None:
    post = post_status(alice, "À supprimer")
    assert bob_client.post(f"/statuses/{post.pk}/delete").status_code == 404
    assert alice_client.post(f"/statuses/{post.pk}/delete").status_code == 302
    assert not Status.objects.filter(pk=post.pk).exists()
    other = post_status(alice, "Aussi")
    response = alice_client.post(f"/statuses/{other.pk}/delete", **HTMX)
    assert response.status_code == 200 and response.content == b""


def test_edit_with_history(alice: Account, alice_client: Client, bob_client: Client) -> None:
    post = post_status(alice, "Premier jet")
    response = alice_client.post(f"/@alice/{post.pk}/edit", {"text": "Version corrigée"})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.text == "Version corrigée" and post.edited_at
    history = bob_client.get(f"/@alice/{post.pk}/history").content.decode()
    assert "Premier jet" in history and "Version corrigée" in history
    assert bob_client.get(f"/@alice/{post.pk}/edit").status_code == 404
    assert alice_client.post(f"/@alice/{post.pk}/edit", {"text": ""}).status_code == 400


def test_csrf_is_enforced(alice: Account) -> None:
    client = Client(enforce_csrf_checks=True)
    from babillard.core.testing import PASSWORD

    client.login(username="alice", password=PASSWORD)
    post = post_status(alice, "Protégé")
    assert client.post(f"/statuses/{post.pk}/delete").status_code == 403
    assert Status.objects.filter(pk=post.pk).exists()


def test_post_appears_on_follower_home(alice: Account, bob: Account) -> None:
    follow(bob, alice)
    post_status(alice, "Pour mes abonnés #veille")
    html = logged_in(bob).get("/home").content.decode()
    assert "Pour mes abonnés" in html
    carol = logged_in(make_account("carol"))
    assert "Pour mes abonnés" not in carol.get("/home").content.decode()


def test_timelines_have_a_bounded_number_of_queries(
    alice: Account, bob: Account, django_assert_max_num_queries: object
) -> None:
    follow(bob, alice)
    others = [make_account(f"user_q{i}") for i in range(3)]
    for other in others:
        follow(bob, other)
    for i in range(12):
        author = [alice, *others][i % 4]
        media = None
        if i % 3 == 0:
            from babillard.statuses.services import upload_media

            media = [upload_media(author, image_bytes(), f"image {i}").pk]
        post = post_status(
            author,
            f"Message {i} #veille @bob",
            media_ids=media or (),
            poll=PollSpec(options=["a", "b"], expires_in=3600) if i % 3 == 1 else None,
        )
        if i % 4 == 2:
            from babillard.statuses.services import favourite, reblog

            reblog(others[0], post)
            favourite(bob, post)
    client = logged_in(bob)
    # One of them loads the emoji reactions of the whole page.
    for url in ["/home", "/public/local", "/tags/veille", "/@alice", "/favourites"]:
        with django_assert_max_num_queries(32):  # type: ignore[operator]
            response = client.get(url)
        assert response.status_code == 200
    with django_assert_max_num_queries(32):  # type: ignore[operator]
        assert "Message 11" in client.get("/home").content.decode()


def test_reply_to_staff_only_post_stays_staff_only(alice: Account, bob: Account) -> None:
    from babillard.institutions.services import add_member

    library = make_account("bu", kind="institution")
    add_member(library, library, bob, "staff")
    internal = post_status(library, "Réunion d'équipe", visibility="internal", internal_to=library)
    client = logged_in(bob)
    page = client.get(f"/@bu/{internal.pk}").content.decode()
    assert 'value="internal"' in page and 'value="public"' not in page
    response = compose(
        client, text="J'y serai", visibility="internal", in_reply_to=str(internal.pk)
    )
    assert response.status_code == 302
    reply = Status.objects.get(account=bob)
    assert reply.visibility == "internal"
    assert logged_in(alice).get(f"/@bob/{reply.pk}").status_code == 404
    # the composer offers staff-only posts to members only
    assert 'value="internal"' in client.get("/compose").content.decode()
    assert 'value="internal"' not in logged_in(alice).get("/compose").content.decode()


def test_sensitive_images(alice: Account, alice_client: Client) -> None:
    compose(alice_client, text="Attention", image_1=image_bytes(), alt_1="Photo", sensitive="on")
    status = Status.objects.get(account=alice)
    assert status.sensitive
    assert 'class="sensitive"' in alice_client.get(f"/@alice/{status.pk}").content.decode()
