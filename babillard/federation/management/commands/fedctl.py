"""``babillard fedctl``: drive federation from the command line, through the services.

Operators use it to look up or follow remote accounts and check deliveries; the
multi-instance test drives several servers with it. Every action calls the same
service as the web page would; answers are printed as JSON.
"""

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from babillard.accounts.models import Account
from babillard.core.errors import Forbidden, NotFound
from babillard.federation.client import FetchError
from babillard.federation.models import Delivery, InboxActivity
from babillard.federation.remote import InvalidDocument, fetch_note, find_status, webfinger
from babillard.statuses.models import Status


def _local(username: str) -> Account:
    account = Account.objects.filter(username__iexact=username, domain="").first()
    if account is None:
        raise CommandError(f"no local account {username}")
    return account


def _status(uri: str) -> Status:
    status = find_status(uri)
    if status is None:
        status = fetch_note(uri)
    if status is None:
        raise CommandError(f"unknown post {uri}")
    return status


def _describe(status: Status) -> dict[str, Any]:
    return {
        "id": status.pk,
        "uri": status.uri,
        "account": status.account.acct,
        "text": status.text,
        "content": status.content,
        "visibility": status.visibility,
        "spoiler_text": status.spoiler_text,
        "in_reply_to": status.in_reply_to.uri if status.in_reply_to else None,
        "reblog": status.reblog.uri if status.reblog else None,
        "replies_count": status.replies_count,
        "reblogs_count": status.reblogs_count,
        "favourites_count": status.favourites_count,
        "edited": status.edited_at is not None,
        "tags": sorted(t.name for t in status.tags.all()),
        "media": [{"url": m.url, "description": m.description} for m in status.media.all()],
    }


