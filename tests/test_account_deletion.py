"""Deleting an account from its settings page removes everything personal, in every app.

The check does not list the tables: it walks every foreign key of every model to the
account or the user, so a table added later that the deletion forgets fails here.
"""

import os
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.utils import timezone

from babillard.accounts import services as accounts
from babillard.accounts.models import Account, AddressUse, User
from babillard.api import oauth
from babillard.boards import services as boards
from babillard.core.testing import PASSWORD, image_bytes, make_account
from babillard.events import services as events
from babillard.events.models import Event, ParticipationState
from babillard.groups import services as groups
from babillard.portability import services as portability
from babillard.reactions import services as reactions
from babillard.statuses import services as statuses
from babillard.statuses.models import Status
from babillard.timelines import services as timelines
from babillard.watch import services as watch

pytestmark = pytest.mark.django_db


def _event_fields(**changes: object) -> dict[str, object]:
    start = timezone.now() + timedelta(days=3)
    return {
        "title": "Atelier reliure",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "timezone": "Europe/Paris",
        "registration": "babillard",
        **changes,
    }


def _rows_pointing_at(account_id: int, user_id: int) -> dict[str, int]:
    """Rows of any model whose foreign key or many-to-many link names the account or user."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if not isinstance(field, models.ForeignKey) or field.related_model not in (
                Account,
                User,
            ):
                continue
            target_id = account_id if field.related_model is Account else user_id
            count = model._default_manager.filter(**{field.attname: target_id}).count()
            if count:
                found[f"{model._meta.label}.{field.name}"] = count
    return found


def test_deleting_an_account_leaves_nothing_personal_behind() -> None:
    alice, bob, carol = make_account("alice"), make_account("bob"), make_account("carol")
    accounts.update_profile(alice, avatar=image_bytes(), header=image_bytes())
    accounts.follow(alice, bob)
    accounts.follow(bob, alice)

    own_media = statuses.upload_media(alice, image_bytes(), "une reliure")
    statuses.post_status(alice, "Mon atelier", media_ids=[own_media.pk])
    loose_media = statuses.upload_media(alice, image_bytes(), "jamais publiée")
    bob_post = statuses.post_status(bob, "Un fonds ancien numérisé")
    statuses.reblog(alice, bob_post)
    statuses.favourite(alice, bob_post)
    statuses.bookmark(alice, bob_post)
    reactions.react(alice, bob_post, "👍")
    reading = timelines.create_list(alice, "Collègues")
    timelines.add_to_list(alice, reading, [bob])
    watch.create_antenna(alice, title="Fonds", keywords=["fonds"])
    archive = portability.request_archive(alice)
    archive.refresh_from_db()

    club = groups.create_group(bob, "reliure", display_name="Reliure")
    groups.join(alice, club)
    bobs_event = events.create_event(bob, **_event_fields(capacity=1))
    events.join_event(alice, bobs_event)
    events.join_event(carol, bobs_event)
    cover = SimpleUploadedFile("cover.png", image_bytes().getvalue(), "image/png")
    own_event = events.create_event(alice, cover=cover, **_event_fields())
    board = boards.create_board(alice, "Veille patrimoine")

    app = oauth.register_app("Client", [oauth.OOB], oauth.parse_scopes("read write"), "")
    oauth.issue_token(alice.user, app.application, ["read"])
    browser = Client(REMOTE_ADDR="203.0.113.8")
    assert browser.login(username="alice", password=PASSWORD)
    assert browser.get("/home").status_code == 200
    other_browser = Client()
    assert other_browser.login(username="alice", password=PASSWORD)
    user = alice.user
    assert AddressUse.objects.filter(user=user).exists()
    files = [
        alice.avatar.path,
        alice.header.path,
        own_media.file.path,
        loose_media.file.path,
        loose_media.thumbnail.path,
        archive.file.path,
        own_event.cover.path,
    ]
    assert all(os.path.exists(path) for path in files)
    board_actor = board.account
    bob_post.refresh_from_db()
    assert (bob_post.reblogs_count, bob_post.favourites_count) == (1, 1)

    response = browser.post("/settings/account", {"action": "delete", "password": PASSWORD})
    assert response.status_code == 302

    assert not User.objects.filter(pk=user.pk).exists()
    assert _rows_pointing_at(alice.pk, user.pk) == {}
    assert [path for path in files if os.path.exists(path)] == []
    assert not Session.objects.exists()
    assert other_browser.get("/home").status_code == 302
    assert not Account.objects.filter(pk=board_actor.pk).exists()
    assert not Event.objects.filter(pk=own_event.pk).exists()
    bob_post.refresh_from_db()
    assert (bob_post.reblogs_count, bob_post.favourites_count) == (0, 0)
    bobs_event.refresh_from_db()
    assert bobs_event.participants_count == 1
    assert bobs_event.participations.get().account == carol
    assert bobs_event.participations.get().state == ParticipationState.PARTICIPANT
    bob.refresh_from_db()
    assert (bob.followers_count, bob.following_count) == (0, 1)  # the group he created
    assert not Status.objects.filter(text__contains="Mon atelier").exists()


def test_a_moderator_rejecting_a_sign_up_deletes_it_the_same_way(settings) -> None:
    from babillard.moderation.services import reject_sign_up

    settings.REGISTRATION_MODE = "approval"
    user = accounts.sign_up("dan", "dan@example.org", PASSWORD, reason="Lecteur", ip="192.0.2.3")
    account_id, user_id = user.account.pk, user.pk
    moderator = make_account("modo", moderator=True)
    reject_sign_up(moderator, user)
    assert not User.objects.filter(pk=user_id).exists()
    assert _rows_pointing_at(account_id, user_id) == {}
