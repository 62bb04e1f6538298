"""The benchmark data must hold the invariants the services keep, or the figures lie."""

from collections import Counter

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from babillard.accounts.models import Account, Follow, Visibility
from babillard.core import links
from babillard.core.ids import SEQUENCE_BITS
from babillard.core.management.commands.benchdata import NATIONAL, READER, Command, Network
from babillard.search.models import StatusDocument
from babillard.search.queries import search_statuses
from babillard.statuses import formatting
from babillard.statuses.models import Favourite, Mention, Status
from babillard.timelines.models import HomeFeedEntry
from babillard.timelines.services import _recipients

ACCOUNTS = 40
POSTS = 700
CAP = 40


@pytest.fixture
def network(settings):
    settings.HOME_FEED_MAX = CAP
    call_command(
        "benchdata",
        accounts=ACCOUNTS,
        posts=POSTS,
        days=30,
        password="bench-password-for-tests",
        verbosity=0,
    )


@pytest.mark.django_db
def test_accounts_are_made_as_sign_up_makes_them(network):
    assert Account.objects.filter(domain="").count() == ACCOUNTS
    for account in Account.objects.select_related("user"):
        assert account.user.email_confirmed and account.user.approved
        assert account.uri == links.account_uri(account.username)
        assert account.inbox_url == links.absolute(f"/users/{account.username}/inbox")
        assert "BEGIN PRIVATE KEY" in account.private_key
        assert "BEGIN PUBLIC KEY" in account.public_key
    reader = Account.objects.select_related("user").get(username=READER)
    assert check_password("bench-password-for-tests", reader.user.password)
    assert Account.objects.get(username=NATIONAL).kind == "institution"


@pytest.mark.django_db
def test_follow_counters_match_the_rows_and_follow_a_power_law(network):
    for account in Account.objects.all():
        assert account.followers_count == Follow.objects.filter(target=account).count()
        assert account.following_count == Follow.objects.filter(account=account).count()
    national = Account.objects.get(username=NATIONAL)
    assert national.followers_count == ACCOUNTS - 1


