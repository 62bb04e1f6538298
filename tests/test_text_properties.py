"""Property tests of the text pipeline: any text a person or a remote server sends.

Parsing (mentions, hashtags, links, ISBN, ISIL, content warnings, language) never raises
anything but a ``ValidationError``; rendering is a fixed point of the sanitiser; sanitised
HTML holds only the allowed tags, attributes and link schemes.
"""

import re
from html.parser import HTMLParser
from typing import Any

from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from babillard.books.services import isbns_in_text, normalise_isbn
from babillard.federation.remote import _content
from babillard.institutions.services import clean_isil
from babillard.statuses import formatting
from babillard.statuses.formatting import MentionTarget

# The same examples on every run (``derandomize``), so that the suite's verdict does not
# depend on the draw; a longer, random run belongs to the soak.
BOUNDED = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)

# Text made of the characters the pipeline cares about, mixed with any Unicode.
SPECIAL = [
    *"@#:/._-<>&\"'=()[]{}!?;,\n \t\u202e\u200b",
    "http://",
    "https://",
    "javascript:",
    "<script>",
    "</p>",
    "&amp;",
    "&#",
    "ISBN ",
    "978",
    "@alice",
    "@bob@example.org",
    "#livre",
    "onerror=",
]
TEXT = st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(max_size=8)), max_size=30).map("".join)
HTML_PIECES = [
    "<p>",
    "</p>",
    "<a href='javascript:alert(1)'>",
    '<a href="https://example.org/" onclick="x()">',
    "</a>",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<style>*{}</style>",
    "<iframe src=data:text/html,x>",
    '<span class="h-card invisible evil">',
    "</span>",
    "<ol start=3>",
    "<li>",
    "<br>",
    "<!--",
    "-->",
    "<![CDATA[",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "&lt;script&gt;",
    "<a href='&#106;avascript:alert(1)'>",
    '<a href="data:text/html;base64,PHNjcmlwdD4=">',
]
HTML = st.lists(st.one_of(st.sampled_from(HTML_PIECES), TEXT), max_size=20).map("".join)


