"""The front end obeys the Content-Security-Policy and ships its own assets."""

import re
from pathlib import Path

from django.test import Client

WEB = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((WEB / "templates").rglob("*.html"))
# The embeddable widget is one request with its styles inline, served with its own policy.
OWN_POLICY = {WEB / "templates" / "sites" / "embed.html"}


def test_templates_have_no_inline_script_or_style() -> None:
    assert TEMPLATES
    for template in TEMPLATES:
        text = template.read_text()
        # JSON-LD is a data block, never run: the policy does not apply to it.
        assert not re.search(
            r"<script(?![^>]*\b(src=|type=\"application/ld\+json\"))[^>]*>", text
        ), template
        assert not re.search(r"\sstyle=", text), template
        assert not re.search(r"\son[a-z]+=", text), template
        assert "<style" not in text or template in OWN_POLICY, template
        assert not re.search(r"(src|href)=\"(https?:)?//", text), template  # no third party


def test_static_assets_are_served_by_the_instance(client: Client) -> None:
    for name in ("babillard.css", "babillard.js", "htmx.min.js", "avatar.svg"):
        path = WEB / "static" / "babillard" / name
        assert path.stat().st_size > 0, name
    assert "htmx" in (WEB / "static" / "babillard" / "htmx.min.js").read_text()[:2000]


def test_pages_carry_the_content_security_policy(client: Client) -> None:
    response = client.get("/about")
    assert "script-src 'self'" in response["Content-Security-Policy"]
