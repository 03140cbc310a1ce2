"""The English catalogue: complete, and the committed .mo compiled from the .po."""

import ast
import gettext
from pathlib import Path

import fengqiao

MESSAGES = Path(fengqiao.__file__).parent / "locale" / "en" / "LC_MESSAGES"


def po_entries(path: Path) -> dict[str, str]:
    """msgid -> msgstr of a .po file (no plurals or contexts are used), fuzzy ones marked."""
    entries: dict[str, str] = {}
    fuzzy = False
    field, parts = None, {"msgid": [], "msgstr": []}

    def flush():
        nonlocal fuzzy
        msgid = "".join(parts["msgid"])
        if msgid:
            entries[msgid] = None if fuzzy else "".join(parts["msgstr"])
        parts["msgid"], parts["msgstr"], fuzzy = [], [], False

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith(("msgid ", "msgstr ")):
            field, _, literal = line.partition(" ")
            if field == "msgid" and parts["msgstr"]:
                flush()
            parts[field].append(ast.literal_eval(literal))
        elif line.startswith('"') and field:
            parts[field].append(ast.literal_eval(line))
        elif not line.strip():
            if parts["msgstr"]:
                flush()
            field = None
    return entries


def test_every_english_message_is_translated_and_none_is_fuzzy():
    entries = po_entries(MESSAGES / "django.po")

    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]

    assert len(entries) > 300
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    with (MESSAGES / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)

    stale = [
        msgid
        for msgid, msgstr in po_entries(MESSAGES / "django.po").items()
        if catalogue.gettext(msgid) != msgstr
    ]

    assert stale == [], "run django-admin compilemessages in src/fengqiao"
