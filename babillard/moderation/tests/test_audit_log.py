"""The audit log: one row per action of a moderator or administrator, written in the
action's transaction, read on a web page and through Babillard's API, never changed."""

from typing import Any

import pytest

from babillard.accounts.models import Account
from babillard.api import oauth
from babillard.api.tests.conftest import ApiClient
from babillard.core.testing import make_account
from babillard.institutions.services import (
    unverify_institution,
    update_institution,
    verify_institution,
)
from babillard.moderation import services
from babillard.moderation.models import DomainBlock, ModerationAction
from babillard.outages.services import approve_platform, propose_platform, reject_platform
from babillard.statuses.models import Status
from babillard.statuses.services import post_status
from babillard.web.tests.conftest import logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator() -> Account:
    return make_account("modo", moderator=True)


def _kinds() -> list[str]:
    return list(ModerationAction.objects.order_by("id").values_list("kind", flat=True))


def test_every_action_writes_one_row_with_its_details(moderator: Account) -> None:
    spammer = make_account("spammer")
    post = post_status(spammer, "Achetez maintenant")
    post_id = str(post.pk)
    services.remove_status(moderator, post, text="Pourriel")
    services.silence(moderator, spammer, text="Récidive")
    services.unsilence(moderator, spammer)
    services.block_domain(moderator, "Bad.Example", severity="silence", public_comment="Spam")
    services.unblock_domain(moderator, "bad.example")
    newcomer = make_account("newcomer", approved=False)
    assert newcomer.user is not None
    services.reject_sign_up(moderator, newcomer.user)
    assert _kinds() == [
        "delete_status",
        "silence",
        "unsilence",
        "block_domain",
        "unblock_domain",
        "reject",
    ]
    removal, silence, _unsilence, block, unblock, rejection = ModerationAction.objects.order_by(
        "id"
    )
    assert removal.moderator == moderator and removal.target == spammer
    assert removal.text == "Pourriel"
    assert removal.details == {
        "account": "spammer",
        "status_id": post_id,
        "status_text": "Achetez maintenant",
    }
    assert silence.details == {"account": "spammer"} and silence.text == "Récidive"
    assert block.details == {
        "domain": "bad.example",
        "severity": "silence",
        "reject_media": False,
        "public_comment": "Spam",
    }
    assert unblock.details == {"domain": "bad.example"}
    # The rejected person's account is gone; the log still says who it was.
    assert rejection.target is None and rejection.details == {"username": "newcomer"}


def test_institution_verification_and_platform_decisions_are_logged(
    moderator: Account,
) -> None:
    library = make_account("bibli", kind="institution")
    update_institution(library, library, isil="FR-751131015")
    verify_institution(moderator, library)
    unverify_institution(moderator, library)
    member = make_account("membre")
    kept = propose_platform(member, name="Cairn", url="https://www.cairn.info/")
    dropped = propose_platform(member, name="Persée", url="https://www.persee.fr/")
    approve_platform(moderator, kept)
    reject_platform(moderator, dropped)
    reject_platform(moderator, dropped)  # already gone: nothing more to log
    assert _kinds() == [
        "verify_institution",
        "unverify_institution",
        "approve_platform",
        "reject_platform",
    ]
    verified = ModerationAction.objects.get(kind="verify_institution")
    assert verified.target == library
    assert verified.details == {"account": "bibli", "isil": "FR-751131015"}
    rejected = ModerationAction.objects.get(kind="reject_platform")
    assert rejected.details == {"platform": "Persée", "slug": dropped.slug}


def test_an_action_that_fails_leaves_no_row(
    moderator: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    post = post_status(make_account(), "Texte")

    def broken(status: Status) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "delete_status", broken)
    with pytest.raises(RuntimeError):
        services.remove_status(moderator, post)
    assert not ModerationAction.objects.exists()
    assert Status.objects.filter(pk=post.pk).exists()


def test_entries_are_never_changed_or_deleted(moderator: Account) -> None:
    services.unsuspend(moderator, make_account("someone"))
    entry = ModerationAction.objects.get()
    entry.text = "Réécrit"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    admin = make_account("root", superuser=True)
    browser = logged_in(admin, "en")
    path = f"/admin/moderation/moderationaction/{entry.pk}"
    assert browser.get(f"{path}/change/").status_code == 200  # shown read-only
    assert browser.post(f"{path}/change/", {"text": "Réécrit"}).status_code == 403
    assert browser.post(f"{path}/delete/", {"post": "yes"}).status_code == 403
    assert browser.get("/admin/moderation/moderationaction/add/").status_code == 403
    assert ModerationAction.objects.get().text == ""


