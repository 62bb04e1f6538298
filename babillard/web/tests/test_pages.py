"""Every page renders, in French and in English, for the people allowed to see it."""

import pytest
from django.test import Client

from babillard.accounts.models import Account
from babillard.accounts.services import follow
from babillard.core.testing import make_account
from babillard.statuses.services import PollSpec, post_status
from babillard.web.tests.conftest import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(alice: Account, bob: Account) -> dict[str, object]:
    follow(bob, alice)
    post = post_status(alice, "Bonjour la #veille, voir https://example.org et @bob")
    reply = post_status(bob, "@alice merci !", in_reply_to=post)
    poll = post_status(
        alice, "Quel SIGB ?", poll=PollSpec(options=["Koha", "PMB"], expires_in=3600)
    )
    return {"post": post, "reply": reply, "poll": poll}


MEMBER_PAGES = [
    "/home",
    "/public/local",
    "/tags/veille",
    "/@alice",
    "/@alice/with_replies",
    "/@alice/media",
    "/@alice/followers",
    "/@alice/following",
    "/compose",
    "/search?q=veille",
    "/notifications",
    "/notifications?type=mention",
    "/bookmarks",
    "/favourites",
    "/lists",
    "/scheduled",
    "/settings/profile",
    "/settings/account",
    "/settings/preferences",
    "/settings/mutes",
    "/settings/blocks",
    "/settings/invites",
    "/follow_requests",
    "/about",
]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_member_pages_render_in_both_languages(
    world: dict[str, object], alice: Account, language: str
) -> None:
    client = logged_in(alice, language)
    alice.user.locale = ""
    post = world["post"]
    pages = [*MEMBER_PAGES, f"/@alice/{post.pk}", f"/@alice/{post.pk}/edit"]  # type: ignore[attr-defined]
    pages += [f"/@alice/{post.pk}/history", "/@bob"]  # type: ignore[attr-defined]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode(), url


def test_pages_speak_french_by_default_and_english_when_asked(world: dict[str, object]) -> None:
    french = Client().get("/public/local").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/public/local").content.decode()
    assert "Fil local" in french
    assert "Local timeline" in english


def test_user_language_setting_wins_over_the_browser(alice: Account) -> None:
    alice.user.locale = "en"
    alice.user.save()
    client = logged_in(alice, "fr")
    assert '<html lang="en">' in client.get("/home").content.decode()


def test_visitor_switches_language_with_the_switcher() -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/about"})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get("/about").content.decode()


def test_layout_is_accessible(world: dict[str, object], alice_client: Client) -> None:
    html = alice_client.get("/home").content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert 'id="main"' in html
    assert "<script>" not in html and "style=" not in html
    assert "htmx.min.js" in html and "babillard.js" in html
    # every field of the composer has a label
    for field in ("id_text", "id_spoiler_text", "id_visibility", "id_language", "id_alt_1"):
        assert f'for="{field}"' in html


PUBLIC_PAGES = ["/", "/about", "/public/local", "/tags/veille", "/@alice", "/search?q=veille"]


def test_visitors_read_public_pages(world: dict[str, object], client: Client) -> None:
    post = world["post"]
    for url in [*PUBLIC_PAGES, f"/@alice/{post.pk}", "/@alice/followers"]:  # type: ignore[attr-defined]
        assert client.get(url).status_code == 200, url
    assert "Bonjour la" in client.get(f"/@alice/{post.pk}").content.decode()  # type: ignore[attr-defined]


