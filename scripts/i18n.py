"""The translation catalogs: ``python scripts/i18n.py`` finds every marked string in the package,
adds the new ones (untranslated) to each desktop_app/locale/<lang>/LC_MESSAGES/lanyard.po, drops
the ones gone from the source and compiles each .po to the .mo Lanyard loads.
``python scripts/i18n.py --new fr`` starts a language (then add it to core/i18n.py's LANGUAGES).
Pure Python (desktop_app/core/po_files.py): no GNU gettext tools needed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from desktop_app.core import i18n, po_files  # noqa: E402

# nplurals and the rule choosing a form, per language (GNU gettext's manual, "Plural forms")
PLURAL_FORMS = {
    "de": "nplurals=2; plural=(n != 1);",
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 "
    ": n%100>=11 ? 4 : 5);",
}


def source_files() -> list[Path]:
    package = REPO / "desktop_app"
    return sorted(
        path
        for path in package.rglob("*.py")
        if "sandbox" not in path.relative_to(package).parts and path.name != "po_files.py"
    )


def po_path(language: str) -> Path:
    return i18n.LOCALE_DIR / language / "LC_MESSAGES" / f"{i18n.DOMAIN}.po"


def header(language: str) -> str:
    forms = PLURAL_FORMS.get(language, "nplurals=2; plural=(n != 1);")
    return (
        "Project-Id-Version: Lanyard\n"
        f"Language: {language}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        f"Plural-Forms: {forms}\n"
    )


def languages() -> list[str]:
    return sorted(path.parent.parent.name for path in i18n.LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


def update(language: str) -> tuple[int, int]:
    path = po_path(language)
    catalog = po_files.read_po(path) if path.exists() else po_files.Catalog(header(language), [])
    merged = po_files.merge(catalog, po_files.extract(source_files(), REPO))
    nplurals = int(PLURAL_FORMS.get(language, "nplurals=2").split("=")[1].split(";")[0])
    for entry in merged.entries:
        if entry.msgid_plural and len(entry.msgstr) != nplurals:
            entry.msgstr = (entry.msgstr + [""] * nplurals)[:nplurals]
    path.parent.mkdir(parents=True, exist_ok=True)
    po_files.write_po(path, merged)
    path.with_suffix(".mo").write_bytes(po_files.compile_mo(merged))
    missing = sum(1 for entry in merged.entries if not entry.translated)
    return len(merged.entries), missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new", metavar="LANG", help="start a catalog for this language code")
    args = parser.parse_args()
    wanted = languages()
    if args.new:
        wanted = sorted({*wanted, args.new})
    for language in wanted:
        total, missing = update(language)
        print(f"{language}: {total} strings, {missing} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
