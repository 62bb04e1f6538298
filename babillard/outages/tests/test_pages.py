"""The platform pages: board, page with its charts, one-tap report, subscription, incident
updates, proposals, feeds and the widget."""

import json
import re
from typing import Any
from xml.etree import ElementTree

from django.test import Client

from babillard.core.testing import PASSWORD, make_account
from babillard.outages import services
from babillard.outages.models import Incident, Platform, Report, Subscription


def _client(account: Any) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    assert client.login(username=account.username, password=PASSWORD)
    return client


def test_board_and_platform_page_for_visitors(cairn: Platform, db: Any) -> None:
    other = services.create_platform(None, name="Persée", url="https://www.persee.fr/")
    reader = make_account("lectrice")
    services.report_problem(reader, other, "slow")
    board = Client(headers={"Accept-Language": "en"}).get("/platforms")
    assert board.status_code == 200
    text = board.content.decode()
    assert text.index("Persée") < text.index("Cairn")
    assert "1 report in the last hour" in text
    page = Client(headers={"Accept-Language": "fr"}).get(f"/platforms/{cairn.slug}")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body and "polyline" in body and "Signaler un problème" in body
    assert body.count('<rect x="') >= 96 + 90
    # SVG coordinates stay numbers in French too (no decimal comma).
    assert not re.search(r'(x|y|width|height)="[0-9]+,', body)
    assert Client().get("/platforms/nothing").status_code == 404


def test_one_tap_report_subscription_and_resolution(
    network4: dict[str, Any], cairn: Platform, moderator: Any
) -> None:
    staff = network4["staff"]
    for name in ("bm_lyon", "bu_lille"):
        services.report_problem(staff[name], cairn, "down")
    client = _client(staff["bm_nantes"])
    assert client.post(f"/platforms/{cairn.slug}/subscribe", {"email": "1"}).status_code == 302
    assert Subscription.objects.filter(account=staff["bm_nantes"], email=True).exists()
    answer = client.post(f"/platforms/{cairn.slug}/report", {"problem": "down"}, follow=True)
    assert "Thank you: your report counts now." in answer.content.decode()
    assert Report.objects.filter(account=staff["bm_nantes"], city="Nantes").exists()
    cairn.refresh_from_db()
    assert cairn.state == "probable_outage"
    incident = Incident.objects.get()
    bad = client.post(f"/platforms/{cairn.slug}/report", {"problem": "boom"}, follow=True)
    assert "Choose the problem among" in bad.content.decode() and Report.objects.count() == 3
    # Staff of an institution that is not verified may not update the incident.
    assert client.post(f"/incidents/{incident.pk}/update", {"state": "resolved"}).status_code == 403
    incident.refresh_from_db()
    assert incident.is_open
    mod = _client(moderator)
    page = mod.get(f"/platforms/{cairn.slug}").content.decode()
    assert "Update the incident" in page
    mod.post(f"/incidents/{incident.pk}/update", {"state": "resolved", "message": "OK"})
    incident.refresh_from_db()
    assert not incident.is_open
    client.post(f"/platforms/{cairn.slug}/subscribe", {"action": "unsubscribe"})
    assert not Subscription.objects.filter(account=staff["bm_nantes"]).exists()


def test_proposals_queue(moderator: Any, db: Any) -> None:
    member = _client(make_account("membre"))
    answer = member.post(
        "/platforms/propose",
        {"name": "Numilog", "url": "https://www.numilog.com/", "probe_urls": ""},
    )
    assert answer.status_code == 302
    assert member.get("/platforms/proposals").status_code == 403
    proposal = Platform.objects.get(slug="numilog")
    assert not proposal.approved
    assert Client().get("/platforms/numilog").status_code == 404
    mod = _client(moderator)
    assert "Numilog" in mod.get("/platforms/proposals").content.decode()
    mod.post("/platforms/proposals", {"platform_id": proposal.pk, "action": "approve"})
    assert Client().get("/platforms/numilog").status_code == 200


def test_feeds_and_widget(network4: dict[str, Any], cairn: Platform, moderator: Any) -> None:
    for name in ("bm_lyon", "bu_lille", "bm_nantes"):
        services.report_problem(network4["staff"][name], cairn, "down")
    incident = Incident.objects.get()
    services.update_incident(moderator, incident, "resolved", "Rétabli")
    rss = Client().get(f"/platforms/{cairn.slug}/incidents.rss")
    document = ElementTree.fromstring(rss.content)  # noqa: S314 (our own feed)
    titles = [t.text for t in document.iter("title")]
    assert any(t and "Cairn" in t for t in titles) and len(titles) == 3
    atom = Client().get("/platforms/incidents.atom")
    assert atom.status_code == 200 and b"<feed" in atom.content
    feed = json.loads(Client().get(f"/platforms/{cairn.slug}/incidents.json").content)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert [i["_babillard"]["state"] for i in feed["items"]] == ["resolved", "investigating"]
    assert feed["items"][0]["content_text"] == "Rétabli"
    widget = Client().get("/embed/platforms?lang=en")
    assert widget.status_code == 200 and "frame-ancestors *" in widget["Content-Security-Policy"]
    assert b"<script" not in widget.content and b"Cairn" in widget.content
    assert len(widget.content) < 10_000
