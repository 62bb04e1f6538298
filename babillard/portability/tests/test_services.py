"""Imports of Mastodon's CSV files, row by row, through the task worker."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from freezegun import freeze_time

from babillard.accounts import services as account_services
from babillard.accounts.models import Account, Block, Follow, Mute
from babillard.core.testing import image_bytes, make_account, run_due_tasks
from babillard.federation.models import Delivery
from babillard.moderation.models import AccountDomainBlock
from babillard.notifications.models import Notification
from babillard.portability import account_archive, csvfiles, services
from babillard.portability.models import Archive, Import, JobState
from babillard.statuses import services as status_services
from babillard.statuses.models import Bookmark, Status
from babillard.timelines import services as timeline_services
from babillard.timelines.models import HomeFeedEntry, List

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_reports(settings: object) -> None:
    """Reports are written in the importer's language; these tests read the English ones."""
    settings.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]


def handle(account: Account) -> str:
    return f"{account.username}@{settings.DOMAIN}"


def csv_of(account: Account, kind: str) -> bytes:
    return csvfiles.write(csvfiles.export_rows(account, kind)).encode()


def imported(account: Account, kind: str, text: str, mode: str = "merge") -> Import:
    item = services.start_import(account, kind, mode, text.encode())
    item.refresh_from_db()
    return item


def test_following_with_its_columns_and_a_header() -> None:
    me, ana, ben = make_account("me"), make_account("ana"), make_account("ben")
    text = (
        "Account address,Show boosts,Notify on new posts,Languages\n"
        f"{handle(ana)},false,true,fr\n"
        f"@{handle(ben)},true,false,\n"
    )
    item = imported(me, "following", text)
    assert (item.state, item.total, item.processed, item.failed) == ("done", 2, 2, 0)
    follows = {
        f.target.username: (f.show_reblogs, f.notify) for f in Follow.objects.filter(account=me)
    }
    assert follows == {"ana": (False, True), "ben": (True, False)}


def test_bad_rows_are_reported_and_the_rest_imported() -> None:
    me, ana = make_account("me"), make_account("ana")
    text = f"not an address\nnobody@{settings.DOMAIN}\n{handle(ana)}\n{handle(me)}\n"
    item = imported(me, "following", text)
    assert item.state == "done"
    assert (item.processed, item.failed) == (4, 3)
    assert [e["line"] for e in item.errors] == [1, 2, 4]
    reasons = [e["reason"] for e in item.errors]
    assert "not an account address" in reasons[0]
    assert "No account was found" in reasons[1]
    assert "yourself" in reasons[2]
    assert item.errors[1]["value"] == f"nobody@{settings.DOMAIN}"
    assert list(Follow.objects.filter(account=me).values_list("target__username", flat=True)) == [
        "ana"
    ]


def test_an_unreachable_server_is_a_reported_row() -> None:
    me = make_account("me")
    item = imported(me, "blocks", "someone@127.0.0.1:9\n")
    assert (item.state, item.failed) == ("done", 1)
    assert Block.objects.filter(account=me).count() == 0


def test_overwrite_removes_what_the_file_does_not_name_and_merge_keeps_it() -> None:
    me, ana, ben, cy = (
        make_account("me"),
        make_account("ana"),
        make_account("ben"),
        make_account("cy"),
    )
    account_services.follow(me, ana)
    account_services.follow(me, ben)
    imported(me, "following", f"{handle(cy)}\n", mode="merge")
    assert set(Follow.objects.filter(account=me).values_list("target__username", flat=True)) == {
        "ana",
        "ben",
        "cy",
    }
    imported(me, "following", f"{handle(ben)}\n{handle(cy)}\n", mode="overwrite")
    assert set(Follow.objects.filter(account=me).values_list("target__username", flat=True)) == {
        "ben",
        "cy",
    }
    account_services.mute(me, ana)
    imported(me, "mutes", f"Account address,Hide notifications\n{handle(cy)},false\n", "overwrite")
    assert [(m.target.username, m.hide_notifications) for m in Mute.objects.filter(account=me)] == [
        ("cy", False)
    ]


def test_lists_follow_their_members_and_wait_for_an_approval() -> None:
    me, ana, locked = make_account("me"), make_account("ana"), make_account("locked")
    account_services.update_profile(locked, locked=True)
    timeline_services.create_list(me, "Old")
    item = imported(me, "lists", f"Veille,{handle(ana)}\nVeille,{handle(locked)}\n")
    assert item.state == "running"
    assert item.waiting == [[2, ["Veille", handle(locked)]]]
    veille = List.objects.get(owner=me, title="Veille")
    assert [m.username for m in veille.members.all()] == ["ana"]
    account_services.accept_follow_request(locked, me)
    with freeze_time(timezone.now() + timedelta(seconds=services.WAIT_RETRY_SECONDS + 1)):
        assert run_due_tasks() == 1
    item.refresh_from_db()
    assert (item.state, item.failed) == ("done", 0)
    assert {m.username for m in veille.members.all()} == {"ana", "locked"}
    imported(me, "lists", f"Veille,{handle(ana)}\n", mode="overwrite")
    assert list(List.objects.filter(owner=me).values_list("title", flat=True)) == ["Veille"]
    assert [m.username for m in veille.members.all()] == ["ana"]


