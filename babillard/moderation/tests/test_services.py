import pytest
from django.core.exceptions import ValidationError

from babillard.core.errors import Forbidden
from babillard.core.testing import make_account
from babillard.moderation import services
from babillard.moderation.models import ModerationAction, Report
from babillard.notifications.models import Notification
from babillard.statuses.models import Status
from babillard.statuses.queries import can_see
from babillard.statuses.services import post_status

pytestmark = pytest.mark.django_db


def test_report_reaches_moderators_and_suspension_hides_the_account(client):
    from babillard.core.testing import PASSWORD

    moderator, reporter, spammer = make_account(moderator=True), make_account(), make_account()
    post = post_status(spammer, "pub")
    report = services.report(
        reporter, spammer, statuses=[post], category="spam", comment="Publicité"
    )
    assert Notification.objects.filter(recipient=moderator, type="admin.report").exists()
    services.suspend(moderator, spammer, report=report, text="spam")
    report.refresh_from_db()
    spammer.refresh_from_db()
    assert report.resolved_at is not None
    assert not can_see(reporter, post)
    assert not client.login(username=spammer.username, password=PASSWORD)
    assert ModerationAction.objects.filter(kind="suspend", target=spammer).exists()
    services.unsuspend(moderator, spammer)
    spammer.refresh_from_db()
    assert can_see(reporter, post)


def test_only_moderators_act():
    someone, target = make_account(), make_account()
    with pytest.raises(Forbidden):
        services.suspend(someone, target)


def test_report_checks_its_posts():
    reporter, target, other = make_account(), make_account(), make_account()
    foreign = post_status(other, "autre")
    with pytest.raises(ValidationError):
        services.report(reporter, target, statuses=[foreign])
    with pytest.raises(ValidationError):
        services.report(reporter, reporter)
    assert not Report.objects.exists()


def test_moderator_deletes_a_post():
    moderator, author = make_account(moderator=True), make_account()
    post = post_status(author, "à retirer")
    services.remove_status(moderator, post)
    assert not Status.objects.exists()
    assert ModerationAction.objects.filter(kind="delete_status").exists()


def test_approve_and_reject_sign_ups(settings):
    from babillard.accounts.models import User
    from babillard.accounts.services import sign_up
    from babillard.core.testing import PASSWORD

    settings.REGISTRATION_MODE = "approval"
    moderator = make_account(moderator=True)
    first = sign_up("candidat1", "c1@example.org", PASSWORD, reason="BU")
    second = sign_up("candidat2", "c2@example.org", PASSWORD, reason="BM")
    services.approve_sign_up(moderator, first)
    services.reject_sign_up(moderator, second)
    first.refresh_from_db()
    assert first.approved
    assert not User.objects.filter(username="candidat2").exists()
