"""The shipped catalogs: every marked string of the source in each .po, translated in German and
Arabic with the same placeholders, and each committed .mo exactly what its .po compiles to
(core/po_files.py, scripts/i18n.py); the compiler's output read back by Python's gettext."""

from __future__ import annotations

import gettext
import io
import runpy
from pathlib import Path

import pytest

from desktop_app.core import i18n, po_files
from tests.conftest import REPO

SHIPPED = ("de", "ar")
_script = runpy.run_path(str(REPO / "scripts" / "i18n.py"), run_name="i18n_script")


def _po(language: str) -> Path:
    return i18n.LOCALE_DIR / language / "LC_MESSAGES" / "lanyard.po"


@pytest.mark.parametrize("language", SHIPPED)
def test_the_committed_mo_is_what_the_po_compiles_to(language: str) -> None:
    compiled = po_files.compile_mo(po_files.read_po(_po(language)))
    assert i18n.catalog_path(language).read_bytes() == compiled, "run: python scripts/i18n.py"


@pytest.mark.parametrize("language", SHIPPED)
def test_every_marked_string_is_in_the_catalog(language: str) -> None:
    marked = po_files.extract(_script["source_files"](), REPO)
    source = {m.msgid for m in marked}
    catalog = set(po_files.read_po(_po(language)).by_id())
    assert sorted(source - catalog) == [], "new strings: run python scripts/i18n.py"
    assert sorted(catalog - source) == [], "strings gone from the source: run scripts/i18n.py"


@pytest.mark.parametrize("language", SHIPPED)
def test_every_string_is_translated_with_its_placeholders(language: str) -> None:
    catalog = po_files.read_po(_po(language))
    nplurals = int(catalog.header.split("nplurals=")[1].split(";")[0])
    assert nplurals == (6 if language == "ar" else 2)
    untranslated = [e.msgid for e in catalog.entries if not e.translated]
    assert untranslated == []
    wrong = []
    for entry in catalog.entries:
        wanted = po_files.placeholders(entry.msgid_plural or entry.msgid)
        if entry.msgid_plural:
            assert len(entry.msgstr) == nplurals, entry.msgid
            for text in entry.msgstr:  # a form may leave out the count ("two days")
                if not set(po_files.placeholders(text)) <= set(wanted):
                    wrong.append((entry.msgid, text))
        elif po_files.placeholders(entry.msgstr[0]) != wanted:
            wrong.append((entry.msgid, entry.msgstr[0]))
    assert wrong == []


@pytest.mark.parametrize("language", SHIPPED)
def test_translations_keep_the_names_that_are_not_words(language: str) -> None:
    """Product names, URLs and command names stay as they are in every translation."""
    kept = ("Lanyard", "Microsoft Entra", "Microsoft Graph", "https://", "lanyard ", "--")
    lost = []
    for entry in po_files.read_po(_po(language)).entries:
        for name in kept:
            if name in entry.msgid and not all(name in text for text in entry.msgstr):
                lost.append((name, entry.msgid))
    assert lost == []


def test_a_po_file_survives_being_read_and_written(tmp_path: Path) -> None:
    catalog = po_files.Catalog(
        _script["header"]("ar"),
        [
            po_files.Entry('say "hi"\n\tthere\\', msgstr=["قل\n"], comments=["#: a.py"]),
            po_files.Entry("{n} day", "{n} days", [f"{i} {{n}}" for i in range(6)]),
            po_files.Entry("fuzzy one", msgstr=["x"], fuzzy=True),
        ],
    )
    path = tmp_path / "x.po"
    po_files.write_po(path, catalog)
    again = po_files.read_po(path)
    assert again == catalog
    assert not again.entries[2].translated  # a fuzzy entry is not compiled


def test_the_compiled_catalog_is_what_gettext_reads() -> None:
    catalog = po_files.Catalog(
        _script["header"]("ar"),
        [
            po_files.Entry("Hello", msgstr=["مرحبًا"]),
            po_files.Entry("{n} day", "{n} days", [f"form{i}" for i in range(6)]),
            po_files.Entry("Untranslated"),
        ],
    )
    reader = gettext.GNUTranslations(io.BytesIO(po_files.compile_mo(catalog)))
    assert reader.gettext("Hello") == "مرحبًا"
    assert reader.gettext("Untranslated") == "Untranslated"
    forms = [reader.ngettext("{n} day", "{n} days", n) for n in (0, 1, 2, 5, 11, 100)]
    assert forms == [f"form{i}" for i in range(6)]


def test_a_marker_without_literal_text_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("x = N_('a')\n_(x)\nN_(x)\n", encoding="utf-8")
    with pytest.raises(po_files.PoError, match=r"m.py:3: N_\(\) needs literal text"):
        po_files.extract([source], tmp_path)
    source.write_text("x = N_('a')\n_(x)\n", encoding="utf-8")  # _(x): marked where defined
    assert [m.msgid for m in po_files.extract([source], tmp_path)] == ["a"]


def test_merge_keeps_translations_adds_new_and_drops_gone() -> None:
    old = po_files.Catalog(
        "h", [po_files.Entry("kept", msgstr=["behalten"]), po_files.Entry("gone", msgstr=["weg"])]
    )
    marked = [
        po_files.Marked("kept", "", "a.py:1"),
        po_files.Marked("new", "", "b.py:2"),
        po_files.Marked("kept", "", "a.py:9"),
    ]
    merged = po_files.merge(old, marked)
    assert [(e.msgid, e.msgstr, e.comments) for e in merged.entries] == [
        ("kept", ["behalten"], ["#: a.py"]),
        ("new", [""], ["#: b.py"]),
    ]


@pytest.mark.parametrize("language", SHIPPED)
def test_no_translation_holds_an_invisible_character(language: str) -> None:
    """Labels show every format character as its escape (core/text.py, for untrusted text):
    a right-to-left mark typed into a translation would show as \\u200f. The window isolates
    what needs it by itself (own_direction)."""
    import unicodedata

    found = [
        (entry.msgid, text)
        for entry in po_files.read_po(_po(language)).entries
        for text in entry.msgstr
        if any(unicodedata.category(ch) in ("Cf", "Cc") and ch not in "\n\t" for ch in text)
    ]
    assert found == []
