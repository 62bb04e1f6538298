"""The XSS corpus and the check that a rendered page carries no executable markup from it."""

import json
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

CORPUS = [
    line
    for line in (Path(__file__).parent / "xss_corpus.txt").read_text().splitlines()
    if line.strip() and not line.startswith("# ")
]
BENIGN = "Bonjour les lecteurs"

# Tags a page may hold of its own (scripts of /static, its stylesheet, its forms) but that
# user input must never add.
ACTIVE_TAGS = {
    "script", "svg", "math", "style", "iframe", "frame", "object", "embed", "base", "meta",
    "link", "form", "button", "input", "textarea", "template", "noscript", "body", "video",
    "audio", "source", "details", "marquee", "isindex", "img",
}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
UNSAFE_SCHEME = re.compile(r"^(javascript|data|vbscript):", re.I)


class Page(HTMLParser):
    """What a browser would find active in a page: tags, handlers, URLs and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.handlers: list[str] = []
        self.unsafe_urls: list[str] = []
        self.styles = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ACTIVE_TAGS:
            self.tags[tag] += 1
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.styles += 1
            # Browsers drop tabs, newlines and leading controls before reading a scheme.
            url = re.sub(r"[\x00-\x20]", "", value or "")
            if name in URL_ATTRIBUTES and UNSAFE_SCHEME.match(url):
                self.unsafe_urls.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def problems(html: str, benign_html: str) -> list[str]:
    """What ``html`` holds that can run, beyond what the same page with benign input holds."""
    page, twin = parse(html), parse(benign_html)
    found = [f"handler {h}" for h in page.handlers if h not in twin.handlers]
    found += [f"unsafe URL {u}" for u in page.unsafe_urls if u not in twin.unsafe_urls]
    found += [
        f"{count - twin.tags[tag]} more <{tag}>"
        for tag, count in page.tags.items()
        if count > twin.tags[tag]
    ]
    if page.styles > twin.styles:
        found.append(f"{page.styles - twin.styles} more style attributes")
    return found


HTML_KEYS = {"content", "note", "value", "description_html", "content_html"}


def json_problems(data: Any) -> list[str]:
    """HTML fields of an API answer (``content``, ``note``, field ``value``) hold nothing active."""
    found: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            if key in HTML_KEYS and isinstance(value, str):
                found += [f"{key}: {p}" for p in problems(value, "")]
            else:
                found += json_problems(value)
    elif isinstance(data, list):
        for item in data:
            found += json_problems(item)
    return found


def decode(response: Any) -> Any:
    return json.loads(response.content)
