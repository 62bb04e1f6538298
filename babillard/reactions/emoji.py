"""What counts as one emoji: a Unicode emoji, or a custom emoji's ``:shortcode:``.

Python's ``unicodedata`` knows no emoji property, so a Unicode emoji is read as
Unicode's emoji sequences are built: symbols (category ``So``) joined by
zero-width joiners, each with its variation selector, skin tone or tag
characters, a pair of regional indicators (a flag), or a keycap (``1️⃣``).
"""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

ZWJ = "\u200d"
KEYCAP = "\u20e3"
SHORTCODE = re.compile(r"^:([A-Za-z0-9_+\-]{1,64})(@[A-Za-z0-9.\-]+)?:$")
MAX_CODE_POINTS = 24


def _modifier(char: str) -> bool:
    code = ord(char)
    return (
        char in ("\ufe0f", "\ufe0e", KEYCAP)
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tag characters of subdivision flags
    )


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _one_part(part: str) -> bool:
    bases = [c for c in part if not _modifier(c)]
    if len(bases) == 2 and all(_regional(c) for c in bases):
        return True
    if len(bases) != 1:
        return False
    base = bases[0]
    if base in "0123456789#*":
        return KEYCAP in part
    return unicodedata.category(base) == "So"


def is_unicode_emoji(text: str) -> bool:
    """Whether ``text`` is exactly one Unicode emoji (possibly a joined sequence)."""
    if not text or len(text) > MAX_CODE_POINTS:
        return False
    return all(_one_part(part) for part in text.split(ZWJ))


def shortcode(text: str) -> str:
    """``:name:`` of a custom emoji written ``:name:``, ``name`` or ``:name@host:``; else ""."""
    found = SHORTCODE.match(text if text.startswith(":") else f":{text}:")
    return f":{found.group(1)}:" if found else ""


# Offered in the web form under each post; any other emoji can be sent by the API.
QUICK_EMOJI = [
    ("👍", _("thumbs up")),
    ("❤️", _("heart")),
    ("😂", _("laughter")),
    ("🎉", _("celebration")),
    ("🤔", _("thinking")),
    ("📚", _("books")),
    ("👏", _("applause")),
    ("🙏", _("thanks")),
]
