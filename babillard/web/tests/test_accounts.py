"""Buttons on profiles, follow requests, reports, lists and the settings pages."""

import pytest
from django.core import mail
from django.test import Client

from babillard.accounts.models import Account, Block, Follow, FollowRequest, Mute, User
from babillard.accounts.services import block, follow, mute
from babillard.core.testing import PASSWORD, image_bytes, make_account
from babillard.moderation.models import Report
from babillard.statuses.models import Status
from babillard.statuses.services import post_status
from babillard.timelines.models import List
from babillard.web.tests.conftest import logged_in

pytestmark = pytest.mark.django_db


def test_follow_unfollow(alice: Account, bob: Account, bob_client: Client) -> None:
    response = bob_client.post(f"/accounts/{alice.pk}/follow", {"next": "/@alice"})
    assert response["Location"] == "/@alice"
    assert Follow.objects.filter(account=bob, target=alice).exists()
    assert (
        "Se désabonner" in bob_client.get("/@alice").content.decode()
        or "Unfollow" in bob_client.get("/@alice").content.decode()
    )
    bob_client.post(f"/accounts/{alice.pk}/unfollow")
    assert not Follow.objects.filter(account=bob, target=alice).exists()
    assert bob_client.post(f"/accounts/{bob.pk}/follow").status_code == 302  # self: refused cleanly
    assert not Follow.objects.filter(account=bob, target=bob).exists()
    assert bob_client.post("/accounts/9999/follow").status_code == 404
    assert bob_client.post(f"/accounts/{alice.pk}/frobnicate").status_code == 404


def test_locked_account_follow_requests(
    alice: Account, bob: Account, alice_client: Client, bob_client: Client
) -> None:
    alice.locked = True
    alice.save()
    bob_client.post(f"/accounts/{alice.pk}/follow")
    assert FollowRequest.objects.filter(account=bob, target=alice).exists()
    assert "@bob" in alice_client.get("/follow_requests").content.decode()
    alice_client.post(f"/follow_requests/{bob.pk}/accept")
    assert Follow.objects.filter(account=bob, target=alice).exists()
    carol = make_account("carol")
    logged_in(carol).post(f"/accounts/{alice.pk}/follow")
    alice_client.post(f"/follow_requests/{carol.pk}/reject")
    assert not Follow.objects.filter(account=carol).exists()
    assert alice_client.post(f"/follow_requests/{carol.pk}/accept").status_code == 404


def test_remove_follower(alice: Account, bob: Account, alice_client: Client) -> None:
    follow(bob, alice)
    alice_client.post(f"/accounts/{bob.pk}/remove_follower")
    assert not Follow.objects.filter(account=bob, target=alice).exists()


def test_block_and_mute_with_undo_from_settings(
    alice: Account, bob: Account, alice_client: Client
) -> None:
    follow(bob, alice)
    alice_client.post(f"/accounts/{bob.pk}/block")
    assert Block.objects.filter(account=alice, target=bob).exists()
    assert not Follow.objects.filter(account=bob, target=alice).exists()
    assert "@bob" in alice_client.get("/settings/blocks").content.decode()
    alice_client.post(f"/accounts/{bob.pk}/unblock", {"next": "/settings/blocks"})
    assert not Block.objects.exists()
    alice_client.post(f"/accounts/{bob.pk}/mute", {"duration": "3600"})
    muted = Mute.objects.get(account=alice, target=bob)
    assert muted.expires_at is not None and not muted.hide_notifications
    assert "@bob" in alice_client.get("/settings/mutes").content.decode()
    alice_client.post(f"/accounts/{bob.pk}/unmute")
    assert not Mute.objects.exists()
    alice_client.post(f"/accounts/{bob.pk}/mute", {"duration": "-5"})
    assert not Mute.objects.exists()


def test_blocked_accounts_posts_are_hidden(
    alice: Account, bob: Account, alice_client: Client
) -> None:
    post_status(bob, "Message de Bob")
    block(alice, bob)
    assert "Message de Bob" not in alice_client.get("/public/local").content.decode()
    mute(alice, make_account("carol"))


