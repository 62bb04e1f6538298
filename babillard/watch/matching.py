"""Matching posts and outside items against every antenna at a flat cost.

A post is folded (accents stripped, case folded) and cut into words once. The
index maps a word to the antennas that have a keyword phrase containing it (the
longest word of the phrase, the most selective), an author to the antennas that
follow that author, a list to the antennas that follow that list; only antennas
with a regular expression and nothing else to index by are tried on every post.
The few candidates found are then checked against all their rules. So the cost
of a post grows with its length and with the antennas it really concerns, not
with the number of antennas on the instance.

The index is built once per process and rebuilt when the antennas change (the caller
passes a version that every write to an antenna changes). Rebuilding compiles again
only the antennas written since (``CompiledRules``, keyed by each antenna's time of
change), so one antenna edited costs one antenna compiled, not ten thousand.
"""

import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import regex

logger = logging.getLogger(__name__)

WORD_RE = re.compile(r"\w+")
REGEX_TIMEOUT = 0.05


def fold(text: str) -> str:
    """Lower case without accents: "Bibliothèque" and "BIBLIOTHEQUE" both give "bibliotheque"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def words(text: str) -> list[str]:
    return WORD_RE.findall(fold(text))


def phrase_in(
    phrase: Sequence[str], tokens: Sequence[str], positions: dict[str, list[int]]
) -> bool:
    """Whether the words of ``phrase`` appear one after the other in ``tokens``."""
    if not phrase:
        return False
    size = len(phrase)
    for start in positions.get(phrase[0], ()):
        if list(tokens[start : start + size]) == list(phrase):
            return True
    return False


@dataclass(frozen=True)
class Arrival:
    """What the rules read of a post or an outside item, computed once."""

    text: str
    author_id: int | None = None
    language: str = ""
    has_media: bool = False
    has_links: bool = False
    is_reply: bool = False
    tokens: tuple[str, ...] = field(init=False)
    positions: dict[str, list[int]] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        tokens = tuple(words(self.text))
        positions: dict[str, list[int]] = {}
        for index, token in enumerate(tokens):
            positions.setdefault(token, []).append(index)
        object.__setattr__(self, "tokens", tokens)
        object.__setattr__(self, "positions", positions)


@dataclass
class Rule:
    """An antenna's rules, compiled."""

    antenna_id: int
    owner_id: int
    keywords: list[tuple[str, ...]]
    exclude: list[tuple[str, ...]]
    pattern: "regex.Pattern[str] | None"
    account_ids: frozenset[int]
    exclude_account_ids: frozenset[int]
    list_ids: frozenset[int]
    exclude_list_ids: frozenset[int]
    languages: frozenset[str]
    with_media_only: bool
    with_links_only: bool
    exclude_replies: bool

    def accepts(self, arrival: Arrival, lists: frozenset[int]) -> bool:
        """All the rules hold; ``lists`` are the owners' lists the author belongs to."""
        if self.exclude_replies and arrival.is_reply:
            return False
        if self.with_media_only and not arrival.has_media:
            return False
        if self.with_links_only and not arrival.has_links:
            return False
        if self.languages and arrival.language.split("-")[0].lower() not in self.languages:
            return False
        if self.account_ids and arrival.author_id not in self.account_ids:
            return False
        if arrival.author_id is not None and arrival.author_id in self.exclude_account_ids:
            return False
        if self.list_ids and not (self.list_ids & lists):
            return False
        if self.exclude_list_ids & lists:
            return False
        positions = arrival.positions
        if self.keywords and not any(
            phrase_in(k, arrival.tokens, positions) for k in self.keywords
        ):
            return False
        if any(phrase_in(k, arrival.tokens, positions) for k in self.exclude):
            return False
        return self.pattern is None or regex_matches(self.pattern, arrival.text)


def regex_matches(pattern: "regex.Pattern[str]", text: str) -> bool:
    """A search cut short after ``REGEX_TIMEOUT`` seconds, which counts as no match."""
    try:
        return pattern.search(text, timeout=REGEX_TIMEOUT) is not None
    except TimeoutError:
        logger.warning("antenna regex %r timed out", pattern.pattern)
        return False


def compile_pattern(source: str) -> "regex.Pattern[str]":
    return regex.compile(source, regex.IGNORECASE | regex.UNICODE)


def phrases(values: Iterable[str]) -> list[tuple[str, ...]]:
    return [p for p in (tuple(words(v)) for v in values) if p]


class Index:
    """Antennas by word, author and list, plus those only a regex can find."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: dict[int, Rule] = {}
        self.by_word: dict[str, list[int]] = {}
        self.by_author: dict[int, list[int]] = {}
        self.by_list: dict[int, list[int]] = {}
        self.scan: list[int] = []
        for rule in rules:
            self.add(rule)

    def add(self, rule: Rule) -> None:
        self.rules[rule.antenna_id] = rule
        if rule.keywords:
            for phrase in rule.keywords:
                self.by_word.setdefault(max(phrase, key=len), []).append(rule.antenna_id)
        elif rule.account_ids:
            for account_id in rule.account_ids:
                self.by_author.setdefault(account_id, []).append(rule.antenna_id)
        elif rule.list_ids:
            for list_id in rule.list_ids:
                self.by_list.setdefault(list_id, []).append(rule.antenna_id)
        else:
            self.scan.append(rule.antenna_id)

    @property
    def uses_lists(self) -> bool:
        return any(r.list_ids or r.exclude_list_ids for r in self.rules.values())

    def candidates(self, arrival: Arrival, lists: frozenset[int]) -> set[int]:
        found: set[int] = set(self.scan)
        for token in arrival.positions:
            found.update(self.by_word.get(token, ()))
        if arrival.author_id is not None:
            found.update(self.by_author.get(arrival.author_id, ()))
        for list_id in lists:
            found.update(self.by_list.get(list_id, ()))
        return found

    def match(self, arrival: Arrival, lists: frozenset[int] = frozenset()) -> list[Rule]:
        """The antennas whose every rule holds for ``arrival``, by id."""
        return [
            self.rules[i]
            for i in sorted(self.candidates(arrival, lists))
            if self.rules[i].accepts(arrival, lists)
        ]


class CompiledRules:
    """Each antenna's compiled ``Rule`` and the stamp (time of change) it was compiled at."""

    def __init__(self) -> None:
        self._rules: dict[int, tuple[object, Rule]] = {}

    def rules(
        self, stamps: dict[int, object], compile_rules: Callable[[list[int]], Iterable[Rule]]
    ) -> list[Rule]:
        """The rules of the antennas in ``stamps`` (id to stamp); ``compile_rules`` is
        given the ids whose stamp changed, and forgotten antennas are dropped."""
        stale = [i for i, stamp in stamps.items() if self._rules.get(i, (None,))[0] != stamp]
        for rule in compile_rules(stale):
            self._rules[rule.antenna_id] = (stamps[rule.antenna_id], rule)
        self._rules = {i: self._rules[i] for i in stamps if i in self._rules}
        return [rule for _stamp, rule in self._rules.values()]


_cached: dict[str, object] = {}
_lock = threading.Lock()


def current_index(version: object, build: Callable[[], Index]) -> Index:
    """This process's index, rebuilt by ``build`` when ``version`` differs from the one
    it was built at (the antennas changed since)."""
    with _lock:
        if _cached.get("version") != version or "index" not in _cached:
            _cached["index"] = build()
            _cached["version"] = version
        index = _cached["index"]
    assert isinstance(index, Index)
    return index
