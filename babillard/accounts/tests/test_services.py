from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from babillard.accounts import services
from babillard.accounts.models import Account, AddressUse, Follow, FollowRequest, User
from babillard.accounts.queries import relationship
from babillard.core.testing import PASSWORD, make_account
from babillard.notifications.models import Notification
from babillard.statuses.services import post_status
from babillard.timelines.models import HomeFeedEntry

pytestmark = pytest.mark.django_db


def test_sign_up_sends_a_confirmation_link_and_blocks_login_until_confirmed(client):
    user = services.sign_up("lea", "lea@example.org", PASSWORD)
    assert not user.email_confirmed
    assert len(mail.outbox) == 1
    token = services.confirmation_token(user)
    assert token in mail.outbox[0].body
    assert not client.login(username="lea", password=PASSWORD)
    services.confirm_email(token)
    assert client.login(username="lea@example.org", password=PASSWORD)


def test_confirmation_token_is_checked():
    with pytest.raises(ValidationError):
        services.confirm_email("forged-token")


@pytest.mark.parametrize("username", ["", "a b", "é", "x" * 31, "admin", "Inbox"])
def test_bad_usernames_are_refused(username):
    with pytest.raises(ValidationError):
        services.sign_up(username, "x@example.org", PASSWORD)
    assert not User.objects.exists()


def test_duplicate_username_and_email_are_refused():
    make_account("paul")
    with pytest.raises(ValidationError):
        services.sign_up("PAUL", "other@example.org", PASSWORD)
    with pytest.raises(ValidationError):
        services.sign_up("paula", "PAUL@example.org", PASSWORD)
    assert Account.objects.count() == 1


def test_weak_password_is_refused():
    with pytest.raises(ValidationError):
        services.sign_up("marc", "marc@example.org", "1234")


def test_registration_modes(settings):
    settings.REGISTRATION_MODE = "closed"
    with pytest.raises(ValidationError):
        services.sign_up("a1", "a1@example.org", PASSWORD)
    settings.REGISTRATION_MODE = "approval"
    with pytest.raises(ValidationError):
        services.sign_up("a2", "a2@example.org", PASSWORD)
    moderator = make_account("modo", moderator=True)
    pending = services.sign_up("a3", "a3@example.org", PASSWORD, reason="Bibliothécaire à Lyon")
    assert not pending.approved
    assert Notification.objects.filter(recipient=moderator, type="admin.sign_up").exists()
    settings.REGISTRATION_MODE = "invite"
    with pytest.raises(ValidationError):
        services.sign_up("a4", "a4@example.org", PASSWORD)
    invite = services.create_invite(moderator.user, max_uses=1)
    assert services.sign_up("a5", "a5@example.org", PASSWORD, invite_code=invite.code).approved
    with pytest.raises(ValidationError):
        services.sign_up("a6", "a6@example.org", PASSWORD, invite_code=invite.code)


def test_follow_notifies_counts_and_backfills_home():
    alice, bob = make_account(), make_account()
    older = post_status(alice, "avant l'abonnement")
    services.follow(bob, alice)
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.followers_count, bob.following_count) == (1, 1)
    assert HomeFeedEntry.objects.filter(owner=bob, status=older).exists()
    assert Notification.objects.filter(recipient=alice, type="follow", from_account=bob).exists()


def test_locked_account_gets_a_request_to_accept_or_reject():
    alice, bob, carol = make_account(), make_account(), make_account()
    services.update_profile(alice, locked=True)
    request = services.follow(bob, alice)
    assert isinstance(request, FollowRequest)
    assert not Follow.objects.exists()
    assert Notification.objects.filter(recipient=alice, type="follow_request").exists()
    services.accept_follow_request(alice, bob)
    assert Follow.objects.filter(account=bob, target=alice).exists()
    services.follow(carol, alice)
    services.reject_follow_request(alice, carol)
    assert not Follow.objects.filter(account=carol).exists()
    assert not FollowRequest.objects.exists()


def test_unlocking_accepts_pending_requests():
    alice, bob = make_account(), make_account()
    services.update_profile(alice, locked=True)
    services.follow(bob, alice)
    services.update_profile(alice, locked=False)
    assert Follow.objects.filter(account=bob, target=alice).exists()


def test_unfollow_purges_home_feed_including_boosts():
    alice, bob, carol = make_account(), make_account(), make_account()
    from babillard.statuses.services import reblog

    services.follow(bob, alice)
    services.follow(bob, carol)
    post = post_status(alice, "original")
    boost = reblog(carol, post_status(make_account(), "autre"))
    assert HomeFeedEntry.objects.filter(owner=bob, status__in=[post, boost]).count() == 2
    services.unfollow(bob, alice)
    services.unfollow(bob, carol)
    assert not HomeFeedEntry.objects.filter(owner=bob).exclude(status__account=bob).exists()


def test_block_cuts_follows_both_ways_and_prevents_follow():
    from babillard.core.errors import NotFound

    alice, bob = make_account(), make_account()
    services.follow(alice, bob)
    services.follow(bob, alice)
    services.block(alice, bob)
    assert not Follow.objects.exists()
    with pytest.raises(NotFound):
        services.follow(bob, alice)
    rel = relationship(alice, bob)
    assert rel.blocking and not rel.following