def test_report_a_post(alice: Account, bob: Account, bob_client: Client) -> None:
    post = post_status(alice, "Contenu douteux")
    page = bob_client.get(f"/accounts/{alice.pk}/report?status={post.pk}").content.decode()
    assert "Contenu douteux" in page and "checked" in page
    response = bob_client.post(
        f"/accounts/{alice.pk}/report",
        {"category": "spam", "comment": "Publicité", "statuses": [str(post.pk)]},
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert list(report.statuses.all()) == [post]
    response = bob_client.post(f"/accounts/{alice.pk}/report", {"category": "nonsense"})
    assert response.status_code == 400
    assert "id_category_error" in response.content.decode()
    assert bob_client.post(f"/accounts/{bob.pk}/report", {"category": "spam"}).status_code == 400
    assert Report.objects.count() == 1


def test_lists(alice: Account, bob: Account, alice_client: Client) -> None:
    follow(alice, bob)
    carol = make_account("carol")
    response = alice_client.post("/lists", {"title": "Veille"})
    timeline = List.objects.get(owner=alice)
    assert response["Location"] == f"/lists/{timeline.pk}"
    assert alice_client.post("/lists", {"title": ""}).status_code == 400
    alice_client.post(f"/lists/{timeline.pk}/members/add", {"account": bob.pk})
    assert list(timeline.members.all()) == [bob]
    alice_client.post(f"/lists/{timeline.pk}/members/add", {"account": carol.pk})
    assert list(timeline.members.all()) == [bob]  # only followed accounts
    post_status(bob, "Pour la liste")
    assert "Pour la liste" in alice_client.get(f"/lists/{timeline.pk}").content.decode()
    alice_client.post(f"/lists/{timeline.pk}/members/remove", {"account": bob.pk})
    assert not timeline.members.exists()
    assert logged_in(bob).get(f"/lists/{timeline.pk}").status_code == 404
    assert (
        alice_client.post(f"/lists/{timeline.pk}/members/add", {"account": "x"}).status_code == 404
    )
    alice_client.post(f"/lists/{timeline.pk}/delete")
    assert not List.objects.exists()


def test_bookmarks_and_favourites_pages(alice: Account, bob_client: Client) -> None:
    post = post_status(alice, "À garder")
    bob_client.post(f"/statuses/{post.pk}/bookmark")
    bob_client.post(f"/statuses/{post.pk}/favourite")
    assert "À garder" in bob_client.get("/bookmarks").content.decode()
    assert "À garder" in bob_client.get("/favourites").content.decode()


def test_profile_settings(alice: Account, alice_client: Client) -> None:
    data = {
        "display_name": "Alice M.",
        "note": "Bibliothécaire #veille",
        "kind": "institution",
        "city": "Lyon",
        "locked": "on",
        "hide_collections": "on",
        "field_name_1": "Site",
        "field_value_1": "https://bu.example.org",
        "avatar": image_bytes(),
    }
    response = alice_client.post("/settings/profile", data)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.display_name, alice.city, alice.kind, alice.locked) == (
        "Alice M.",
        "Lyon",
        "institution",
        True,
    )
    assert alice.hide_collections and alice.avatar
    assert alice.fields[0]["name"] == "Site"
    html = alice_client.get("/@alice").content.decode()
    assert "/tags/veille" in html and 'href="https://bu.example.org"' in html
    response = alice_client.post(
        "/settings/profile", {**data, "display_name": "x" * 31, "avatar": ""}
    )
    assert response.status_code == 400 and "id_display_name_error" in response.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("a.png", b"nope", content_type="image/png")
    response = alice_client.post("/settings/profile", {**data, "avatar": bad})
    assert response.status_code == 400 and "id_avatar_error" in response.content.decode()


def test_preferences(alice: Account, alice_client: Client) -> None:
    response = alice_client.post(
        "/settings/preferences",
        {"locale": "en", "default_visibility": "unlisted", "default_language": "en"},
    )
    assert response.status_code == 302
    user = User.objects.get(pk=alice.user.pk)
    assert (user.locale, user.default_visibility, user.default_language) == ("en", "unlisted", "en")
    assert '<html lang="en">' in alice_client.get("/home").content.decode()
    assert alice_client.post("/settings/preferences", {"locale": "xx"}).status_code == 400


def test_change_email(alice: Account, alice_client: Client) -> None:
    make_account("taken")
    response = alice_client.post(
        "/settings/account", {"action": "email", "email": "taken@example.org"}
    )
    assert response.status_code == 400 and "id_email_error" in response.content.decode()
    response = alice_client.post(
        "/settings/account", {"action": "email", "email": "new@example.org"}
    )
    assert response.status_code == 302 and response["Location"] == "/auth/login"
    assert mail.outbox and mail.outbox[-1].to == ["new@example.org"]
    assert not User.objects.get(pk=alice.user.pk).email_confirmed


def test_change_password_and_delete(alice: Account, alice_client: Client) -> None:
    response = alice_client.post(
        "/settings/account",
        {"action": "password", "old_password": "bad", "new_password1": "x", "new_password2": "x"},
    )
    assert response.status_code == 400
    new = "nouveau-mot-de-passe-solide"
    response = alice_client.post(
        "/settings/account",
        {
            "action": "password",
            "old_password": PASSWORD,
            "new_password1": new,
            "new_password2": new,
        },
    )
    assert response.status_code == 302
    post_status(alice, "Bientôt parti")
    response = alice_client.post("/settings/account", {"action": "delete", "password": "wrong"})
    assert response.status_code == 400
    response = alice_client.post("/settings/account", {"action": "delete", "password": new})
    assert response.status_code == 302
    assert not User.objects.filter(username="alice").exists()
    assert not Status.objects.exists()
