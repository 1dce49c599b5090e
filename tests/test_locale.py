"""The Spanish catalogue is complete and its compiled form matches it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale" / "es" / "LC_MESSAGES"


def translations(catalogue) -> dict:
    return {
        (entry.msgctxt, entry.msgid): entry.msgstr or tuple(sorted(entry.msgstr_plural.items()))
        for entry in catalogue
        if not entry.obsolete and entry.msgid
    }


def test_every_string_is_translated_to_spanish():
    po = polib.pofile(str(LOCALE / "django.po"))
    missing = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not missing, f"untranslated: {missing[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_the_compiled_catalogue_is_up_to_date():
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = polib.mofile(str(LOCALE / "django.mo"))
    assert translations(mo) == translations(po), "run `make messages` and commit the .mo file"


def test_every_string_of_the_code_is_in_the_catalogue(tmp_path):
    """makemessages, run over the code into a copy of locale/, finds no string the catalogue
    lacks: a string wrapped for translation but never extracted would reach Spanish readers in
    English. (The code is linked into a scratch folder, because makemessages writes to the
    `locale/` folder it finds beside the files it reads.)"""
    scratch = tmp_path / "src"
    scratch.mkdir()
    for name in ("certification", "courses", "home", "templates", "site", "manage.py"):
        (scratch / name).symlink_to(ROOT / name)
    shutil.copytree(ROOT / "locale", scratch / "locale")
    command = [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-location", "--symlinks", "-v0"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    subprocess.run(command, cwd=scratch, env=env, check=True, timeout=300)

    def msgids(path):
        return {(e.msgctxt, e.msgid) for e in polib.pofile(str(path)) if not e.obsolete and e.msgid}

    missing = msgids(scratch / "locale" / "es" / "LC_MESSAGES" / "django.po") - msgids(LOCALE / "django.po")
    assert not missing, (
        f"run `manage.py makemessages -l es` and translate: {sorted(m[1] for m in missing)[:10]}"
    )