def test_a_follow_never_accepted_ends_in_the_report() -> None:
    me, locked = make_account("me"), make_account("locked")
    account_services.update_profile(locked, locked=True)
    item = imported(me, "lists", f"Veille,{handle(locked)}\n")
    now = timezone.now()
    for attempt in range(services.WAIT_MAX_ATTEMPTS + 1):
        with freeze_time(
            now + timedelta(seconds=(attempt + 1) * (services.WAIT_RETRY_SECONDS + 1))
        ):
            run_due_tasks()
    item.refresh_from_db()
    assert (item.state, item.failed) == ("done", 1)
    assert "not accepted" in item.errors[0]["reason"]


def test_blocks_domain_blocks_and_bookmarks_round_trip() -> None:
    me, ana, ben = make_account("me"), make_account("ana"), make_account("ben")
    post = status_services.post_status(ana, "Bonjour")
    hidden = status_services.post_status(ana, "Abonnés seulement", visibility="private")
    account_services.block(me, ben)
    text = "\n".join(["blocked.example", "other.example"])
    imported(me, "domain_blocks", text)
    status_services.bookmark(me, post)
    exported = {kind: csv_of(me, kind) for kind in ("blocks", "domain_blocks", "bookmarks")}
    assert exported["blocks"].decode() == f"{handle(ben)}\n"
    assert exported["bookmarks"].decode() == f"{post.uri}\n"

    fresh = make_account("fresh")
    for kind, data in exported.items():
        services.start_import(fresh, kind, "merge", data)
    assert list(Block.objects.filter(account=fresh).values_list("target__username", flat=True)) == [
        "ben"
    ]
    assert set(
        AccountDomainBlock.objects.filter(account=fresh).values_list("domain", flat=True)
    ) == {
        "blocked.example",
        "other.example",
    }
    assert list(Bookmark.objects.filter(account=fresh).values_list("status_id", flat=True)) == [
        post.pk
    ]
    item = imported(fresh, "bookmarks", f"{hidden.uri}\nnot-a-url\n")
    assert item.failed == 2
    assert not Bookmark.objects.filter(account=fresh, status=hidden).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Choose a file"),
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"Account address,Show boosts\n", "no rows"),
    ],
)
def test_unreadable_files_are_refused_at_once(data: bytes, message: str) -> None:
    from django.core.exceptions import ValidationError

    me = make_account("me")
    with pytest.raises(ValidationError, match=message):
        services.start_import(me, "following", "merge", data)
    assert not Import.objects.exists()


def _archive_zip(author_uri: str) -> bytes:
    public = "https://www.w3.org/ns/activitystreams#Public"
    followers = f"{author_uri}/followers"
    notes = [
        {
            "id": f"{author_uri}/statuses/1",
            "type": "Note",
            "published": "2019-03-01T10:00:00Z",
            "to": [public],
            "cc": [followers],
            "content": "<p>Ma première #lecture</p>",
            "contentMap": {"fr": "<p>Ma première #lecture</p>"},
            "tag": [{"type": "Hashtag", "name": "#lecture"}],
            "attachment": [
                {
                    "type": "Document",
                    "url": "/media_attachments/files/000/000/001/original/a.png",
                    "name": "Une pile de livres",
                }
            ],
        },
        {
            "id": f"{author_uri}/statuses/2",
            "type": "Note",
            "published": "2019-03-02T10:00:00Z",
            "inReplyTo": f"{author_uri}/statuses/1",
            "to": [followers],
            "cc": [],
            "summary": "Spoiler",
            "content": "<p>La suite</p>",
        },
        {
            "id": f"{author_uri}/statuses/3",
            "type": "Note",
            "published": "2019-03-03T10:00:00Z",
            "to": ["https://elsewhere.example/users/x"],
            "content": "<p>Privé</p>",
        },
    ]
    items = [{"type": "Create", "object": note, "published": note["published"]} for note in notes]
    items.append({"type": "Announce", "object": "https://elsewhere.example/s/1"})
    outbox = {"type": "OrderedCollection", "orderedItems": items}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("outbox.json", json.dumps(outbox))
        archive.writestr(
            "media_attachments/files/000/000/001/original/a.png", image_bytes().getvalue()
        )
    return buffer.getvalue()


