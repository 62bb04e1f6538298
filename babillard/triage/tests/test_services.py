"""Author priorities, exclusive lists, catch-up, digests and notification policies, with
real posts, follows, favourites and boosts."""

import math
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from babillard.accounts import services as account_services
from babillard.accounts.models import Account
from babillard.core.ids import new_id
from babillard.core.testing import make_account
from babillard.notifications.models import Notification
from babillard.notifications.queries import notifications_for
from babillard.statuses import services as status_services
from babillard.statuses.models import Favourite, Status
from babillard.timelines import queries as timeline_queries
from babillard.timelines import services as timeline_services
from babillard.triage import queries, services
from babillard.triage.models import NotificationRequest

pytestmark = pytest.mark.django_db


def home_texts(viewer: Account) -> list[str]:
    return [(s.reblog or s).content for s in timeline_queries.home(viewer, limit=40).items]


@pytest.fixture
def people() -> dict[str, Account]:
    reader = make_account("reader")
    found = {"reader": reader}
    for name in ("anna", "basile", "celine", "denis"):
        found[name] = make_account(name, display_name=name.capitalize())
        account_services.follow(reader, found[name])
    return found


def test_exclusive_list_members_leave_home_but_stay_in_the_list(people: dict[str, Any]) -> None:
    reader, anna, basile = people["reader"], people["anna"], people["basile"]
    veille = timeline_services.create_list(reader, "Veille", exclusive=True)
    timeline_services.add_to_list(reader, veille, [anna])
    status_services.post_status(anna, "Nouveau catalogue collectif")
    status_services.post_status(basile, "Atelier numérique samedi")

    texts = " ".join(home_texts(reader))
    assert "Atelier numérique" in texts
    assert "catalogue collectif" not in texts
    listed = timeline_queries.list_timeline(reader, veille, limit=20).items
    assert ["Nouveau catalogue collectif" in s.content for s in listed] == [True]


def test_adding_to_an_exclusive_list_folds_existing_posts_and_close_keeps_them(
    people: dict[str, Any],
) -> None:
    reader, anna = people["reader"], people["anna"]
    status_services.post_status(anna, "Avant la liste")
    veille = timeline_services.create_list(reader, "Veille", exclusive=True)
    timeline_services.add_to_list(reader, veille, [anna])
    assert "Avant la liste" not in " ".join(home_texts(reader))

    services.set_priority(reader, anna, "close")
    status_services.post_status(anna, "Après close")
    texts = " ".join(home_texts(reader))
    assert "Avant la liste" in texts and "Après close" in texts


def test_a_plain_list_keeps_posts_in_home(people: dict[str, Any]) -> None:
    reader, anna = people["reader"], people["anna"]
    plain = timeline_services.create_list(reader, "Amis")
    timeline_services.add_to_list(reader, plain, [anna])
    status_services.post_status(anna, "Toujours là")
    assert "Toujours là" in " ".join(home_texts(reader))


def test_glance_folds_posts_into_a_daily_summary(people: dict[str, Any]) -> None:
    reader, anna, basile, celine = (
        people["reader"],
        people["anna"],
        people["basile"],
        people["celine"],
    )
    status_services.post_status(anna, "Avant le coup d'œil")
    services.set_priority(reader, anna, "glance")
    services.set_priority(reader, basile, "glance")
    for text in ("un", "deux"):
        status_services.post_status(anna, f"Anna {text}")
    status_services.post_status(basile, "Basile un")
    status_services.post_status(celine, "Céline reste")

    texts = " ".join(home_texts(reader))
    assert "Céline reste" in texts
    assert "Anna" not in texts and "Basile" not in texts and "coup d'œil" not in texts
    summary = queries.glance_summary(reader)
    # Anna's earlier post is from today too: three of hers, one of Basile's.
    assert summary.count == 4
    assert [a.username for a in summary.authors] == ["anna", "basile"]

    services.set_priority(reader, anna, None)
    assert "Anna deux" in " ".join(home_texts(reader))
    assert queries.glance_summary(reader).count == 1


def test_a_mention_still_reaches_home_from_a_glanced_author(people: dict[str, Any]) -> None:
    reader, anna = people["reader"], people["anna"]
    services.set_priority(reader, anna, "glance")
    status_services.post_status(anna, "Question pour @reader")
    assert "Question pour" in " ".join(home_texts(reader))


