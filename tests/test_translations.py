"""The French catalogue is complete, and the compiled .mo shipped in the repo matches it."""

import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "articles" / "locale" / "fr" / "LC_MESSAGES"
ENTRY = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) ((?:".*"\n?)+)', re.MULTILINE)


def entries():
    """(msgid, {msgstr keys: text}) for every non-header entry of the .po file."""
    text = (LOCALE / "django.po").read_text()
    for block in text.split("\n\n"):
        if "#, fuzzy" in block:
            yield None, {"fuzzy": block}
            continue
        fields = {key: "".join(re.findall(r'"(.*)"', value)) for key, value in ENTRY.findall(block)}
        if fields.get("msgid"):
            yield fields["msgid"], fields


def test_every_string_is_translated_and_none_is_fuzzy():
    missing = []
    for msgid, fields in entries():
        if msgid is None:
            pytest.fail(f"fuzzy entry: {fields['fuzzy'][:200]}")
        translations = [value for key, value in fields.items() if key.startswith("msgstr")]
        if not translations or not all(translations):
            missing.append(msgid)
    assert missing == []


def test_the_compiled_catalogue_matches_the_source():
    with open(LOCALE / "django.mo", "rb") as catalogue:
        compiled = gettext.GNUTranslations(catalogue)
    for msgid, fields in entries():
        if "msgid_plural" in fields:
            continue
        expected = fields["msgstr"].encode().decode("unicode_escape").encode("latin-1").decode()
        original = msgid.encode().decode("unicode_escape").encode("latin-1").decode()
        assert compiled.gettext(original) == expected, msgid
