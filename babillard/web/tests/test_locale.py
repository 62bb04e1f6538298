"""The French catalogue is complete and compiled; the interface speaks it."""

import re
from pathlib import Path

from django.utils import translation

PACKAGE = Path(__file__).resolve().parents[2]
LOCALE = PACKAGE / "locale"


def _entries(po: str) -> list[tuple[str, list[str]]]:
    entries = []
    for block in po.split("\n\n"):
        if "#, fuzzy" in block:
            entries.append(("fuzzy", []))
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        strs = re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        if msgid:
            text = "".join(re.findall(r'"(.*)"', msgid.group(1)))
            entries.append((text, ["".join(re.findall(r'"(.*)"', s)) for s in strs]))
    return entries


def test_french_catalogue_is_complete() -> None:
    main = (LOCALE / "fr" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert len(_entries(main)) > 500
    assert (LOCALE / "fr" / "LC_MESSAGES" / "django.mo").stat().st_size > 30_000
    for catalogue in PACKAGE.rglob("locale/fr/LC_MESSAGES/django.po"):
        entries = _entries(catalogue.read_text(encoding="utf-8"))
        untranslated = [msgid for msgid, strs in entries[1:] if not strs or not all(strs)]
        assert untranslated == [], catalogue
        assert catalogue.with_suffix(".mo").exists(), f"run `make messages`: {catalogue}"


def test_french_translations_are_used() -> None:
    with translation.override("fr"):
        assert translation.gettext("Local timeline") == "Fil local"
        assert translation.gettext("This username is already taken.").startswith("Ce nom")
    with translation.override("en"):
        assert translation.gettext("Local timeline") == "Local timeline"
