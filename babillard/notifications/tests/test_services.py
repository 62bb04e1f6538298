import pytest

from babillard.accounts.services import mute
from babillard.core.testing import make_account
from babillard.notifications import services
from babillard.notifications.queries import notifications_for, unread_count
from babillard.statuses.services import favourite, post_status

pytestmark = pytest.mark.django_db


def test_mark_all_read_and_filter_by_type():
    alice, bob = make_account(), make_account()
    post = post_status(alice, "salut")
    favourite(bob, post)
    post_status(bob, f"@{alice.username} coucou")
    assert unread_count(alice) == 2
    assert [n.type for n in notifications_for(alice, types=["mention"])] == ["mention"]
    assert [n.type for n in notifications_for(alice, exclude_types=["mention"])] == ["favourite"]
    services.mark_all_read(alice.user)
    alice.user.refresh_from_db()
    assert unread_count(alice) == 0


def test_mute_hides_notifications_only_when_asked():
    alice, bob, carol = make_account(), make_account(), make_account()
    mute(alice, bob, notifications=True)
    mute(alice, carol, notifications=False)
    post_status(bob, f"@{alice.username} un")
    post_status(carol, f"@{alice.username} deux")
    assert [n.from_account for n in notifications_for(alice)] == [carol]


def test_no_notification_to_oneself():
    alice = make_account()
    post = post_status(alice, "moi")
    favourite(alice, post)
    assert not notifications_for(alice).exists()
