"""The matcher: folding, whole words, phrases, the index and its rules."""

from babillard.watch.matching import Arrival, CompiledRules, Index, Rule, fold, phrases, words


def rule(antenna_id: int, **changes: object) -> Rule:
    fields: dict[str, object] = {
        "antenna_id": antenna_id,
        "owner_id": 1,
        "keywords": [],
        "exclude": [],
        "pattern": None,
        "account_ids": frozenset(),
        "exclude_account_ids": frozenset(),
        "list_ids": frozenset(),
        "exclude_list_ids": frozenset(),
        "languages": frozenset(),
        "with_media_only": False,
        "with_links_only": False,
        "exclude_replies": False,
    }
    fields.update(changes)
    return Rule(**fields)  # type: ignore[arg-type]


def test_fold_strips_accents_and_case() -> None:
    assert fold("Bibliothèque ÉCOLE Œuvre") == "bibliotheque ecole œuvre"
    assert words("L'atelier « Cairn », CAIRN!") == ["l", "atelier", "cairn", "cairn"]


def test_whole_words_without_stemming() -> None:
    index = Index([rule(1, keywords=phrases(["cairn"]))])
    assert [r.antenna_id for r in index.match(Arrival("Le portail Cairn.info"))] == [1]
    assert [r.antenna_id for r in index.match(Arrival("CAIRN est en panne"))] == [1]
    assert index.match(Arrival("Les Cairnois se réunissent")) == []


def test_phrases_match_in_order_with_accents_folded() -> None:
    index = Index([rule(1, keywords=phrases(["médiathèque numérique"]))])
    assert index.match(Arrival("La MEDIATHEQUE NUMERIQUE ouvre"))
    assert not index.match(Arrival("Numérique, la médiathèque ouvre"))


def test_exclusions_and_filters() -> None:
    index = Index(
        [
            rule(
                1,
                keywords=phrases(["bibliothèque"]),
                exclude=phrases(["offre d'emploi"]),
                languages=frozenset({"fr"}),
                exclude_replies=True,
            ),
            rule(2, keywords=phrases(["bibliothèque"]), with_media_only=True),
            rule(3, keywords=phrases(["bibliothèque"]), with_links_only=True),
        ]
    )
    plain = Arrival("La bibliothèque rouvre", language="fr")
    assert [r.antenna_id for r in index.match(plain)] == [1]
    job = Arrival("Bibliothèque : offre d\u2019emploi", language="fr")
    assert index.match(job) == []
    reply = Arrival("bibliothèque", language="fr", is_reply=True)
    assert index.match(reply) == []
    english = Arrival("bibliotheque", language="en-GB", has_media=True, has_links=True)
    assert [r.antenna_id for r in index.match(english)] == [2, 3]


def test_authors_and_lists_index_without_keywords() -> None:
    index = Index(
        [
            rule(1, account_ids=frozenset({7})),
            rule(2, list_ids=frozenset({3})),
            rule(3, keywords=phrases(["isbn"]), exclude_account_ids=frozenset({7})),
        ]
    )
    assert [r.antenna_id for r in index.match(Arrival("ISBN", author_id=7))] == [1]
    assert [r.antenna_id for r in index.match(Arrival("ISBN", author_id=8))] == [3]
    assert [r.antenna_id for r in index.match(Arrival("x", author_id=9), frozenset({3}))] == [2]


def test_candidates_stay_few_among_many_antennas() -> None:
    index = Index([rule(i, keywords=phrases([f"mot{i}"])) for i in range(10_000)])
    arrival = Arrival("Un texte avec mot42 et mot4242 dedans")
    assert index.candidates(arrival, frozenset()) == {42, 4242}
    assert [r.antenna_id for r in index.match(arrival)] == [42, 4242]


def test_compiled_rules_compile_again_only_what_changed() -> None:
    compiled = CompiledRules()
    asked: list[list[int]] = []

    def compile_rules(antenna_ids: list[int]) -> list[Rule]:
        asked.append(sorted(antenna_ids))
        return [rule(i, keywords=phrases([f"mot{i}"])) for i in antenna_ids]

    compiled.rules({1: "lundi", 2: "lundi"}, compile_rules)
    again = compiled.rules({1: "lundi", 2: "mardi", 3: "mardi"}, compile_rules)
    assert asked == [[1, 2], [2, 3]]
    assert sorted(r.antenna_id for r in again) == [1, 2, 3]
    assert [r.antenna_id for r in compiled.rules({3: "mardi"}, compile_rules)] == [3]
    assert asked[-1] == []