def test_mute_with_expiry():
    from datetime import timedelta

    from django.utils import timezone
    from freezegun import freeze_time

    alice, bob = make_account(), make_account()
    services.mute(alice, bob, notifications=False, duration=60)
    assert relationship(alice, bob).muting
    assert not relationship(alice, bob).muting_notifications
    with freeze_time(timezone.now() + timedelta(minutes=2)):
        assert not relationship(alice, bob).muting


def test_profile_fields_and_bio_are_rendered_and_limited():
    alice = make_account()
    make_account("bob")
    services.update_profile(
        alice,
        note="Veille #documentation avec @bob https://example.org",
        fields=[{"name": "Site", "value": "https://bu.example.org"}],
    )
    assert "mention" in alice.note_html and "hashtag" in alice.note_html
    assert 'href="https://bu.example.org"' in alice.fields[0]["value_html"]
    with pytest.raises(ValidationError):
        services.update_profile(alice, fields=[{"name": str(i), "value": "v"} for i in range(5)])
    with pytest.raises(ValidationError):
        services.update_profile(alice, note="x" * 501)


def test_delete_user_removes_everything_and_fixes_counts():
    alice, bob = make_account(), make_account()
    services.follow(bob, alice)
    post_status(alice, "bientôt parti")
    services.delete_user(alice.user)
    bob.refresh_from_db()
    assert bob.following_count == 0
    assert not Account.objects.filter(pk=alice.pk).exists()
    assert not HomeFeedEntry.objects.filter(owner=bob).exists()


def test_staff_only_cannot_be_the_default_visibility():
    alice = make_account()
    with pytest.raises(ValidationError):
        services.update_preferences(alice.user, default_visibility="internal")
    services.update_preferences(alice.user, default_visibility="unlisted")
    alice.user.refresh_from_db()
    assert alice.user.default_visibility == "unlisted"


def test_an_address_is_noted_once_an_hour_per_user_address_and_way():
    from freezegun import freeze_time

    alice = make_account()
    start = timezone.now()
    with freeze_time(start):
        services.note_address(alice.user.pk, "192.0.2.7", AddressUse.Way.SESSION)
    with freeze_time(start + timedelta(minutes=30)):
        services.note_address(alice.user.pk, "192.0.2.7", AddressUse.Way.SESSION)
        services.note_address(alice.user.pk, "2001:db8::1", AddressUse.Way.TOKEN)
        services.note_address(alice.user.pk, None, AddressUse.Way.TOKEN)
    uses = {(u.ip, u.way): u.last_used_at for u in AddressUse.objects.filter(user=alice.user)}
    assert uses == {
        ("192.0.2.7", "session"): start,
        ("2001:db8::1", "token"): start + timedelta(minutes=30),
    }
    cache.clear()  # the hour has passed
    with freeze_time(start + timedelta(hours=2)):
        services.note_address(alice.user.pk, "192.0.2.7", AddressUse.Way.SESSION)
    assert AddressUse.objects.get(ip="192.0.2.7").last_used_at == start + timedelta(hours=2)


def test_addresses_are_forgotten_after_the_retention(settings):
    from freezegun import freeze_time

    settings.IP_RETENTION_DAYS = 30
    start = timezone.now()
    with freeze_time(start):
        user = services.sign_up("lea", "lea@example.org", PASSWORD, ip="198.51.100.4")
        services.note_address(user.pk, "198.51.100.4", AddressUse.Way.SESSION)
    with freeze_time(start + timedelta(days=20)):
        cache.clear()
        services.note_address(user.pk, "203.0.113.9", AddressUse.Way.TOKEN)
    assert services.forget_old_addresses(start + timedelta(days=29)) == 0
    user.refresh_from_db()
    assert user.sign_up_ip == "198.51.100.4"
    assert services.forget_old_addresses(start + timedelta(days=31)) == 2
    user.refresh_from_db()
    assert user.sign_up_ip is None
    assert list(AddressUse.objects.values_list("ip", flat=True)) == ["203.0.113.9"]
    assert services.forget_old_addresses(start + timedelta(days=51)) == 1
    assert not AddressUse.objects.exists()
    assert User.objects.filter(pk=user.pk).exists()


def test_a_remote_actor_that_deletes_itself_leaves_the_counters_right():
    from babillard.statuses.services import favourite, reblog

    alice = make_account()
    post = post_status(alice, "Un fonds ancien")
    remote = services.update_remote_account(
        "https://elsewhere.example/users/ada", username="ada", domain="elsewhere.example"
    )
    services.follow(remote, alice)
    favourite(remote, post)
    reblog(remote, post)
    post.refresh_from_db()
    assert (post.favourites_count, post.reblogs_count) == (1, 1)
    services.forget_remote_account(remote)
    post.refresh_from_db()
    alice.refresh_from_db()
    assert (post.favourites_count, post.reblogs_count) == (0, 0)
    assert alice.followers_count == 0
    assert not Account.objects.filter(pk=remote.pk).exists()
