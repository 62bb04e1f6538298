"""Turn the text a person typed into safe HTML, and count it as Mastodon counts.

All HTML shown anywhere is produced here, server-side, and passed through nh3:
user text is never trusted, and remote HTML is cleaned by the same allow-list.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape, unescape

import nh3

from babillard.core.links import tag_url

URL_RE = r"https?://[^\s<>\"']+"
MENTION_RE = r"(?<![\w/@])@(?P<user>[A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*)(?:@(?P<domain>[\w.-]+\.\w+(?::\d+)?|[\w.-]+:\d+))?"
HASHTAG_RE = r"(?<![\w/#&])#(?P<tag>\w*[^\W\d_]\w*)"
TOKEN_RE = re.compile(f"(?P<url>{URL_RE})|{MENTION_RE}|{HASHTAG_RE}")
TRAILING_PUNCTUATION = ".,;:!?)]}'\""
URL_LENGTH = 23

ALLOWED_TAGS = {
    "p",
    "br",
    "a",
    "span",
    "strong",
    "em",
    "b",
    "i",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
}
# ``"*"`` empty: nh3 otherwise keeps ``lang`` and ``title`` on every tag.
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "ol": {"start"}, "*": set()}
ALLOWED_CLASSES = {
    # ``quote-inline``: the ``RE:`` link of a quote, hidden where the quote is shown.
    "p": {"quote-inline"},
    "a": {"mention", "hashtag", "u-url"},
    "span": {"h-card", "invisible", "ellipsis"},
}


@dataclass
class MentionTarget:
    """What a mention resolves to: the account's key, its handle and the link to it."""

    key: object
    acct: str
    url: str


@dataclass
class RenderedText:
    html: str
    mentions: list[MentionTarget] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


MentionResolver = Callable[[str, str], MentionTarget | None]


def _split_url(raw: str) -> tuple[str, str]:
    """Leave trailing punctuation out of a link, as readers expect."""
    trimmed = raw.rstrip(TRAILING_PUNCTUATION)
    if raw.endswith(")") and trimmed.count("(") > trimmed.count(")"):
        trimmed += ")"
    return trimmed, raw[len(trimmed) :]


def _link(url: str) -> str:
    shown = re.sub(r"^https?://(www\.)?", "", url)
    if len(shown) > 30:
        shown = shown[:30] + "…"
    return (
        f'<a href="{escape(url)}" rel="nofollow noopener noreferrer" target="_blank">'
        f"{escape(shown)}</a>"
    )


def _render_line(line: str, resolve: MentionResolver, out: RenderedText) -> str:
    pieces: list[str] = []
    position = 0
    for match in TOKEN_RE.finditer(line):
        pieces.append(escape(line[position : match.start()]))
        position = match.end()
        if match.group("url"):
            url, rest = _split_url(match.group("url"))
            pieces.append(_link(url) + escape(rest))
        elif match.group("user"):
            target = resolve(match.group("user"), (match.group("domain") or "").lower())
            if target is None:
                pieces.append(escape(match.group(0)))
                continue
            if all(m.key != target.key for m in out.mentions):
                out.mentions.append(target)
            pieces.append(
                f'<span class="h-card"><a href="{escape(target.url)}" class="u-url mention">'
                f"@<span>{escape(match.group('user'))}</span></a></span>"
            )
        else:
            tag = match.group("tag")
            if tag.casefold() not in (t.casefold() for t in out.tags):
                out.tags.append(tag)
            pieces.append(
                f'<a href="{escape(tag_url(tag.casefold()))}" class="mention hashtag" rel="tag">'
                f"#<span>{escape(tag)}</span></a>"
            )
    pieces.append(escape(line[position:]))
    return "".join(pieces)


def render(text: str, resolve: MentionResolver) -> RenderedText:
    """Render plain text with links, mentions and hashtags; paragraphs on blank lines."""
    out = RenderedText(html="")
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    html_paragraphs = [
        "<br>".join(_render_line(line, resolve, out) for line in p.split("\n")) for p in paragraphs
    ]
    out.html = sanitize("".join(f"<p>{p}</p>" for p in html_paragraphs))
    return out


def sanitize(html: str) -> str:
    """Clean HTML from any source down to the tags a post may carry."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )


def plain_text(html: str) -> str:
    """The text of some HTML, for search indexes and notifications."""
    with_breaks = re.sub(r"<br\s*/?>|</p>", "\n", html)
    return unescape(nh3.clean(with_breaks, tags=set())).strip()


def character_count(text: str) -> int:
    """Length as Mastodon counts it: every link 23, a remote mention only its user part."""

    def replacement(match: re.Match[str]) -> str:
        if match.group("url"):
            _url, rest = _split_url(match.group("url"))
            return "x" * URL_LENGTH + rest
        if match.group("user"):
            return "@" + match.group("user")
        return match.group(0)

    return len(TOKEN_RE.sub(replacement, text))