def test_mastodon_archive_posts_keep_their_dates_and_are_not_federated() -> None:
    me = make_account("me")
    reader = make_account("reader")
    account_services.follow(reader, me)
    remote = Account.objects.create(
        username="friend",
        domain="remote.example",
        uri="https://remote.example/users/friend",
        inbox_url="https://remote.example/users/friend/inbox",
    )
    Follow.objects.create(account=remote, target=me)
    deliveries = Delivery.objects.count()
    notifications = Notification.objects.count()

    item = services.start_import(
        me, "archive", "merge", _archive_zip("https://old.example/users/me")
    )
    item.refresh_from_db()
    assert (item.state, item.total, item.processed, item.failed) == ("done", 3, 3, 1)
    assert "Direct messages" in item.errors[0]["reason"]
    assert not item.upload

    first, second = Status.objects.filter(account=me).order_by("id")
    assert first.created_at.isoformat() == "2019-03-01T10:00:00+00:00"
    assert (first.visibility, first.language) == ("public", "fr")
    assert [t.name for t in first.tags.all()] == ["lecture"]
    [media] = first.media.all()
    assert media.description == "Une pile de livres"
    assert (second.visibility, second.spoiler_text, second.in_reply_to_id) == (
        "private",
        "Spoiler",
        first.pk,
    )
    # Old news: nothing delivered, nobody notified, no follower's home feed touched.
    assert Delivery.objects.count() == deliveries
    assert Notification.objects.count() == notifications
    assert not HomeFeedEntry.objects.filter(owner=reader).exists()
    me.refresh_from_db()
    assert me.statuses_count == 2


def test_a_zip_without_outbox_is_refused() -> None:
    from django.core.exceptions import ValidationError

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "nothing")
    with pytest.raises(ValidationError, match=r"outbox\.json"):
        services.start_import(make_account("me"), "archive", "merge", buffer.getvalue())
    with pytest.raises(ValidationError, match="not a zip"):
        services.start_import(make_account("other"), "archive", "merge", b"PK no zip")


def test_account_archive_content_and_expiry() -> None:
    me, ana = make_account("me"), make_account("ana")
    media = status_services.upload_media(me, image_bytes(), "Affiche")
    mine = status_services.post_status(me, "Avec image #expo", media_ids=[media.pk])
    status_services.post_status(me, "Pour les abonnés", visibility="private")
    theirs = status_services.post_status(ana, "À lire")
    status_services.favourite(me, theirs)
    status_services.bookmark(me, theirs)
    status_services.reblog(me, theirs)

    archive = services.request_archive(me)
    archive.refresh_from_db()
    assert archive.state == JobState.DONE
    assert (archive.processed, archive.total) == (3, 3)
    assert archive.expires_at - archive.finished_at == timedelta(days=7)
    with archive.file.open("rb") as handle_, zipfile.ZipFile(handle_) as content:
        names = set(content.namelist())
        actor = json.loads(content.read("actor.json"))
        outbox = json.loads(content.read("outbox.json"))
        likes = json.loads(content.read("likes.json"))
        bookmarks = json.loads(content.read("bookmarks.json"))
        path = account_archive.media_path(media)
        assert path in names
        assert content.read(path) == media.file.open("rb").read()
    assert actor["preferredUsername"] == "me"
    assert outbox["totalItems"] == 3
    assert [i["type"] for i in outbox["orderedItems"]] == ["Create", "Create", "Announce"]
    note = outbox["orderedItems"][0]["object"]
    assert note["id"] == mine.uri
    assert note["attachment"][0]["url"] == f"/{path}"
    assert note["attachment"][0]["name"] == "Affiche"
    assert likes["orderedItems"] == [theirs.uri]
    assert bookmarks["orderedItems"] == [theirs.uri]

    # The archive is served to its owner only, for seven days.
    assert services.get_archive(me, archive.pk) == archive
    from babillard.core.errors import NotFound

    with pytest.raises(NotFound):
        services.get_archive(ana, archive.pk)
    stored = archive.file.path
    assert services.purge_archives(timezone.now() + timedelta(days=6)) == 0
    assert services.purge_archives(timezone.now() + timedelta(days=8)) == 1
    assert not Archive.objects.exists()
    import os

    assert not os.path.exists(stored)


def test_deleting_an_account_deletes_its_archive_file() -> None:
    import os

    me = make_account("me")
    archive = services.request_archive(me)
    archive.refresh_from_db()
    stored = archive.file.path
    assert os.path.exists(stored)
    assert me.user is not None
    account_services.delete_user(me.user)
    assert not Archive.objects.exists()
    assert not os.path.exists(stored)


def test_one_archive_at_a_time() -> None:
    from django.core.exceptions import ValidationError

    me = make_account("me")
    Archive.objects.create(account=me)
    with pytest.raises(ValidationError, match="already being prepared"):
        services.request_archive(me)


def test_choices_of_a_follow_are_kept_until_it_is_accepted() -> None:
    me, locked = make_account("me"), make_account("locked")
    account_services.update_profile(locked, locked=True)
    imported(me, "following", f"{handle(locked)},false,true\n")
    assert not Follow.objects.filter(account=me).exists()
    # A list row naming the same account waits for the same request, choices unchanged.
    imported(me, "lists", f"Veille,{handle(locked)}\n")
    account_services.accept_follow_request(locked, me)
    follow = Follow.objects.get(account=me, target=locked)
    assert (follow.show_reblogs, follow.notify) == (False, True)
