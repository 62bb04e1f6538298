"""``POST/GET /api/babillard/v1/imports`` and the CSV exports with a bearer token."""

from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from babillard.accounts import services as account_services
from babillard.accounts.models import Follow
from babillard.core.testing import make_account
from babillard.timelines import services as timeline_services
from babillard.watch import queries as watch_queries
from babillard.watch.tests.conftest import FeedServer, rss

pytestmark = pytest.mark.django_db

V1 = "/api/babillard/v1"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


def test_import_through_the_api(token_for: Callable[..., str]) -> None:
    me, ana = make_account("me"), make_account("ana")
    token = token_for(me)
    upload = SimpleUploadedFile(
        "following_accounts.csv",
        f"Account address,Show boosts\n{ana.username}@{settings.DOMAIN},false\nbroken\n".encode(),
        content_type="text/csv",
    )
    response = Client().post(
        f"{V1}/imports",
        {"type": "following", "mode": "merge", "data": upload},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.content
    queued = response.json()
    assert {k: queued[k] for k in ("state", "processed", "failed", "total")} == {
        "state": "queued",
        "processed": 0,
        "failed": 0,
        "total": 2,
    }
    # The test task backend runs the import as soon as it is queued.
    again = Client().get(f"{V1}/imports/{queued['id']}", headers=bearer(token))
    assert again.status_code == 200
    body = again.json()
    assert {k: body[k] for k in ("id", "state", "processed", "failed")} == {
        "id": queued["id"],
        "state": "done",
        "processed": 2,
        "failed": 1,
    }
    assert body["errors"][0]["line"] == 2
    assert body["errors"][0]["value"] == "broken"
    assert Follow.objects.get(account=me, target=ana).show_reblogs is False
    other = token_for(make_account("other"))
    assert Client().get(f"{V1}/imports/{body['id']}", headers=bearer(other)).status_code == 404


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"type": "nonsense", "mode": "merge"}, "Choose what the file holds"),
        ({"type": "following", "mode": "sideways"}, "merge or to replace"),
        ({"type": "following", "mode": "merge", "data": None}, "Choose a file"),
    ],
)
def test_bad_requests_answer_422(
    token_for: Callable[..., str], fields: dict[str, object], message: str
) -> None:
    token = token_for(make_account("me"))
    data = dict(fields)
    if "data" not in data:
        data["data"] = SimpleUploadedFile("f.csv", b"a@b.example\n")
    elif data["data"] is None:
        del data["data"]
    response = Client().post(f"{V1}/imports", data, headers=bearer(token))
    assert response.status_code == 422
    assert message in response.json()["error"]


def test_import_needs_a_write_scope(token_for: Callable[..., str]) -> None:
    token = token_for(make_account("me"), "read")
    upload = SimpleUploadedFile("f.csv", b"a@b.example\n")
    response = Client().post(
        f"{V1}/imports", {"type": "blocks", "data": upload}, headers=bearer(token)
    )
    assert response.status_code == 403
    assert Client().post(f"{V1}/imports", {"type": "blocks"}).status_code == 401


def test_exports_with_a_bearer_token_or_a_session(token_for: Callable[..., str]) -> None:
    me, ana, ben = make_account("me"), make_account("ana"), make_account("ben")
    account_services.follow(me, ana, notify=True)
    account_services.follow(me, ben, reblogs=False)
    veille = timeline_services.create_list(me, "Veille, pro")
    timeline_services.add_to_list(me, veille, [ana])
    account_services.mute(me, ben, notifications=False)
    domain = settings.DOMAIN

    client = Client()
    read = bearer(token_for(me, "read"))
    following = client.get("/settings/export/following_accounts.csv", headers=read)
    assert following.status_code == 200
    assert following["Content-Type"].startswith("text/csv")
    assert 'filename="following_accounts.csv"' in following["Content-Disposition"]
    assert following.content.decode() == (
        "Account address,Show boosts,Notify on new posts,Languages\n"
        f"ana@{domain},true,true,\n"
        f"ben@{domain},false,false,\n"
    )
    lists = client.get("/settings/export/lists.csv", headers=read)
    assert lists.content.decode() == f'"Veille, pro",ana@{domain}\n'
    mutes = client.get("/settings/export/muted_accounts.csv", headers=read)
    assert mutes.content.decode() == f"Account address,Hide notifications\nben@{domain},false\n"

    write_only = bearer(token_for(me, "write"))
    assert client.get("/settings/export/lists.csv", headers=write_only).status_code == 403
    assert client.get("/settings/export/lists.csv", headers=bearer("nope")).status_code == 401
    anonymous = client.get("/settings/export/lists.csv")
    assert anonymous.status_code == 302
    assert "/auth/login" in anonymous["Location"]
    assert client.get("/settings/export/passwords.csv", headers=read).status_code == 404

    client.force_login(me.user)
    session = client.get("/settings/export/blocked_accounts.csv")
    assert session.status_code == 200
    assert session.content == b""


def test_opml_import_follows_outside_feeds(
    token_for: Callable[..., str], feed_server: FeedServer
) -> None:
    me = make_account("me")
    token = token_for(me)
    url = feed_server.serve("/veille.xml", rss(("1", "Nouveauté", "Résumé")))
    opml = (
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        f'<outline text="Veille" xmlUrl="{url}"/><outline text="Bad" xmlUrl="ftp://x"/>'
        "</body></opml>"
    ).encode()
    sent = Client().post(
        f"{V1}/imports",
        {"type": "opml", "mode": "merge", "data": SimpleUploadedFile("f.opml", opml)},
        headers=bearer(token),
    )
    assert sent.status_code == 200, sent.content
    done = Client().get(f"{V1}/imports/{sent.json()['id']}", headers=bearer(token)).json()
    assert {k: done[k] for k in ("state", "total", "processed", "failed")} == {
        "state": "done",
        "total": 2,
        "processed": 2,
        "failed": 1,
    }
    assert done["errors"][0]["value"] == "ftp://x"
    assert [s.url for s in watch_queries.sources(me)] == [url]

    broken = Client().post(
        f"{V1}/imports",
        {"type": "opml", "mode": "merge", "data": SimpleUploadedFile("f.opml", b"not xml")},
        headers=bearer(token),
    )
    failed = Client().get(f"{V1}/imports/{broken.json()['id']}", headers=bearer(token)).json()
    assert (failed["state"], failed["failed"]) == ("failed", 1)
    assert "OPML" in failed["errors"][0]["reason"]