def test_visitors_are_sent_to_log_in_for_member_pages(client: Client) -> None:
    for url in ["/home", "/notifications", "/settings/profile", "/compose", "/lists"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/auth/login?next=")


def test_private_instance_hides_everything_from_visitors(
    world: dict[str, object], client: Client, alice_client: Client, settings: object
) -> None:
    settings.PRIVATE_INSTANCE = True  # type: ignore[attr-defined]
    post = world["post"]
    for url in ["/public/local", "/tags/veille", "/@alice", f"/@alice/{post.pk}", "/search?q=a"]:  # type: ignore[attr-defined]
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/auth/login")
        assert alice_client.get(url).status_code == 200
    assert client.get("/@alice.rss").status_code == 404
    assert client.get("/tags/veille.atom").status_code == 404


def test_unknown_things_answer_404(world: dict[str, object], alice_client: Client) -> None:
    post = world["post"]
    for url in [
        "/@nobody",
        "/@alice/123456789",
        f"/@bob/{post.pk}",  # type: ignore[attr-defined]
        "/@alice/99999999999999999999999",
        "/lists/999",
        "/@someone@elsewhere.example",
        "/@alice/tab",
    ]:
        response = alice_client.get(url)
        assert response.status_code == 404, url


def test_private_posts_are_hidden_from_strangers(alice: Account, client: Client) -> None:
    secret = post_status(alice, "Réservé aux abonnés", visibility="private")
    stranger = logged_in(make_account("carol"))
    assert client.get(f"/@alice/{secret.pk}").status_code == 404
    assert stranger.get(f"/@alice/{secret.pk}").status_code == 404
    assert "Réservé" not in client.get("/@alice").content.decode()


def test_thread_shows_ancestors_and_descendants(
    world: dict[str, object], alice_client: Client
) -> None:
    reply = world["reply"]
    html = alice_client.get(f"/@bob/{reply.pk}").content.decode()  # type: ignore[attr-defined]
    assert "Bonjour la" in html and "merci" in html
    html = alice_client.get(f"/@alice/{world['post'].pk}").content.decode()  # type: ignore[attr-defined]
    assert html.index("Bonjour la") < html.index("merci")


def test_hide_collections_hides_follower_lists(alice: Account, client: Client) -> None:
    alice.hide_collections = True
    alice.save()
    assert client.get("/@alice/followers").status_code == 404
    assert client.get("/@alice/following").status_code == 404
    assert logged_in(alice).get("/@alice/followers").status_code == 200


def test_follower_list_shows_followers(world: dict[str, object], client: Client) -> None:
    html = client.get("/@alice/followers").content.decode()
    assert "@bob" in html


def test_remote_account_page(client: Client) -> None:
    Account.objects.create(username="zoe", domain="example.net", display_name="Zoé distante")
    response = client.get("/@zoe@example.net")
    assert response.status_code == 200
    assert "Zoé distante" in response.content.decode()


def test_profile_tabs(alice: Account, client: Client) -> None:
    from babillard.core.testing import image_bytes
    from babillard.statuses.services import upload_media

    media = upload_media(alice, image_bytes(), "Une étagère")
    post_status(alice, "Avec image", media_ids=[media.pk])
    post_status(alice, "Sans image")
    media_tab = client.get("/@alice/media").content.decode()
    assert "Avec image" in media_tab and "Sans image" not in media_tab
    assert 'alt="Une étagère"' in media_tab


def test_search_finds_accounts_tags_and_posts_without_accents(
    alice: Account, client: Client
) -> None:
    post_status(alice, "La bibliothèque ouvre tard #Médiathèque")
    html = client.get("/search?q=bibliotheque").content.decode()
    assert "La bibliothèque ouvre tard" in html
    html = client.get("/search?q=alice").content.decode()
    assert "@alice" in html
    html = client.get("/search?q=%23médiathèque").content.decode()
    assert "#Médiathèque" in html


def test_notifications_filter_and_mark_read(world: dict[str, object], alice_client: Client) -> None:
    html = alice_client.get("/notifications").content.decode()
    assert "unread" in html
    mentions = alice_client.get("/notifications?type=mention").content.decode()
    follows = alice_client.get("/notifications?type=follow").content.decode()
    assert "merci" in mentions and "merci" not in follows
    response = alice_client.post("/notifications/read")
    assert response.status_code == 302
    assert "notification unread" not in alice_client.get("/notifications").content.decode()


def test_new_posts_counter(world: dict[str, object], alice: Account, bob: Account) -> None:
    client = logged_in(bob)
    newest = world["poll"].pk  # type: ignore[attr-defined]
    assert "nouveau" not in client.get(f"/home/new?since_id={newest}").content.decode()
    post_status(alice, "Encore un message")
    html = client.get(f"/home/new?since_id={newest}").content.decode()
    assert "1 nouveau message" in html
    assert client.get("/home/new?since_id=abc").status_code == 200


def test_menu_counts_unread_notifications(world: dict[str, object], alice_client: Client) -> None:
    assert "2 non lues" in alice_client.get("/about").content.decode()
    alice_client.post("/notifications/read")
    assert "non lue" not in alice_client.get("/about").content.decode()


def test_landing_shows_latest_public_posts(
    alice: Account, client: Client, settings: object
) -> None:
    post_status(alice, "Ouvert dimanche")
    post_status(alice, "Entre nous", visibility="private")
    html = client.get("/").content.decode()
    assert "Ouvert dimanche" in html and "Entre nous" not in html
    settings.PRIVATE_INSTANCE = True  # type: ignore[attr-defined]
    html = client.get("/").content.decode()
    assert "Ouvert dimanche" not in html and "/public/local" not in html


def test_timelines_page_by_id_ranges(alice: Account, client: Client) -> None:
    import re

    posts = [post_status(alice, f"Message numéro {i:02d}") for i in range(25)]
    first = client.get("/public/local").content.decode()
    assert "numéro 24" in first and "numéro 05" in first and "numéro 04" not in first
    older = re.search(r'href="([^"]*max_id=\d+)" rel="next"', first)
    assert older
    second = client.get(older.group(1).replace("&amp;", "&")).content.decode()
    assert "numéro 04" in second and "numéro 00" in second and "numéro 05" not in second
    newer = re.search(r'href="([^"]*min_id=\d+)" rel="prev"', second)
    assert newer
    back = client.get(newer.group(1).replace("&amp;", "&")).content.decode()
    assert "numéro 05" in back and "numéro 24" in back and "numéro 04" not in back
    assert len(posts) == 25


@pytest.mark.parametrize("language", ["fr", "en"])
def test_visitor_and_moderator_pages_render_in_both_languages(
    world: dict[str, object], language: str
) -> None:
    visitor = Client(HTTP_ACCEPT_LANGUAGE=language)
    for url in ["/", "/about", "/auth/login", "/auth/sign_up", "/auth/password/reset"]:
        response = visitor.get(url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode(), url
    moderator = logged_in(make_account("modo", moderator=True), language)
    for url in ["/moderation/reports", "/moderation/sign_ups", "/moderation/accounts"]:
        response = moderator.get(url + "?q=alice" if "accounts" in url else url)
        assert response.status_code == 200, url
        assert f'<html lang="{language}">' in response.content.decode(), url
    assert moderator.get("/moderation/log").status_code == 200


def test_remote_accounts_with_unusual_names_render(client: Client) -> None:
    from babillard.statuses.models import Status
    from babillard.statuses.services import get_or_create_tag

    remote = Account.objects.create(username="jean.luc-b", domain="example.net:8443")
    status = Status.objects.create(
        account=remote, local=False, text="Salut", content="<p>Salut #fediverse</p>"
    )
    status.tags.add(get_or_create_tag("fediverse"))
    for url in [
        "/@jean.luc-b@example.net:8443",
        "/tags/fediverse",
        f"/@jean.luc-b@example.net:8443/{status.pk}",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Salut" in response.content.decode(), url
