"""The French and English catalogues hold every string the code marks for translation
(that each French entry is translated is checked in web/tests/test_locale.py).

The project-wide catalogue lives in ``babillard/locale``; an app with its own ``locale``
folder keeps its strings there, where ``make messages`` puts them."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

PACKAGE = Path(__file__).resolve().parent.parent / "babillard"


@pytest.fixture(scope="module")
def fresh_copy(tmp_path_factory) -> Path:
    """Extract the project's strings anew into a copy of the package."""
    copy = tmp_path_factory.mktemp("extract") / "babillard"
    shutil.copytree(
        PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static", "migrations")
    )
    cwd = Path.cwd()
    try:
        os.chdir(copy)
        call_command("makemessages", locale=["fr"], no_location=True, verbosity=0)
    finally:
        os.chdir(cwd)
    return copy


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalogue_holds_every_marked_string(fresh_copy, language):
    extracted = sorted(fresh_copy.rglob("locale/fr/LC_MESSAGES/django.po"))
    assert extracted
    for fresh_template in extracted:
        folder = fresh_template.relative_to(fresh_copy).parents[2]
        catalogue = PACKAGE / folder / language / "LC_MESSAGES" / "django.po"
        assert catalogue.exists(), f"run `make messages`: {catalogue} is missing"
        result = subprocess.run(
            ["msgcmp", "--use-untranslated", str(catalogue), str(fresh_template)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, (
            f"run `make messages`, then translate {catalogue}:\n{result.stderr[-3000:]}"
        )