class Tags(HTMLParser):
    """Every tag and attribute of some HTML, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


# What ``sanitize`` adds itself on every link, on top of the allow-list.
ADDED_ATTRIBUTES = {"a": {"rel", "target"}}


def assert_allowed(html: str) -> None:
    parser = Tags()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag in formatting.ALLOWED_TAGS, (tag, html)
        allowed = (
            formatting.ALLOWED_ATTRIBUTES.get(tag, set())
            | ADDED_ATTRIBUTES.get(tag, set())
            | ({"class"} if tag in formatting.ALLOWED_CLASSES else set())
        )
        for name, value in attrs:
            assert name in allowed, (tag, name, html)
            if name == "class":
                assert set((value or "").split()) <= formatting.ALLOWED_CLASSES[tag], html
            if name == "href":
                assert re.match(r"(https?|mailto):", value or "", re.I), (value, html)


def resolve_all(user: str, domain: str) -> MentionTarget:
    """Every mention names someone, so that every mention branch is rendered."""
    return MentionTarget(
        key=(user.lower(), domain),
        acct=f"{user}@{domain}" if domain else user,
        url=f"https://{domain or 'babillard.test'}/@{user}",
    )


def resolve_none(user: str, domain: str) -> None:
    return None


# --- statuses: mentions, hashtags, links, content warnings ----------------------------------


@BOUNDED
@given(TEXT)
@example("@a@b.c:1 #x https://e.org/(a)). @x")
@example("\u202e<script>alert(1)</script> javascript:alert(1)")
def test_render_never_raises_and_holds_only_allowed_markup(text: str) -> None:
    for resolver in (resolve_all, resolve_none):
        rendered = formatting.render(text, resolver)
        assert_allowed(rendered.html)
        assert "<script" not in rendered.html.lower()


@BOUNDED
@given(TEXT)
def test_rendered_html_is_a_fixed_point_of_the_sanitiser(text: str) -> None:
    rendered = formatting.render(text, resolve_all)
    assert formatting.sanitize(rendered.html) == rendered.html
    assert formatting.render(text, resolve_all).html == rendered.html


@BOUNDED
@given(TEXT)
def test_mentions_and_hashtags_come_from_the_text(text: str) -> None:
    rendered = formatting.render(text, resolve_all)
    folded = [t.casefold() for t in rendered.tags]
    assert len(folded) == len(set(folded))
    for tag in rendered.tags:
        assert "#" + tag in text
    for mention in rendered.mentions:
        assert "@" + mention.acct.split("@")[0] in text
    assert len({m.key for m in rendered.mentions}) == len(rendered.mentions)


@BOUNDED
@given(TEXT)
def test_plain_text_of_rendered_text_is_the_typed_text(text: str) -> None:
    """What a search index or a notification reads back is what was typed, markup included."""
    plain = formatting.plain_text(formatting.render(text, resolve_none).html)
    # NUL characters are dropped on purpose: no PostgreSQL text column can hold them.
    typed = text.replace("\x00", "")
    if "://" not in typed:
        assert plain.split() == typed.split()


@BOUNDED
@given(TEXT)
def test_character_count_never_raises_and_counts_plain_text_as_is(text: str) -> None:
    count = formatting.character_count(text)
    assert count >= 0
    if "@" not in text and "http" not in text:
        assert count == len(text)


@BOUNDED
@given(TEXT, TEXT)
def test_content_warning_is_counted_never_rendered(text: str, spoiler: str) -> None:
    from babillard.statuses.services import _validate_text

    try:
        _validate_text(text, spoiler, has_attachments=False)
    except ValidationError as error:
        assert error.messages and all(error.messages)


# --- remote HTML ------------------------------------------------------------------------------


@BOUNDED
@given(HTML)
@example('<noscript><p title="</noscript><img src=x onerror=alert(1)>">')
@example("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>")
@example('<p title="x" lang="fr">generic attributes of nh3</p>')
def test_sanitised_html_holds_only_allowed_tags_and_is_idempotent(html: str) -> None:
    clean = formatting.sanitize(html)
    assert_allowed(clean)
    assert formatting.sanitize(clean) == clean


JSON_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), TEXT, HTML)
DOCUMENT = st.fixed_dictionaries(
    {},
    optional={
        "id": st.just("https://remote.test/notes/1"),
        "type": st.sampled_from(["Note", "Article", "Page", "Question", "Evil"]),
        "content": JSON_SCALAR,
        "contentMap": st.one_of(
            JSON_SCALAR, st.dictionaries(st.text(max_size=20), JSON_SCALAR, max_size=3)
        ),
        "name": JSON_SCALAR,
        "url": JSON_SCALAR,
    },
)


@BOUNDED
@given(DOCUMENT)
def test_remote_content_and_language_never_raise(document: dict[str, Any]) -> None:
    document.setdefault("id", "https://remote.test/notes/1")
    content, language = _content(document)
    assert isinstance(content, str) and len(content) <= 100_000
    assert isinstance(language, str) and len(language) <= 8
    assert_allowed(formatting.sanitize(content))


# --- ISBN and ISIL ----------------------------------------------------------------------------


def isbn13_check(digits: str) -> str:
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits))
    return str((10 - total % 10) % 10)


def isbn10_check(digits: str) -> str:
    value = sum(int(d) * (10 - i) for i, d in enumerate(digits)) % 11
    return "0123456789X"[(11 - value) % 11]


@st.composite
def written_isbns(draw: st.DrawFn) -> tuple[str, str]:
    """An ISBN as someone might write it, and its ISBN-13."""
    body = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    if draw(st.booleans()):
        isbn10 = body + isbn10_check(body)
        thirteen = "978" + body
        expected, written = thirteen + isbn13_check(thirteen), isbn10
    else:
        thirteen = draw(st.sampled_from(["978", "979"])) + body
        written = expected = thirteen + isbn13_check(thirteen)
    separated = (
        "".join(c + draw(st.sampled_from(["", "", "-", " "])) for c in written[:-1]) + written[-1]
    )
    if draw(st.booleans()):
        separated = separated.lower()
    return separated, expected


@BOUNDED
@given(written_isbns())
def test_any_written_form_of_an_isbn_normalises_to_its_isbn13(pair: tuple[str, str]) -> None:
    written, expected = pair
    assert normalise_isbn(written) == expected
    assert normalise_isbn(expected) == expected
    assert isbns_in_text(f"Lu : ISBN {written}, bien.") == [expected]


@BOUNDED
@given(TEXT)
@example("ISBN 0-0-0-0-0-0-0-0-0-0")
@example("ISBN 978-0-00-000000-")
def test_isbn_parsing_never_raises_but_a_validation_error(text: str) -> None:
    found = isbns_in_text(text)
    assert all(len(n) == 13 and n.isdigit() and isbn13_check(n[:12]) == n[12] for n in found)
    assert len(found) == len(set(found))
    try:
        number = normalise_isbn(text)
    except ValidationError as error:
        assert len(error.messages[0]) < 200
    else:
        assert normalise_isbn(number) == number


ISIL_LIKE = st.lists(
    st.one_of(
        st.sampled_from(["FR-", "DE-", "US-", "O-", "-", " ", "751131015", "Zxx"]),
        st.text(max_size=6),
    ),
    max_size=6,
).map("".join)


@BOUNDED
@given(ISIL_LIKE)
@example("FR-751131015")
@example(" fr-751131015 ")
def test_isil_parsing_never_raises_but_a_validation_error(value: str) -> None:
    try:
        isil = clean_isil(value)
    except ValidationError as error:
        assert error.messages and all(error.messages)
    else:
        assert clean_isil(isil) == isil
        assert len(isil) <= 16 and "<" not in isil
