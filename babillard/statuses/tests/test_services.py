import pytest
from django.core.exceptions import ValidationError

from babillard.core.testing import image_bytes, make_account, run_due_tasks
from babillard.notifications.models import Notification
from babillard.statuses import services
from babillard.statuses.models import MediaAttachment, Status, StatusEdit
from babillard.statuses.queries import thread

pytestmark = pytest.mark.django_db


def test_post_renders_mentions_hashtags_and_links():
    alice, bob = make_account("alice"), make_account("bob")
    status = services.post_status(
        alice, "Bonjour @bob, voir https://example.org/une/page #Bibliothèque <script>x</script>"
    )
    assert 'class="u-url mention"' in status.content
    assert 'href="http://127.0.0.1:8000/tags/bibliothèque"' in status.content
    assert "<script>" not in status.content and "&lt;script&gt;" in status.content
    assert 'href="https://example.org/une/page"' in status.content
    assert list(status.tags.values_list("display_name", flat=True)) == ["Bibliothèque"]
    assert list(status.mentions.values_list("account", flat=True)) == [bob.pk]
    assert Notification.objects.filter(recipient=bob, type="mention", status=status).exists()


def test_links_count_23_characters(settings):
    alice = make_account()
    long_url = "https://example.org/" + "a" * 600
    services.post_status(alice, long_url + " " + "x" * 470)
    with pytest.raises(ValidationError):
        services.post_status(alice, "x" * 501)
    assert Status.objects.count() == 1


def test_empty_post_is_refused_and_nothing_written():
    alice = make_account()
    with pytest.raises(ValidationError):
        services.post_status(alice, "   ")
    assert Status.objects.count() == 0


def test_reply_to_invisible_post_is_refused():
    alice, bob = make_account(), make_account()
    secret = services.post_status(alice, "pour mes abonnés", visibility="private")
    with pytest.raises(ValidationError):
        services.post_status(bob, "réponse", in_reply_to=secret)


def test_thread_orders_replies_depth_first():
    alice, bob = make_account(), make_account()
    root = services.post_status(alice, "racine")
    first = services.post_status(bob, "un", in_reply_to=root)
    second = services.post_status(alice, "deux", in_reply_to=root)
    nested = services.post_status(alice, "un-bis", in_reply_to=first)
    ancestors, descendants = thread(None, root)
    assert ancestors == []
    assert descendants == [first, nested, second]
    ancestors, _ = thread(None, nested)
    assert ancestors == [root, first]
    root.refresh_from_db()
    assert root.replies_count == 2


def test_boost_favourite_and_counts():
    alice, bob = make_account(), make_account()
    status = services.post_status(alice, "à partager")
    boost = services.reblog(bob, status)
    assert services.reblog(bob, status) == boost
    services.favourite(bob, status)
    services.favourite(bob, status)
    status.refresh_from_db()
    assert (status.reblogs_count, status.favourites_count) == (1, 1)
    assert set(Notification.objects.filter(recipient=alice).values_list("type", flat=True)) == {
        "reblog",
        "favourite",
    }
    services.unreblog(bob, status)
    services.unfavourite(bob, status)
    status.refresh_from_db()
    assert (status.reblogs_count, status.favourites_count) == (0, 0)


def test_private_posts_cannot_be_boosted():
    alice, bob = make_account(), make_account()
    from babillard.accounts.services import follow

    follow(bob, alice)
    status = services.post_status(alice, "abonnés", visibility="private")
    with pytest.raises(ValidationError):
        services.reblog(bob, status)


def test_image_is_cleaned_and_attached_with_alt_text():
    alice = make_account()
    media = services.upload_media(alice, image_bytes((3000, 1000), "JPEG"), "Une salle de lecture")
    assert media.width == 2560 and media.blurhash and media.thumbnail
    status = services.post_status(alice, "", media_ids=[media.pk])
    assert list(status.media.all()) == [media]


def test_bad_image_is_refused():
    import io

    alice = make_account()
    with pytest.raises(ValidationError):
        services.upload_media(alice, io.BytesIO(b"not an image at all"))
    assert MediaAttachment.objects.count() == 0


def test_cannot_attach_someone_elses_image():
    alice, bob = make_account(), make_account()
    media = services.upload_media(alice, image_bytes())
    with pytest.raises(ValidationError):
        services.post_status(bob, "vol", media_ids=[media.pk])


def test_edit_keeps_history_and_notifies_boosters():
    alice, bob = make_account(), make_account()
    status = services.post_status(alice, "premiere version")
    services.reblog(bob, status)
    services.edit_status(alice, status, "seconde version #catalogage")
    versions = list(StatusEdit.objects.filter(status=status).values_list("text", flat=True))
    assert versions == ["premiere version", "seconde version #catalogage"]
    assert Notification.objects.filter(recipient=bob, type="update").exists()


def test_delete_leaves_no_trace():
    from babillard.search.queries import search_statuses
    from babillard.timelines.models import HomeFeedEntry

    alice, bob = make_account(), make_account()
    from babillard.accounts.services import follow

    follow(bob, alice)
    status = services.post_status(alice, "message effaçable @" + bob.username)
    assert HomeFeedEntry.objects.filter(status=status).exists()
    assert search_statuses(bob, "effacable")
    status_id = status.pk
    services.delete_own_status(alice, status)
    assert not HomeFeedEntry.objects.filter(status_id=status_id).exists()
    assert not Notification.objects.filter(status_id=status_id).exists()
    assert search_statuses(bob, "effacable") == []


def test_pins_are_limited_to_five():
    alice = make_account()
    posts = [services.post_status(alice, f"post {i}") for i in range(6)]
    for post in posts[:5]:
        services.pin(alice, post)
    with pytest.raises(ValidationError):
        services.pin(alice, posts[5])


def test_poll_votes_and_end():
    from datetime import timedelta

    from django.utils import timezone
    from freezegun import freeze_time

    alice, bob = make_account(), make_account()
    status = services.post_status(
        alice, "Votre outil ?", poll=services.PollSpec(["Zotero", "Endnote"], 3600)
    )
    poll = services.vote(bob, status.poll, [0])
    assert poll.votes_counts == [1, 0]
    with pytest.raises(ValidationError):
        services.vote(bob, status.poll, [1])
    assert run_due_tasks() == 0
    with freeze_time(timezone.now() + timedelta(hours=2)):
        assert run_due_tasks() == 1
    assert Notification.objects.filter(type="poll", recipient=bob).exists()
    assert Notification.objects.filter(type="poll", recipient=alice).exists()


def test_schedule_must_be_in_the_future():
    from django.utils import timezone

    alice = make_account()
    with pytest.raises(ValidationError):
        services.post_status(alice, "trop tôt", scheduled_at=timezone.now())


def test_scheduled_post_is_published_at_its_time():
    from datetime import timedelta

    from django.utils import timezone
    from freezegun import freeze_time

    from babillard.statuses.models import ScheduledStatus

    alice = make_account()
    media = services.upload_media(alice, image_bytes(), "affiche")
    when = timezone.now() + timedelta(hours=1)
    scheduled = services.post_status(
        alice, "Ouverture demain", scheduled_at=when, media_ids=[media.pk]
    )
    assert isinstance(scheduled, ScheduledStatus)
    assert run_due_tasks() == 0 and Status.objects.count() == 0
    with freeze_time(when + timedelta(seconds=1)):
        assert run_due_tasks() == 1
    published = Status.objects.get()
    assert published.text == "Ouverture demain" and list(published.media.all()) == [media]
