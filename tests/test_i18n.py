"""No UI string outside the translation catalogue, and the catalogue complete."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_catalogue_is_fully_translated():
    po = polib.pofile(str(PO))
    assert not po.untranslated_entries()
    assert not [e for e in po.fuzzy_entries() if e.msgid]
    compiled = polib.mofile(str(PO.with_suffix(".mo")))
    # Keyed by context too: one English word may read differently in a spreadsheet header.
    assert {(e.msgctxt, e.msgid): e.msgstr for e in compiled if e.msgid and not e.msgid_plural} == {
        (e.msgctxt, e.msgid): e.msgstr
        for e in po
        if not e.obsolete and not e.msgid_plural and e.msgid
    }


def test_every_marked_string_is_in_the_catalogue(tmp_path):
    """makemessages over a copy of the source finds nothing the catalogue lacks.

    makemessages writes into the tree it runs in, so it runs in a copy.
    """
    for name in (
        "portal",
        "filings",
        "documents",
        "workflows",
        "customs",
        "notifications",
        "templates",
        "locale",
    ):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=tmp_path,
        env={
            **os.environ,
            "PORTAL_LOCALE_DIR": str(tmp_path / "locale"),
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "PYTHONPATH": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in fresh if e.msgid and not e.translated()]
    assert missing == [], f"strings without a Chinese translation: {missing}"
