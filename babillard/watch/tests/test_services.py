"""Antennas on arrival and at creation, their actions, outside feeds and OPML."""

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from babillard.accounts.services import block, follow
from babillard.core.testing import make_account
from babillard.notifications.models import Notification
from babillard.statuses.services import post_status
from babillard.timelines.services import add_to_list, create_list
from babillard.watch import queries, services
from babillard.watch.models import AntennaHit, PendingMatch, Source, SourceItem
from babillard.watch.tasks import match_arrivals
from babillard.watch.tests.conftest import FeedServer, rss

pytestmark = pytest.mark.django_db


def caught(antenna: Any) -> list[str]:
    return [s.text for s in queries.antenna_statuses(antenna.owner, antenna).items]


def test_antenna_catches_local_posts_on_arrival() -> None:
    owner, author = make_account("veilleuse"), make_account("auteur")
    antenna = services.create_antenna(
        owner,
        title="Cairn",
        keywords=["cairn", "Bibliothèque numérique"],
        exclude_keywords=["offre d'emploi"],
    )
    post_status(author, "CAIRN est en maintenance ce soir")
    post_status(author, "La BIBLIOTHEQUE NUMERIQUE s'agrandit")
    post_status(author, "Les Cairnois au salon")
    post_status(author, "Cairn : offre d'emploi de documentaliste")
    assert caught(antenna) == [
        "La BIBLIOTHEQUE NUMERIQUE s'agrandit",
        "CAIRN est en maintenance ce soir",
    ]


def test_antenna_respects_visibility_blocks_and_rules() -> None:
    owner, friend, stranger = make_account("o"), make_account("f"), make_account("s")
    antenna = services.create_antenna(
        owner, title="Fonds", keywords=["fonds ancien"], exclude_replies=True, languages=["fr"]
    )
    post_status(stranger, "fonds ancien réservé", visibility="private")
    first = post_status(friend, "Le fonds ancien est numérisé", language="fr")
    post_status(friend, "fonds ancien in English", language="en")
    post_status(stranger, "fonds ancien : réponse", in_reply_to=first, language="fr")
    block(owner, stranger)
    post_status(stranger, "Fonds ancien bloqué", language="fr")
    assert caught(antenna) == ["Le fonds ancien est numérisé"]


def test_authors_and_lists_antennas() -> None:
    owner, a, b = make_account("o"), make_account("a"), make_account("b")
    readers = create_list(owner, "Collègues")
    follow(owner, b)
    add_to_list(owner, readers, [b])
    by_author = services.create_antenna(owner, title="A", account_ids=[a.pk])
    by_list = services.create_antenna(owner, title="L", list_ids=[readers.pk], keywords=["prêt"])
    post_status(a, "Bonjour")
    post_status(b, "Le prêt entre bibliothèques")
    post_status(b, "Autre chose")
    assert caught(by_author) == ["Bonjour"]
    assert caught(by_list) == ["Le prêt entre bibliothèques"]


def test_creation_fills_back_from_search_over_thirty_days() -> None:
    owner, author = make_account("o"), make_account("a")
    post_status(author, "Journée d'étude sur les Bibliothèques")
    old = post_status(author, "Ancienne journée d'étude")
    old.created_at = timezone.now() - timedelta(days=40)
    old.save(update_fields=["created_at"])
    post_status(author, "Rien à voir")
    antenna = services.create_antenna(owner, title="JE", keywords=["journée d'étude"])
    assert caught(antenna) == ["Journée d'étude sur les Bibliothèques"]


def test_actions_notify_email_and_signal() -> None:
    owner, author = make_account("o"), make_account("a")
    received: list[Any] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    services.antenna_matched.connect(listener)
    try:
        antenna = services.create_antenna(
            owner, title="Open", keywords=["open access"], notify=True, email="immediate"
        )
        status = post_status(author, "Semaine de l'Open Access")
    finally:
        services.antenna_matched.disconnect(listener)
    assert Notification.objects.filter(recipient=owner, status=status, type="status").exists()
    assert len(mail.outbox) == 1 and "Open Access" in mail.outbox[0].body
    assert mail.outbox[0].to == [owner.user.email]
    assert received == [
        {"antenna": antenna, "status": status, "item": None, "signal": received[0]["signal"]}
    ]