def test_priorities_refuse_oneself_and_unknown_levels(people: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        services.set_priority(people["reader"], people["reader"], "close")
    with pytest.raises(ValidationError):
        services.set_priority(people["reader"], people["anna"], "urgent")


def test_catch_up_groups_unread_posts_by_author_and_tag_most_interacted_first(
    people: dict[str, Any],
) -> None:
    reader, anna, basile, celine = (
        people["reader"],
        people["anna"],
        people["basile"],
        people["celine"],
    )
    status_services.post_status(anna, "Déjà lu")
    services.mark_home_read(reader)
    a1 = status_services.post_status(anna, "Fonds ancien #patrimoine")
    status_services.post_status(anna, "Encore du #patrimoine")
    b1 = status_services.post_status(basile, "Heure du conte #jeunesse")
    status_services.post_status(celine, "Rien de neuf")
    # Basile's single post is the most favourited: his group comes first.
    for fan in (anna, celine, people["denis"]):
        status_services.favourite(fan, b1)
    status_services.favourite(celine, a1)

    found = queries.catch_up(reader)
    assert found.total == 4
    assert [(g.label, g.count, g.interactions) for g in found.by_author] == [
        ("Basile", 1, 3),
        ("Anna", 2, 1),
        ("Celine", 1, 0),
    ]
    assert [(g.label, g.count) for g in found.by_tag] == [("#jeunesse", 1), ("#patrimoine", 2)]

    services.mark_home_read(reader)
    assert queries.catch_up(reader).total == 0
    status_services.post_status(celine, "Tout neuf")
    assert queries.catch_up(reader).total == 1


def test_digest_ranks_by_decayed_interactions_of_followed_accounts(
    people: dict[str, Any],
) -> None:
    reader, anna, basile, celine, denis = (
        people[k] for k in ("reader", "anna", "basile", "celine", "denis")
    )
    stranger = make_account("stranger")
    now = timezone.now()
    first = status_services.post_status(anna, "Premier")
    second = status_services.post_status(basile, "Second")
    third = status_services.post_status(celine, "Troisième")

    def favourite_at(account: Account, status: Status, hours_ago: float) -> None:
        status_services.favourite(account, status)
        Favourite.objects.filter(account=account, status=status).update(
            id=new_id(now - timedelta(hours=hours_ago))
        )

    def boost_at(account: Account, status: Status, hours_ago: float) -> None:
        boost = status_services.reblog(account, status)
        Status.objects.filter(pk=boost.pk).update(created_at=now - timedelta(hours=hours_ago))

    favourite_at(basile, first, 12)  # 1 * 0.5**2 = 0.25
    favourite_at(celine, first, 6)  # 1 * 0.5 = 0.5
    boost_at(denis, second, 3)  # 2 * 0.5**0.5
    favourite_at(stranger, third, 0)  # not followed: counts for nothing

    ranked = queries.digest(reader, None, "day", now=now)
    expected = {
        first.pk: 0.25 + 0.5,
        second.pk: 2 * math.pow(0.5, 0.5),
        third.pk: 0.0,
    }
    assert [s.status.pk for s in ranked[:3]] == [second.pk, first.pk, third.pk]
    for item in ranked[:3]:
        assert item.score == pytest.approx(expected[item.status.pk], abs=1e-5)
    assert (ranked[1].favourites, ranked[0].reblogs) == (2, 1)

    weekly = queries.digest(reader, None, "week", now=now)
    assert weekly[1].score == pytest.approx(
        math.pow(0.5, 12 / 36) + math.pow(0.5, 6 / 36), abs=1e-5
    )


def test_digest_of_a_list_keeps_to_its_members(people: dict[str, Any]) -> None:
    reader, anna, basile = people["reader"], people["anna"], people["basile"]
    veille = timeline_services.create_list(reader, "Veille")
    timeline_services.add_to_list(reader, veille, [anna])
    mine = status_services.post_status(anna, "Dans la liste")
    status_services.post_status(basile, "Hors liste")
    ranked = queries.digest(reader, veille, "week")
    assert [s.status.pk for s in ranked] == [mine.pk]


def test_old_posts_leave_the_digest(people: dict[str, Any]) -> None:
    reader, anna = people["reader"], people["anna"]
    old = status_services.post_status(anna, "Vieux")
    Status.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert queries.digest(reader, None, "day") == []
    assert [s.status.pk for s in queries.digest(reader, None, "week")] == [old.pk]


def test_digest_e_mail_follows_the_chosen_schedule(people: dict[str, Any]) -> None:
    reader, anna, basile = people["reader"], people["anna"], people["basile"]
    post = status_services.post_status(anna, "À lire absolument")
    status_services.favourite(basile, post)
    services.subscribe_digest(reader, period="day", by_email=True)
    now = timezone.now()

    assert services.send_due_digests(now) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reader@example.org"]
    assert "À lire absolument" in mail.outbox[0].body
    # Not again within the day; again the next day.
    assert services.send_due_digests(now + timedelta(hours=5)) == 0
    assert services.send_due_digests(now + timedelta(hours=24)) == 1
    assert len(mail.outbox) == 2

    services.subscribe_digest(reader, period="week", by_email=True)
    assert services.send_due_digests(now + timedelta(days=2)) == 0
    assert services.send_due_digests(now + timedelta(days=8)) == 1
    services.subscribe_digest(reader, period="week", by_email=False)
    assert services.send_due_digests(now + timedelta(days=30)) == 0


def test_digest_subscription_checks_its_input(people: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        services.subscribe_digest(people["reader"], period="month")
    other = timeline_services.create_list(people["anna"], "Pas à toi")
    from babillard.core.errors import NotFound

    with pytest.raises(NotFound):
        services.subscribe_digest(people["reader"], list_id=other.pk)


def test_policy_filters_strangers_into_a_request_then_accept_lets_them_through(
    people: dict[str, Any],
) -> None:
    reader = people["reader"]
    stranger = make_account("stranger")
    services.update_policy(reader, for_not_following="filter")
    status_services.post_status(stranger, "@reader bonjour")
    status_services.post_status(people["anna"], "@reader salut")

    shown = list(notifications_for(reader))
    assert [n.from_account.username for n in shown] == ["anna"]
    request = NotificationRequest.objects.get(account=reader)
    assert (request.from_account, request.notifications_count) == (stranger, 1)
    status_services.post_status(stranger, "@reader encore")
    request.refresh_from_db()
    assert request.notifications_count == 2
    assert services.pending_summary(reader) == {
        "pending_requests_count": 1,
        "pending_notifications_count": 2,
    }

    services.accept_request(reader, request)
    assert sorted(n.from_account.username for n in notifications_for(reader)) == [
        "anna",
        "stranger",
        "stranger",
    ]
    status_services.post_status(stranger, "@reader merci")
    assert len(notifications_for(reader)) == 4
    assert not NotificationRequest.objects.filter(account=reader).exists()


def test_dismiss_throws_the_held_notifications_away(people: dict[str, Any]) -> None:
    reader = people["reader"]
    stranger = make_account("stranger")
    services.update_policy(reader, for_not_following="filter")
    status_services.post_status(stranger, "@reader pub")
    services.dismiss_request(reader, NotificationRequest.objects.get(account=reader))
    assert not Notification.objects.filter(recipient=reader).exists()
    status_services.post_status(stranger, "@reader re-pub")
    assert NotificationRequest.objects.get(account=reader).notifications_count == 1


def test_policy_rules_for_followers_private_mentions_limited_and_drop(
    people: dict[str, Any],
) -> None:
    reader, anna = people["reader"], people["anna"]
    fan = make_account("fan")
    account_services.follow(fan, reader)
    stranger = make_account("stranger")

    # Not a follower: dropped outright.
    services.update_policy(reader, for_not_followers="drop")
    status_services.post_status(stranger, "@reader inconnu")
    status_services.post_status(fan, "@reader je te suis")
    mentions = notifications_for(reader, types=["mention"], include_filtered=True)
    assert [n.from_account for n in mentions] == [fan]

    # Private mentions from strangers wait; a reply to the reader does not.
    services.update_policy(
        reader,
        for_not_followers="accept",
        for_private_mentions="filter",
        for_limited_accounts="filter",
    )
    status_services.post_status(fan, "@reader en privé", visibility="direct")
    own = status_services.post_status(reader, "Une question ?")
    status_services.post_status(fan, "@reader réponse", visibility="direct", in_reply_to=own)
    held = NotificationRequest.objects.get(account=reader, from_account=fan)
    assert held.notifications_count == 1

    # A limited account not followed would wait too; a followed one does not.
    anna.silenced_at = timezone.now()
    anna.save()
    status_services.post_status(anna, "@reader suivie")
    assert not NotificationRequest.objects.filter(from_account=anna).exists()

    # New accounts: every local account here is new.
    services.update_policy(reader, for_new_accounts="filter", for_private_mentions="accept")
    newcomer = make_account("newcomer")
    status_services.post_status(newcomer, "@reader nouveau")
    assert NotificationRequest.objects.filter(from_account=newcomer).exists()
    Account.objects.filter(pk=newcomer.pk).update(created_at=timezone.now() - timedelta(days=40))
    newcomer.refresh_from_db()
    status_services.post_status(newcomer, "@reader plus si nouveau")
    assert NotificationRequest.objects.get(from_account=newcomer).notifications_count == 1


def test_policy_refuses_unknown_values(people: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        services.update_policy(people["reader"], for_not_following="maybe")
    with pytest.raises(ValidationError):
        services.update_policy(people["reader"], for_everyone="filter")


def test_making_a_list_exclusive_later_folds_and_unfolds_its_members(
    people: dict[str, Any],
) -> None:
    reader, anna = people["reader"], people["anna"]
    veille = timeline_services.create_list(reader, "Veille")
    timeline_services.add_to_list(reader, veille, [anna])
    status_services.post_status(anna, "Avant exclusive")
    assert "Avant exclusive" in " ".join(home_texts(reader))
    timeline_services.update_list(reader, veille, exclusive=True)
    assert "Avant exclusive" not in " ".join(home_texts(reader))
    timeline_services.update_list(reader, veille, exclusive=False)
    assert "Avant exclusive" in " ".join(home_texts(reader))