class Command(BaseCommand):
    help = "Federation actions through the services: resolve, follow, post, boost, show home."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("resolve").add_argument("handle")
        move = sub.add_parser("move", help="move a local account to a remote one naming it")
        move.add_argument("username")
        move.add_argument("handle")
        for name in ("follow", "unfollow", "block", "unblock", "accept", "reject"):
            action = sub.add_parser(name)
            action.add_argument("username")
            action.add_argument("handle")
        post = sub.add_parser("post")
        post.add_argument("username")
        post.add_argument("text")
        post.add_argument("--visibility", default="public")
        post.add_argument("--reply-to", default="")
        post.add_argument("--cw", default="")
        edit = sub.add_parser("edit")
        edit.add_argument("username")
        edit.add_argument("uri")
        edit.add_argument("text")
        for name in ("delete", "boost", "unboost", "favourite", "unfavourite"):
            action = sub.add_parser(name)
            action.add_argument("username")
            action.add_argument("uri")
        sub.add_parser("home").add_argument("username")
        sub.add_parser("status").add_argument("uri")
        sub.add_parser("relationship").add_argument("username")
        sub.add_parser("deliveries")
        profile = sub.add_parser("profile")
        profile.add_argument("username")
        profile.add_argument("--locked", choices=["yes", "no"])
        profile.add_argument("--display-name")
        hide = sub.add_parser("hide-domain", help="a person hides a whole server")
        hide.add_argument("username")
        hide.add_argument("domain")
        report = sub.add_parser("report", help="report an account, forwarded to its server")
        report.add_argument("username")
        report.add_argument("handle")
        report.add_argument("comment")
        report.add_argument("--status", action="append", default=[])
        sub.add_parser("reports")
        block = sub.add_parser("domain-block")
        block.add_argument("domain")
        block.add_argument("--severity", choices=["suspend", "silence"], default="suspend")
        sub.add_parser("inbox")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = getattr(self, "do_" + options["action"].replace("-", "_"))(options)
        except (ValidationError, NotFound, Forbidden, FetchError, InvalidDocument) as error:
            raise CommandError(f"{type(error).__name__}: {error}") from None
        self.stdout.write(json.dumps(result, default=str))

    def do_resolve(self, options: dict[str, Any]) -> dict[str, Any]:
        account = webfinger(options["handle"])
        return {"acct": account.acct, "uri": account.uri, "locked": account.locked}

    def do_move(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.accounts.services import move_account
        from babillard.federation.client import fetch
        from babillard.federation.remote import as_list, id_of

        account = _local(options["username"])
        target = webfinger(options["handle"])
        aliases = [id_of(a) for a in as_list(fetch(str(target.uri)).get("alsoKnownAs"))]
        if account.uri not in aliases:
            raise CommandError(f"{target.acct} must first name {account.uri} in alsoKnownAs")
        move_account(account, target)
        return {"moved_to": target.acct}

    def do_follow(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.accounts.services import follow

        relation = follow(_local(options["username"]), webfinger(options["handle"]))
        return {"relation": type(relation).__name__}

    def do_unfollow(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.accounts.services import unfollow

        unfollow(_local(options["username"]), webfinger(options["handle"]))
        return {"ok": True}

    def do_block(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.accounts.services import block

        block(_local(options["username"]), webfinger(options["handle"]))
        return {"ok": True}

    def do_unblock(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.accounts.services import unblock

        unblock(_local(options["username"]), webfinger(options["handle"]))
        return {"ok": True}

    def do_accept(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.accounts.services import accept_follow_request

        accept_follow_request(_local(options["username"]), webfinger(options["handle"]))
        return {"ok": True}

    def do_reject(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.accounts.services import reject_follow_request

        reject_follow_request(_local(options["username"]), webfinger(options["handle"]))
        return {"ok": True}

    def do_post(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.statuses.services import post_status

        author = _local(options["username"])
        reply_to = _status(options["reply_to"]) if options["reply_to"] else None
        status = post_status(
            author,
            options["text"],
            visibility=options["visibility"],
            spoiler_text=options["cw"],
            in_reply_to=reply_to,
        )
        assert isinstance(status, Status)
        return _describe(status)

    def do_edit(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.statuses.services import edit_status

        author = _local(options["username"])
        return _describe(edit_status(author, _status(options["uri"]), options["text"]))

    def do_delete(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.statuses.services import delete_own_status

        delete_own_status(_local(options["username"]), _status(options["uri"]))
        return {"ok": True}

    def do_boost(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.statuses.services import reblog

        return _describe(reblog(_local(options["username"]), _status(options["uri"])))

    def do_unboost(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.statuses.services import unreblog

        return _describe(unreblog(_local(options["username"]), _status(options["uri"])))

    def do_favourite(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.statuses.services import favourite

        return _describe(favourite(_local(options["username"]), _status(options["uri"])))

    def do_unfavourite(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.statuses.services import unfavourite

        return _describe(unfavourite(_local(options["username"]), _status(options["uri"])))

    def do_home(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        from babillard.timelines.queries import home

        page = home(_local(options["username"]), limit=40)
        return [_describe(s) for s in page.items]

    def do_status(self, options: dict[str, Any]) -> dict[str, Any] | None:
        status = find_status(options["uri"])
        return _describe(status) if status else None

    def do_relationship(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.accounts.models import FollowRequest

        account = _local(options["username"])
        return {
            "followers": sorted(
                a.acct for a in Account.objects.filter(following_rel__target=account)
            ),
            "following": sorted(
                a.acct for a in Account.objects.filter(follower_rel__account=account)
            ),
            "requests": sorted(
                r.account.acct
                for r in FollowRequest.objects.filter(target=account).select_related("account")
            ),
        }

    def do_deliveries(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        rows = Delivery.objects.values("domain", "activity_type", "state").annotate(n=Count("id"))
        return [dict(row) for row in rows.order_by("domain", "activity_type", "state")]

    def do_profile(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.accounts.services import update_profile

        changes: dict[str, Any] = {}
        if options["locked"]:
            changes["locked"] = options["locked"] == "yes"
        if options["display_name"] is not None:
            changes["display_name"] = options["display_name"]
        account = update_profile(_local(options["username"]), **changes)
        return {"locked": account.locked, "display_name": account.display_name}

    def do_domain_block(self, options: dict[str, Any]) -> dict[str, Any]:
        # Moderation has no domain-block service yet; this is the operator's own table.
        from babillard.moderation.models import DomainBlock

        DomainBlock.objects.update_or_create(
            domain=options["domain"].lower(), defaults={"severity": options["severity"]}
        )
        return {"ok": True}

    def do_hide_domain(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.moderation.services import hide_domain

        return {"hidden": hide_domain(_local(options["username"]), options["domain"]).domain}

    def do_report(self, options: dict[str, Any]) -> dict[str, Any]:
        from babillard.moderation.services import report

        reporter = _local(options["username"])
        statuses = [find_status(uri) or fetch_note(uri) for uri in options["status"]]
        made = report(
            reporter,
            webfinger(options["handle"]),
            statuses=[s for s in statuses if s is not None],
            comment=options["comment"],
            forward=True,
        )
        return {"report": made.pk}

    def do_reports(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        from babillard.moderation.models import Report

        return [
            {
                "reporter": r.reporter.acct,
                "target": r.target.acct,
                "comment": r.comment,
                "statuses": sorted(s.uri for s in r.statuses.all()),
            }
            for r in Report.objects.select_related("reporter", "target").order_by("pk")
        ]

    def do_inbox(self, options: dict[str, Any]) -> list[dict[str, Any]]:
        rows = InboxActivity.objects.values("activity_type", "state", "error")
        return [dict(row) for row in rows.order_by("received_at")]