def test_daily_summary_mails_new_hits_once() -> None:
    owner, author = make_account("o"), make_account("a")
    services.create_antenna(owner, title="Daily", keywords=["catalogue"], email="daily")
    post_status(author, "Nouveau catalogue en ligne")
    post_status(author, "Le catalogue est lent")
    assert services.send_daily_summaries() == 1
    assert "Nouveau catalogue" in mail.outbox[0].body and "est lent" in mail.outbox[0].body
    assert services.send_daily_summaries() == 0


@pytest.mark.parametrize(
    "pattern",
    ["(a+)+$", r"(\w*)*x", "(x{2,})+y", r"(a)\1", "(", "a" * 201, "(a|aa)+$"],
)
def test_dangerous_or_broken_regexes_are_refused(pattern: str) -> None:
    with pytest.raises(ValidationError):
        services.check_regex(pattern)


def test_regex_antenna_matches_case_insensitively() -> None:
    owner, author = make_account("o"), make_account("a")
    antenna = services.create_antenna(owner, title="ISBN", regex=r"\b97[89][0-9]{10}\b")
    post_status(author, "Lisez 9782070368228 cet été")
    post_status(author, "Numéro 12345")
    assert caught(antenna) == ["Lisez 9782070368228 cet été"]


def test_an_antenna_needs_something_to_listen_to() -> None:
    with pytest.raises(ValidationError):
        services.create_antenna(make_account("o"), title="Vide", languages=["fr"])
    with pytest.raises(ValidationError):
        services.create_antenna(make_account("p"), title="", keywords=["x"])
    with pytest.raises(ValidationError):
        services.create_antenna(make_account("q"), title="t", account_ids=[987654])


def test_outside_feed_polled_conditionally_feeds_an_antenna(feed_server: FeedServer) -> None:
    owner = make_account("o")
    antenna = services.create_antenna(owner, title="Cairn", keywords=["cairn"])
    url = feed_server.serve(
        "/feed.xml",
        rss(
            ("1", "Cairn ouvre ses archives", "Des revues en accès libre"),
            ("2", "Journée portes ouvertes", "À la BU"),
        ),
    )
    source = services.follow_source(owner, url)
    assert feed_server.answers("/feed.xml") == [200]
    source.refresh_from_db()
    assert source.title == "Veille BIB" and source.kind == "rss" and source.etag
    assert SourceItem.objects.filter(source=source).count() == 2
    hits = queries.antenna_entries(owner, antenna).entries
    assert [e.item.title for e in hits] == ["Cairn ouvre ses archives"]
    assert services.poll_source(source.pk) == 0  # not due yet: nothing asked
    assert services.poll_source(source.pk, force=True) == 0
    assert feed_server.answers("/feed.xml") == [200, 304]
    assert feed_server.requests[-1]["if_none_match"] == source.etag
    assert feed_server.requests[-1]["if_modified_since"]


def test_feed_errors_back_off(feed_server: FeedServer) -> None:
    source = services.follow_source(make_account("o"), feed_server.base + "/missing.xml")
    source.refresh_from_db()
    assert source.errors == 1 and "404" in source.last_error
    first_delay = source.next_poll_at - source.polled_at
    services.poll_source(source.pk, force=True)
    source.refresh_from_db()
    assert source.errors == 2 and source.next_poll_at - source.polled_at == first_delay * 2


def test_json_feed_is_read(feed_server: FeedServer) -> None:
    owner = make_account("o")
    document = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "JSON veille",'
        b' "items": [{"id": "a", "url": "https://x.example/a", "title": "Premier",'
        b' "content_text": "Texte", "date_published": "2026-11-20T10:00:00Z"}]}'
    )
    source = services.follow_source(
        owner, feed_server.serve("/feed.json", document, "application/feed+json")
    )
    source.refresh_from_db()
    assert source.kind == "json" and source.title == "JSON veille"
    assert [i.title for i in source.items.all()] == ["Premier"]


def test_private_addresses_are_refused_without_the_testing_switch(settings: Any) -> None:
    settings.ALLOW_PRIVATE_ADDRESSES = False
    settings.INSECURE_FEDERATION = False
    with pytest.raises(ValidationError):
        services.follow_source(make_account("o"), "https://127.0.0.1/feed.xml")