def test_follower_counts_follow_a_power_law_at_scale():
    """Planned in memory only: a few institutions followed by half the network, most
    people by tens to hundreds."""
    command = Command()
    command.net = Network(accounts=10000, posts=1, days=1, favourites=0, seed=7)
    command._plan_accounts()
    counts = command.followers_count
    people = sorted(c for c, kind in zip(counts, command.kind, strict=True) if kind == "person")
    assert counts[0] == 9999
    assert sum(c >= 5000 for c in counts) >= 5
    assert 10 <= people[len(people) // 2] <= 300
    assert people[int(len(people) * 0.9)] <= 1000
    following = sorted(len(f) for f in command.following)
    assert 20 <= following[len(following) // 2] <= 300


@pytest.mark.django_db
def test_status_counters_and_threads_are_consistent(network):
    statuses = {s.pk: s for s in Status.objects.all()}
    assert len(statuses) == POSTS
    for account in Account.objects.all():
        own = [s for s in statuses.values() if s.account_id == account.pk and not s.reblog_id]
        assert account.statuses_count == len(own)
        if own:
            assert account.last_status_at == max(s.created_at for s in own)
    replies = Counter(s.in_reply_to_id for s in statuses.values() if s.in_reply_to_id)
    boosts = Counter(s.reblog_id for s in statuses.values() if s.reblog_id)
    favourites = Counter(Favourite.objects.values_list("status_id", flat=True))
    for status in statuses.values():
        assert status.replies_count == replies[status.pk]
        assert status.reblogs_count == boosts[status.pk]
        assert status.favourites_count == favourites[status.pk]
    kinds = Counter(
        "boost" if s.reblog_id else "reply" if s.in_reply_to_id else "post"
        for s in statuses.values()
    )
    assert kinds["boost"] and kinds["reply"] and kinds["post"]
    assert {s.language for s in statuses.values() if not s.reblog_id} == {"fr", "en"}
    for status in statuses.values():
        if status.in_reply_to_id:
            parent = statuses[status.in_reply_to_id]
            assert parent.pk < status.pk
            assert status.in_reply_to_account_id == parent.account_id
            assert status.thread_root_id == (parent.thread_root_id or parent.pk)
            if parent.account_id != status.account_id:
                assert Mention.objects.filter(status=status, account_id=parent.account_id).exists()
        if status.reblog_id:
            original = statuses[status.reblog_id]
            assert original.reblog_id is None and original.account_id != status.account_id
            assert original.visibility in (Visibility.PUBLIC, Visibility.UNLISTED)
            assert status.visibility == original.visibility


@pytest.mark.django_db
def test_ids_sort_by_time_like_live_ids(network):
    rows = list(Status.objects.order_by("id").values_list("id", "created_at"))
    assert [at for _id, at in rows] == sorted(at for _id, at in rows)
    for status_id, at in rows:
        assert status_id >> SEQUENCE_BITS == int(at.timestamp() * 1000)
    span = rows[-1][1] - rows[0][1]
    assert span.days >= 20


@pytest.mark.django_db
def test_content_hashtags_and_mentions_are_what_post_status_renders(network):
    by_name = {a.username.lower(): a for a in Account.objects.all()}

    def resolve(username, domain):
        account = by_name.get(username.lower())
        if account is None or domain:
            return None
        return formatting.MentionTarget(key=account.pk, acct=account.acct, url=account.url)

    originals = Status.objects.filter(reblog__isnull=True).prefetch_related("tags", "mentions")
    tagged = mentioned = 0
    for status in originals:
        rendered = formatting.render(status.text, resolve)
        assert status.content == rendered.html
        assert {t.name for t in status.tags.all()} == {t.casefold() for t in rendered.tags}
        in_text = {m.key for m in rendered.mentions}
        assert in_text <= {m.account_id for m in status.mentions.all()}
        tagged += bool(rendered.tags)
        mentioned += bool(in_text)
    assert tagged and mentioned


@pytest.mark.django_db
def test_home_feeds_hold_what_fan_out_would_have_put_there(network):
    feeds: dict[int, set[int]] = {}
    for owner, status in HomeFeedEntry.objects.values_list("owner_id", "status_id"):
        feeds.setdefault(owner, set()).add(status)
    assert max(len(f) for f in feeds.values()) == CAP
    statuses = Status.objects.select_related("account", "reblog").order_by("id")
    recipients = {s.pk: _recipients(s) for s in statuses}
    originals = {s.pk: s.reblog_id for s in statuses}
    for owner, feed in feeds.items():
        for status_id in feed:
            assert owner in recipients[status_id]
    for status_id, owners in recipients.items():
        for owner in owners:
            feed = feeds.get(owner, set())
            if status_id in feed:
                continue
            trimmed = len(feed) == CAP and status_id < min(feed)
            original = originals[status_id]
            boost_of_seen = original is not None and owner in recipients[original]
            assert trimmed or boost_of_seen, (owner, status_id)
    origins = HomeFeedEntry.objects.select_related("status")[:200]
    for entry in origins:
        expected = (
            entry.status.reblog.account_id if entry.status.reblog_id else entry.status.account_id
        )
        assert entry.origin_account_id == expected


@pytest.mark.django_db
def test_search_index_covers_every_searchable_post(network):
    searchable = Status.objects.filter(reblog__isnull=True).exclude(visibility=Visibility.DIRECT)
    assert StatusDocument.objects.count() == searchable.count()
    assert set(StatusDocument.objects.values_list("status_id", flat=True)) == set(
        searchable.values_list("pk", flat=True)
    )
    reader = Account.objects.get(username=READER)
    assert search_statuses(reader, "bibliothèque") or search_statuses(reader, "library")


@pytest.mark.django_db
def test_refuses_a_database_that_already_holds_benchmark_data(network):
    with pytest.raises(CommandError):
        call_command("benchdata", accounts=5, posts=10, verbosity=0)
    assert Account.objects.aggregate(n=Count("pk"))["n"] == ACCOUNTS
