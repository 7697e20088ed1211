"""Set Chinese translations in the catalogue: python scripts/translate.py 'msgid=译文' ..."""

import sys

import polib

PO = "locale/zh_Hans/LC_MESSAGES/django.po"
po = polib.pofile(PO)
for pair in sys.argv[1:]:
    msgid, msgstr = pair.split("=", 1)
    entry = po.find(msgid)
    if entry is None:
        sys.exit(f"not in catalogue: {msgid}")
    entry.msgstr = msgstr
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
po.save(PO)
missing = [e.msgid for e in po if e.msgid and not e.translated()]
print("untranslated:", missing or "none")