def test_role_changes_in_the_django_admin_are_logged(moderator: Account) -> None:
    admin = make_account("root", superuser=True)
    person = make_account("camille")
    assert person.user is not None
    user = person.user
    form = {
        "username": user.username,
        "email": user.email,
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "is_moderator": "on",
        "email_confirmed": "on",
        "approved": "on",
        "signup_reason": "",
        "locale": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    browser = logged_in(admin, "en")
    response = browser.post(f"/admin/accounts/user/{user.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    user.refresh_from_db()
    assert user.is_moderator
    entry = ModerationAction.objects.get(kind="change_role")
    assert (entry.moderator, entry.target) == (admin, person)
    assert entry.details == {"account": "camille", "roles": {"is_moderator": True}}
    # Saving again without a change of role logs nothing more.
    assert browser.post(f"/admin/accounts/user/{user.pk}/change/", form).status_code == 302
    assert ModerationAction.objects.filter(kind="change_role").count() == 1


def test_the_web_page_filters_by_actor_and_action(moderator: Account) -> None:
    other = make_account("autre_modo", moderator=True)
    target = make_account("cible")
    services.silence(moderator, target)
    services.unsilence(other, target)
    services.block_domain(other, "spam.example")
    browser = logged_in(moderator, "en")
    page = browser.get("/moderation/log")
    assert page.status_code == 200
    text = page.content.decode()
    assert "spam.example" in text and "@cible" in text
    mine = browser.get("/moderation/log", {"actor": other.pk}).content.decode()
    assert "spam.example" in mine and "<td>Remove limit</td>" in mine
    assert "<td>Limit</td>" not in mine and "<td>Limit</td>" in text
    blocks = browser.get("/moderation/log", {"kind": "block_domain"}).content.decode()
    assert "spam.example" in blocks and "@cible" not in blocks
    assert browser.get("/moderation/log", {"kind": "nonsense"}).status_code == 400
    assert logged_in(target).get("/moderation/log").status_code == 403


def _token(account: Account, scopes: str) -> ApiClient:
    app = oauth.register_app("Admin", [oauth.OOB], oauth.parse_scopes("read admin:read"), "")
    assert account.user is not None
    issued = oauth.issue_token(account.user, app.application, oauth.parse_scopes(scopes))
    return ApiClient(str(issued.raw))  # type: ignore[attr-defined]


def test_the_api_lists_filters_and_pages_the_log(moderator: Account) -> None:
    target = make_account("cible")
    services.silence(moderator, target, text="Un")
    services.unsilence(moderator, target)
    services.block_domain(moderator, "spam.example")
    api = _token(moderator, "admin:read")
    answer = api.get("/api/babillard/v1/admin/audit_log")
    assert answer.status_code == 200
    entries: list[dict[str, Any]] = answer.json()
    assert [e["action"] for e in entries] == ["block_domain", "unsilence", "silence"]
    assert entries[2]["account_id"] == str(moderator.pk)
    assert entries[2]["target_account_id"] == str(target.pk)
    assert entries[2]["text"] == "Un"
    assert entries[0]["details"]["domain"] == "spam.example"
    only = api.get("/api/babillard/v1/admin/audit_log", {"action": "silence"}).json()
    assert [e["action"] for e in only] == ["silence"]
    assert api.get("/api/babillard/v1/admin/audit_log", {"account_id": target.pk}).json() == []
    first = api.get("/api/babillard/v1/admin/audit_log", {"limit": 2})
    assert len(first.json()) == 2 and 'rel="next"' in first["Link"]
    rest = api.get("/api/babillard/v1/admin/audit_log", {"max_id": first.json()[-1]["id"]})
    assert [e["action"] for e in rest.json()] == ["silence"]
    bad = api.get("/api/babillard/v1/admin/audit_log", {"action": "nonsense"})
    assert bad.status_code == 422


def test_the_api_log_is_for_moderators_with_admin_read(moderator: Account) -> None:
    path = "/api/babillard/v1/admin/audit_log"
    assert ApiClient().get(path).status_code == 401
    assert _token(moderator, "read").get(path).status_code == 403
    assert _token(make_account("someone"), "admin:read").get(path).status_code == 403
    schema = ApiClient().get("/api/babillard/v1/openapi.json").json()
    operation = schema["paths"]["/api/babillard/v1/admin/audit_log"]["get"]
    assert "admin" in operation["tags"] and "200" in operation["responses"]


def test_changes_and_deletions_in_the_django_admin_are_logged() -> None:
    admin = make_account("root", superuser=True)
    browser = logged_in(admin, "en")
    added = browser.post(
        "/admin/moderation/domainblock/add/",
        {
            "domain": "spam.example",
            "severity": "suspend",
            "public_comment": "",
            "created_at_0": "2026-11-23",
            "created_at_1": "12:00:00",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    block = DomainBlock.objects.get(domain="spam.example")
    post = post_status(make_account("auteur"), "Hors sujet")
    post_id = post.pk
    deleted = browser.post(f"/admin/statuses/status/{post_id}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not Status.objects.filter(pk=post_id).exists()
    change, deletion = ModerationAction.objects.order_by("id")
    assert change.moderator == admin and change.kind == "admin_change"
    assert change.details["model"] == "moderation.DomainBlock"
    assert change.details["id"] == str(block.pk) and change.details["added"] is True
    assert "domain" in change.details["fields"]
    assert deletion.kind == "admin_delete"
    assert deletion.details["model"] == "statuses.Status"
    assert deletion.details["id"] == str(post_id)
