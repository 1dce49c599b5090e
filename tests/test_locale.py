"""The Spanish catalogue is complete and its compiled form matches it."""

from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "es" / "LC_MESSAGES"


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
