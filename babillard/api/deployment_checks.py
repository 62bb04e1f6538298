"""Checks of a running Babillard server through Mastodon.py, the real client library.

The test suite runs them against a server it starts; operators run them against
their deployment with ``tools/check-deployment URL``. They need two existing,
confirmed accounts (e-mail and password), and they leave posts, a list and
follows behind on that server: run them with test accounts.

Every check talks HTTP only: nothing here imports the server's code, so the
same checks hold for any Babillard reachable by URL.
"""

import base64
import hashlib
import html
import io
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from mastodon import Mastodon, StreamListener

SCOPES = ["read", "write", "follow"]
OOB = "urn:ietf:wg:oauth:2.0:oob"


@dataclass
class Credentials:
    email: str
    password: str


@dataclass
class Report:
    passed: list[str] = field(default_factory=list)

    def ok(self, name: str) -> None:
        self.passed.append(name)


class CheckFailed(AssertionError):
    pass


def expect(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def _png() -> bytes:
    """A small valid PNG, made without Pillow so the script needs only Mastodon.py."""
    import struct
    import zlib

    width, height = 8, 6
    raw = b"".join(b"\x00" + b"\x20\x80\x90" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


class Checker:
    def __init__(
        self, base_url: str, first: Credentials, second: Credentials, log: Callable[[str], None]
    ) -> None:
        self.base = base_url.rstrip("/")
        self.first = first
        self.second = second
        self.log = log
        self.report = Report()
        self.tag = "verif" + uuid.uuid4().hex[:8]
        self.client_id = ""
        self.client_secret = ""

    def client(self, token: str | None = None) -> Mastodon:
        return Mastodon(
            client_id=self.client_id or None,
            client_secret=self.client_secret or None,
            access_token=token,
            api_base_url=self.base,
            version_check_mode="created",
        )

    def done(self, name: str) -> None:
        self.report.ok(name)
        self.log(f"ok  {name}")

    # OAuth.

    def register(self) -> None:
        self.client_id, self.client_secret = Mastodon.create_app(
            "Babillard deployment check", scopes=SCOPES, redirect_uris=OOB, api_base_url=self.base
        )
        expect(self.client_id and self.client_secret, "no client credentials")
        metadata = requests.get(f"{self.base}/.well-known/oauth-authorization-server", timeout=30)
        expect("password" in metadata.json()["grant_types_supported"], "password grant missing")
        self.done("app registration and server metadata")

    def password_grant(self, who: Credentials) -> Mastodon:
        api = self.client()
        api.log_in(
            username=who.email,
            password=who.password,
            scopes=SCOPES,
            allow_http=self.base.startswith("http://"),
        )
        me = api.account_verify_credentials()
        expect(me["username"], "verify_credentials gave no username")
        return api

    def client_credentials(self) -> None:
        answer = requests.post(
            f"{self.base}/oauth/token",
            json={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "scope": "read",
            },
            timeout=30,
        ).json()
        expect(answer.get("scope") == "read", f"client_credentials scope: {answer}")
        app = self.client(answer["access_token"]).app_verify_credentials()
        expect(app["name"] == "Babillard deployment check", "app_verify_credentials name")
        self.done("client_credentials grant")

    def authorization_code(self, who: Credentials) -> None:
        """The consent page with PKCE (S256): log in, approve, read the out-of-band code."""
        verifier = secrets.token_urlsafe(48)
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .decode()
            .rstrip("=")
        )
        query = {
            "client_id": self.client_id,
            "redirect_uri": OOB,
            "response_type": "code",
            "scope": "read write",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        browser = requests.Session()
        page = browser.get(f"{self.base}/oauth/authorize", params=query, timeout=30)
        expect(page.status_code == 200, f"authorize page: {page.status_code}")
        form = {**query, "step": "login", "username": who.email, "password": who.password}
        form["csrfmiddlewaretoken"] = _csrf(page.text)
        headers = {"Referer": page.url}
        page = browser.post(page.url, data=form, headers=headers, timeout=30)
        expect('value="consent"' in page.text, "no consent form after logging in")
        form = {**query, "step": "consent", "decision": "approve"}
        form["csrfmiddlewaretoken"] = _csrf(page.text)
        page = browser.post(page.url, data=form, headers=headers, timeout=30)
        found = re.search(r'class="oauth-code" readonly value="([^"]+)"', page.text)
        expect(found, "no authorisation code shown")
        assert found is not None
        answer = requests.post(
            f"{self.base}/oauth/token",
            data={
                "grant_type": "authorization_code",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "redirect_uri": OOB,
                "code": html.unescape(found.group(1)),
                "code_verifier": verifier,
            },
            timeout=30,
        ).json()
        expect(answer.get("scope") == "read write", f"authorization_code reply: {answer}")
        me = self.client(answer["access_token"]).account_verify_credentials()
        expect(me["id"], "authorization_code token does not work")
        self.done("authorization_code grant with PKCE S256")

    # The rest of the API.

    def run(self) -> Report:
        self.register()
        alice = self.password_grant(self.first)
        bob = self.password_grant(self.second)
        self.done("password grant (username is the e-mail address)")
        self.client_credentials()
        self.authorization_code(self.first)
        instance = alice.instance()
        expect(str(instance["version"]).startswith("4."), "version string")
        self.done("instance")
        me_a, me_b = alice.me(), bob.me()

        bob.account_follow(me_a["id"])
        relation = bob.account_relationships([me_a["id"]])[0]
        expect(relation["following"] or relation["requested"], "follow did not take")
        self.done("following")

        with _Stream(bob, "user") as user_stream, _Stream(bob, "hashtag", self.tag) as tag_stream:
            media = alice.media_post(io.BytesIO(_png()), mime_type="image/png", file_name="blob")
            expect(media["url"], "media has no url")
            alice.media_update(media["id"], description="Un carré bleu")
            poll = alice.make_poll(["Oui", "Non"], expires_in=3600)
            posted = alice.status_post(
                f"Bonjour de la vérification #{self.tag}",
                media_ids=[media["id"]],
                idempotency_key=uuid.uuid4().hex,
            )
            expect(posted["media_attachments"][0]["description"] == "Un carré bleu", "alt text")
            with_poll = alice.status_post(f"Un sondage #{self.tag}", poll=poll)
            expect(len(with_poll["poll"]["options"]) == 2, "poll options")
            self.done("posting with media and a poll")
            voted = bob.poll_vote(with_poll["poll"]["id"], [0])
            expect(voted["voted"] and voted["own_votes"] == [0], "poll vote")
            self.done("poll vote")
            expect(
                user_stream.wait(lambda e: e[0] == "update" and e[1]["id"] == posted["id"]),
                "user stream got no update",
            )
            expect(
                tag_stream.wait(lambda e: e[0] == "update" and e[1]["id"] == with_poll["id"]),
                "hashtag stream got no update",
            )
            mention = alice.status_post(f"@{me_b['acct']} coucou")
            expect(
                user_stream.wait(lambda e: e[0] == "notification" and e[1]["type"] == "mention"),
                "user stream got no notification",
            )
        self.done("streaming of the user and hashtag streams")

        home = bob.timeline_home()
        expect(any(s["id"] == posted["id"] for s in home), "post missing from home timeline")
        local = bob.timeline_local()
        expect(any(s["id"] == posted["id"] for s in local), "post missing from local timeline")
        public = bob.timeline_public()
        expect(any(s["id"] == posted["id"] for s in public), "post missing from public timeline")
        tagged = bob.timeline_hashtag(self.tag)
        expect({s["id"] for s in tagged} >= {posted["id"], with_poll["id"]}, "hashtag timeline")
        self.done("home, local, public and hashtag timelines")

        bob.status_favourite(posted["id"])
        bob.status_bookmark(posted["id"])
        bob.status_reblog(posted["id"])
        expect(any(s["id"] == posted["id"] for s in bob.bookmarks()), "bookmarks")
        expect(any(s["id"] == posted["id"] for s in bob.favourites()), "favourites")
        self.done("favourite, bookmark, reblog")

        notifications = alice.notifications(types=["favourite", "reblog"])
        kinds = {n["type"] for n in notifications}
        expect({"favourite", "reblog"} <= kinds, f"notifications: {kinds}")
        mentions = bob.notifications(types=["mention"])
        expect(any(n["status"]["id"] == mention["id"] for n in mentions), "mention notification")
        self.done("notifications with types[]")

        own_list = bob.list_create(f"Liste {self.tag}")
        bob.list_accounts_add(own_list["id"], [me_a["id"]])
        members = bob.list_accounts(own_list["id"])
        expect([a["id"] for a in members] == [me_a["id"]], "list members")
        in_list = bob.timeline_list(own_list["id"])
        expect(any(s["id"] == posted["id"] for s in in_list), "list timeline")
        self.done("lists")

        found = bob.search_v2(self.tag, result_type="hashtags")
        expect(any(t["name"].lower() == self.tag for t in found["hashtags"]), "hashtag search")
        found = bob.search_v2(me_a["username"], result_type="accounts")
        expect(any(a["id"] == me_a["id"] for a in found["accounts"]), "account search")
        self.done("search")

        self.filters(alice, bob)
        self.pagination(alice, me_a["id"])
        self.profile_features(alice, bob, me_a["id"], posted["id"])
        self.websocket(alice, bob)
        return self.report

    def profile_features(
        self, author: Mastodon, reader: Mastodon, author_id: str, status_id: str
    ) -> None:
        """Endorsements, notes, featured hashtags, conversation mutes, trends, suggestions."""
        reader.account_pin(author_id)
        expect(any(a["id"] == author_id for a in reader.endorsements()), "endorsements")
        noted = reader.account_note_set(author_id, f"Note {self.tag}")
        expect(noted["note"] == f"Note {self.tag}" and noted["endorsed"], "note or endorsed")
        reader.account_unpin(author_id)
        featured = author.featured_tag_create(self.tag)
        expect(featured["name"].lower() == self.tag, "featured tag")
        shown = reader.account_featured_tags(author_id)
        expect(any(t["id"] == featured["id"] for t in shown), "featured tags of the account")
        author.featured_tag_delete(featured["id"])
        muted = author.status_mute(status_id)
        expect(muted["muted"] is True, "conversation mute")
        author.status_unmute(status_id)
        expect(isinstance(reader.trending_tags(), list), "trending tags")
        expect(isinstance(reader.trending_statuses(), list), "trending statuses")
        expect(isinstance(reader.suggestions(), list), "suggestions")
        self.done("endorsements, notes, featured hashtags, conversation mute, trends, suggestions")

    def websocket(self, author: Mastodon, reader: Mastodon) -> None:
        """The WebSocket streaming endpoint most apps use (a proxy must pass the upgrade)."""
        from websockets.sync.client import connect
        from websockets.typing import Subprotocol

        url = re.sub(r"^http", "ws", self.base) + "/api/v1/streaming"
        with connect(
            url, subprotocols=[Subprotocol(str(reader.access_token))], open_timeout=30
        ) as socket:
            socket.send(json.dumps({"type": "subscribe", "stream": "hashtag", "tag": self.tag}))
            socket.ping().wait(10)
            posted = author.status_post(f"Par WebSocket #{self.tag}")
            deadline = time.monotonic() + 30
            while True:
                left = deadline - time.monotonic()
                expect(left > 0, "the WebSocket got no update")
                message = json.loads(socket.recv(timeout=left))
                if message.get("event") != "update":
                    continue
                if json.loads(message["payload"])["id"] == posted["id"]:
                    break
        self.done("streaming over WebSocket")

    def filters(self, author: Mastodon, reader: Mastodon) -> None:
        word = f"brocoli{self.tag}"
        made = reader.create_filter_v2(
            f"Légumes {self.tag}",
            ["home"],
            "warn",
            keywords_attributes=[{"keyword": word, "whole_word": True}],
        )
        expect(made["keywords"][0]["keyword"] == word, "filter keyword")
        posted = author.status_post(f"J'aime le {word}")
        shown = [s for s in reader.timeline_home() if s["id"] == posted["id"]]
        expect(shown and shown[0]["filtered"], "warn filter not applied on home")
        expect(shown[0]["filtered"][0]["keyword_matches"] == [word], "keyword_matches")
        reader.update_filter_v2(made["id"], filter_action="hide")
        hidden = [s for s in reader.timeline_home() if s["id"] == posted["id"]]
        expect(not hidden, "hide filter did not hide the post")
        reader.delete_filter_v2(made["id"])
        expect(all(f["id"] != made["id"] for f in reader.filters_v2()), "filter not deleted")
        self.done("filters v2 (warn and hide)")

    def pagination(self, api: Mastodon, account_id: str) -> None:
        made = [api.status_post(f"Page {n} #{self.tag}")["id"] for n in range(5)]
        first = api.account_statuses(account_id, limit=2)
        expect([s["id"] for s in first] == made[::-1][:2], "first page")
        second = api.fetch_next(first)
        expect(second is not None, "no next page")
        assert second is not None
        expect([s["id"] for s in second] == made[::-1][2:4], "second page")
        back = api.fetch_previous(second)
        expect(back is not None and [s["id"] for s in back] == made[::-1][:2], "previous page")
        self.done("pagination with fetch_next and fetch_previous")


def _csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    expect(found, "no CSRF token on the page")
    assert found is not None
    return found.group(1)


class _Stream(StreamListener):  # type: ignore[misc]
    """Collects the events of one Mastodon.py stream in a background thread."""

    def __init__(self, api: Mastodon, kind: str, tag: str = "") -> None:
        super().__init__()
        self.api = api
        self.kind = kind
        self.tag = tag
        self.events: list[tuple[str, Any]] = []
        self.lock = threading.Lock()
        self.handle: Any = None

    def on_update(self, status: Any) -> None:
        with self.lock:
            self.events.append(("update", status))

    def on_notification(self, notification: Any) -> None:
        with self.lock:
            self.events.append(("notification", notification))

    def __enter__(self) -> "_Stream":
        if self.kind == "user":
            self.handle = self.api.stream_user(self, run_async=True, timeout=60)
        else:
            self.handle = self.api.stream_hashtag(self.tag, self, run_async=True, timeout=60)
        deadline = time.monotonic() + 10
        while not self.handle.is_receiving() and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def wait(self, matches: Callable[[tuple[str, Any]], bool], seconds: float = 20) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                if any(matches(event) for event in self.events):
                    return True
            time.sleep(0.05)
        return False

    def __exit__(self, *exc: object) -> None:
        if self.handle is not None:
            self.handle.close()


def run_checks(
    base_url: str, first: Credentials, second: Credentials, log: Callable[[str], None] = print
) -> Report:
    return Checker(base_url, first, second, log).run()