def test_opml_round_trip_keeps_every_source(feed_server: FeedServer) -> None:
    owner, other = make_account("o"), make_account("p")
    urls = [feed_server.serve(f"/f{i}.xml", rss((str(i), f"T{i}", "s"))) for i in range(3)]
    for url in urls:
        services.follow_source(owner, url)
    exported = services.export_opml(owner)
    report = services.import_opml(other, exported, "merge")
    assert (report.imported, report.failed) == (3, [])
    assert sorted(s.url for s in queries.sources(other)) == sorted(urls)
    again = services.export_opml(other)
    assert again.count(b"<outline") == 3 and all(u.encode() in again for u in urls)


def test_opml_overwrite_and_bad_files(feed_server: FeedServer) -> None:
    owner = make_account("o")
    kept = feed_server.serve("/kept.xml", rss(("1", "a", "b")))
    dropped = services.follow_source(owner, feed_server.serve("/old.xml", rss(("2", "c", "d"))))
    opml = (
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        f'<outline text="Kept" xmlUrl="{kept}"/><outline text="Bad" xmlUrl="ftp://x"/>'
        "</body></opml>"
    ).encode()
    report = services.import_opml(owner, opml, "overwrite")
    assert report.imported == 1 and report.removed == 1 and report.failed[0][0] == "ftp://x"
    assert [s.url for s in queries.sources(owner)] == [kept]
    assert not Source.objects.filter(pk=dropped.pk).exists()
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><opml>&a;</opml>'
    with pytest.raises(ValidationError):
        services.import_opml(owner, bomb, "merge")
    with pytest.raises(ValidationError):
        services.import_opml(owner, b"not xml", "merge")


def test_deleting_an_antenna_removes_its_hits_and_column() -> None:
    owner, author = make_account("o"), make_account("a")
    antenna = services.create_antenna(owner, title="X", keywords=["patrimoine"])
    column = services.add_column(owner, "antenna", {"antenna_id": antenna.pk})
    post_status(author, "Journées du patrimoine")
    assert AntennaHit.objects.filter(antenna=antenna).count() == 1
    services.delete_antenna(owner, antenna)
    assert not AntennaHit.objects.exists()
    assert not queries.columns(owner) and column.pk


def test_posts_stored_together_are_matched_in_one_batch() -> None:
    owner, author = make_account("o"), make_account("a")
    antenna = services.create_antenna(owner, title="Prêt", keywords=["prêt"], notify=True)
    with transaction.atomic():
        for text in ["Le prêt entre bibliothèques", "Rien à voir", "Prêt de liseuses"]:
            post_status(author, text)
        assert PendingMatch.objects.count() == 3
    assert not PendingMatch.objects.exists()
    assert caught(antenna) == ["Prêt de liseuses", "Le prêt entre bibliothèques"]
    assert Notification.objects.filter(recipient=owner, type="status").count() == 2


def test_matching_again_writes_no_hit_and_runs_no_action_twice() -> None:
    owner, author = make_account("o"), make_account("a")
    antenna = services.create_antenna(owner, title="Open", keywords=["open"], notify=True)
    status = post_status(author, "Open access")
    assert services.match_statuses([status.pk]) == {status.pk: [antenna.pk]}
    assert AntennaHit.objects.filter(antenna=antenna).count() == 1
    assert Notification.objects.filter(recipient=owner, type="status").count() == 1


def test_an_edited_antenna_matches_by_its_new_rules() -> None:
    owner, author = make_account("o"), make_account("a")
    antenna = services.create_antenna(owner, title="Veille", keywords=["cairn"])
    post_status(author, "Cairn en maintenance")
    services.update_antenna(owner, antenna, keywords=["persée"])
    post_status(author, "Persée a un nouveau site")
    post_status(author, "Cairn revient")
    assert caught(antenna) == ["Persée a un nouveau site", "Cairn en maintenance"]


def test_a_task_waiting_in_the_database_queue_takes_the_posts_that_follow(settings: Any) -> None:
    owner, author = make_account("o"), make_account("a")
    antenna = services.create_antenna(owner, title="Prêt", keywords=["prêt"])
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
    for text in ["Prêt numérique", "Le prêt de jeux", "Autre chose"]:
        post_status(author, text)
    waiting = DBTaskResult.objects.ready().filter(task_path=match_arrivals.module_path)
    assert waiting.count() == 1
    assert services.match_arrivals() == 3
    assert caught(antenna) == ["Le prêt de jeux", "Prêt numérique"]
