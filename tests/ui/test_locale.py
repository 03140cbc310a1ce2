"""The English catalogue: complete, and the committed .mo compiled from the .po."""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import fengqiao

MESSAGES = Path(fengqiao.__file__).parent / "locale" / "en" / "LC_MESSAGES"


@dataclass
class Entry:
    msgid: str = ""
    plural: str = ""
    msgstrs: list[str] = field(default_factory=list)  # one, or one per plural form
    fuzzy: bool = False


def po_entries(path: Path) -> list[Entry]:
    """The entries of a .po file (msgctxt is not used in this project)."""
    entries, entry, target = [], Entry(), None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        keyword = re.match(r"(msgid_plural|msgid|msgstr(?:\[\d+\])?) (.*)", line)
        if line.startswith("#,") and "fuzzy" in line:
            entry.fuzzy = True
        elif keyword:
            name, literal = keyword.groups()
            text = ast.literal_eval(literal)
            if name.startswith("msgstr"):
                entry.msgstrs.append(text)
                target = ("msgstrs", len(entry.msgstrs) - 1)
            else:
                attr = "plural" if name == "msgid_plural" else "msgid"
                setattr(entry, attr, text)
                target = (attr, None)
        elif line.startswith('"') and target:
            attr, index = target
            if index is None:
                setattr(entry, attr, getattr(entry, attr) + ast.literal_eval(line))
            else:
                entry.msgstrs[index] += ast.literal_eval(line)
        elif not line.strip():
            if entry.msgid:
                entries.append(entry)
            entry, target = Entry(), None
    return entries


def test_every_english_message_is_translated_and_none_is_fuzzy():
    entries = po_entries(MESSAGES / "django.po")

    untranslated = [e.msgid for e in entries if e.fuzzy or not all(e.msgstrs)]

    assert len(entries) > 300
    assert untranslated == []


def test_compiled_catalogue_matches_the_po_file():
    with (MESSAGES / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)

    stale = []
    for e in po_entries(MESSAGES / "django.po"):
        if e.plural:
            compiled = [catalogue.ngettext(e.msgid, e.plural, n) for n in (1, 2)]
        else:
            compiled = [catalogue.gettext(e.msgid)]
        if compiled != e.msgstrs:
            stale.append(e.msgid)

    assert stale == [], "run django-admin compilemessages in src/fengqiao"
