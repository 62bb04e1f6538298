"""Putting emoji on posts: what one emoji is, who may react, notifications and limits."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from babillard.accounts.models import Account
from babillard.accounts.services import block
from babillard.core.errors import NotFound
from babillard.core.testing import make_account
from babillard.notifications.models import Notification
from babillard.reactions import queries, services
from babillard.reactions.emoji import is_unicode_emoji, shortcode
from babillard.reactions.models import Reaction
from babillard.statuses.services import post_status, reblog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ["👍", "👍🏽", "❤️", "👩‍👩‍👧", "🇫🇷", "1️⃣", "🏴‍☠️", "📚"])
def test_one_unicode_emoji(text):
    assert is_unicode_emoji(text)


@pytest.mark.parametrize("text", ["", "a", "bravo", "👍👍", "1", "👍 ", ":ok:", "<b>", "€"])
def test_not_one_unicode_emoji(text):
    assert not is_unicode_emoji(text)


def test_shortcodes():
    assert shortcode(":blobcat:") == shortcode("blobcat") == ":blobcat:"
    assert shortcode(":blobcat@misskey.example:") == ":blobcat:"
    assert shortcode("blob cat") == shortcode("📚") == ""


def test_react_counts_notifies_and_is_idempotent():
    alice, bruno, chloe = make_account("alice"), make_account("bruno"), make_account("chloe")
    status = post_status(alice, "Nouveaux mangas")
    services.react(bruno, status, "📚")
    services.react(bruno, status, "📚")
    services.react(chloe, status, "📚")
    services.react(chloe, status, "🎉")
    rows = queries.summaries(chloe, [status])[status.pk]
    assert [(r.name, r.count, r.me) for r in rows] == [("📚", 2, True), ("🎉", 1, True)]
    assert [(r.name, r.me) for r in queries.summaries(bruno, [status])[status.pk]] == [
        ("📚", True),
        ("🎉", False),
    ]
    assert Notification.objects.filter(recipient=alice, type="reaction").count() == 2
    services.unreact(chloe, status, "🎉")
    services.unreact(chloe, status, "🎉")
    assert [r.name for r in queries.summaries(None, [status])[status.pk]] == ["📚"]


def test_a_boost_is_reacted_to_through_its_original():
    alice, bruno = make_account("alice"), make_account("bruno")
    status = post_status(alice, "Expo photo")
    boost = reblog(bruno, status)
    reaction = services.react(bruno, boost, "👏")
    assert reaction.status_id == status.pk


def test_bad_emoji_and_limit_are_refused_with_a_sentence():
    alice, bruno = make_account("alice"), make_account("bruno")
    status = post_status(alice, "Atelier code")
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        services.react(bruno, status, "bravo")
    assert refused.value.messages == ["A reaction is a single emoji."]
    for emoji in ["👍", "❤️", "😂", "🎉", "🤔", "📚", "👏", "🙏"]:
        services.react(bruno, status, emoji)
    with pytest.raises(ValidationError):
        services.react(bruno, status, "🔥")
    assert Reaction.objects.filter(account=bruno).count() == services.MAX_PER_ACCOUNT


def test_no_reaction_to_a_post_one_cannot_see():
    alice, bruno = make_account("alice"), make_account("bruno")
    hidden = post_status(alice, "Pour mes abonnés", visibility="private")
    with pytest.raises(NotFound):
        services.react(bruno, hidden, "👍")
    shown = post_status(alice, "Pour tous")
    block(alice, bruno)
    with pytest.raises(NotFound):
        services.react(bruno, shown, "👍")
    assert not Reaction.objects.exists()


def test_a_local_account_may_join_a_custom_emoji_already_there():
    alice, bruno = make_account("alice"), make_account("bruno")
    mika = Account.objects.create(
        username="mika", domain="misskey.example", uri="https://misskey.example/users/mika"
    )
    status = post_status(alice, "Soirée jeux")
    services.react(mika, status, ":blobcat:", image_url="https://misskey.example/blobcat.png")
    joined = services.react(bruno, status, ":blobcat:")
    assert joined.image_url == "https://misskey.example/blobcat.png"
    with pytest.raises(ValidationError):
        services.react(bruno, status, ":unknown:")
