"""Lanyard's own words in the person's language: one gettext catalog, ``lanyard``, shared by the
window, the browser's landing page and the terminal commands
(``desktop_app/locale/<lang>/LC_MESSAGES/lanyard.mo``, compiled from the ``.po`` beside it by
core/po_files.py).

Cheap to import: only ``gettext`` (which argparse loads anyway) and ``os``. A catalog is read
when a language other than English is installed, never before; until then ``_`` returns its
argument. Strings are marked with ``_("...")`` where they are used, ``N_("...")`` where they are
defined ahead of use (module constants, translated where shown), ``ngettext`` for counts (Arabic
has six plural forms: the catalog's Plural-Forms picks one). A placeholder is named,
``{name}``, so a translation may move it.

Untrusted text (names, claims, JSON) is never a msgid: it is a value put into a placeholder.
"""

from __future__ import annotations

import gettext
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

log = logging.getLogger(__name__)

DOMAIN = "lanyard"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
# the languages shipped complete; English is the source and has no catalog
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch", "ar": "العربية"}
LANGUAGE_CHOICES = ("system", *LANGUAGES)
RIGHT_TO_LEFT = frozenset({"ar"})

_catalog: gettext.NullTranslations | None = None
_language = "en"
_msgids: dict[str, str] | None = None  # the installed catalog's translations -> msgids


def N_(message: str) -> str:
    """Marks ``message`` for the catalog where it is defined; ``_`` translates it where shown."""
    return message


def _(message: str) -> str:
    if _catalog is None or not message:
        return message
    return _catalog.gettext(message)


def msgid_of(text: str) -> str:
    """The message ``text`` is a translation of (its msgid, in English), or ``text`` itself
    when it is no translation (English, or a message put together from parts): what matches
    a message by its identity rather than by its words in the language shown."""
    global _msgids
    if _catalog is None:
        return text
    if _msgids is None:
        table = getattr(_catalog, "_catalog", {})
        _msgids = {
            str(translated): str(msgid)
            for msgid, translated in table.items()
            if isinstance(msgid, str) and msgid and translated
        }
    return _msgids.get(text, text)


def ngettext(singular: str, plural: str, n: int) -> str:
    if _catalog is None:
        return singular if n == 1 else plural
    return _catalog.ngettext(singular, plural, n)


def current_language() -> str:
    return _language


def is_right_to_left(language: str | None = None) -> bool:
    return (language or _language) in RIGHT_TO_LEFT


def language_code(tag: str) -> str:
    """``de_AT.UTF-8``, ``de-DE``, ``ar_EG@latin`` -> ``de``, ``de``, ``ar`` (lower case)."""
    return tag.split(".")[0].split("@")[0].replace("-", "_").split("_")[0].strip().lower()


def system_language(environ: Mapping[str, str] | None = None) -> str:
    """The language of the system locale as GNU gettext chooses it: LANGUAGE (a list, ignored
    under the C locale), then LC_ALL, LC_MESSAGES, LANG; the first one Lanyard ships, else
    English."""
    env = os.environ if environ is None else environ
    locale_name = next(
        (env[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(name)), ""
    )
    if locale_name in ("C", "POSIX") or locale_name.startswith("C."):
        return "en"
    if not locale_name and not env.get("LANGUAGE"):
        # Windows sets none of them, nor does macOS outside Terminal: the OS's own setting
        return first_shipped(os_languages())
    return first_shipped([*env.get("LANGUAGE", "").split(":"), locale_name])


def os_languages(platform: str = sys.platform, home: Path | None = None) -> list[str]:
    """The person's display languages as the OS keeps them, in order: Windows' user interface
    language (GetUserDefaultUILanguage, named by the standard library's table of Windows
    language ids), macOS's AppleLanguages; none elsewhere (Linux has the variables)."""
    if platform == "win32":
        import ctypes
        import locale

        try:
            langid = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
        except (AttributeError, OSError):
            return []
        name = locale.windows_locale.get(int(langid), "")
        return [name] if name else []
    if platform == "darwin":
        import plistlib

        from desktop_app.core.policy_macos import PLIST_DAMAGE  # (it imports this module)

        where = (home or Path.home()) / "Library" / "Preferences" / ".GlobalPreferences.plist"
        try:
            data = plistlib.loads(where.read_bytes())
        except (OSError, *PLIST_DAMAGE) as exc:  # the window's QLocale still knows
            log.debug("The OS languages were not read from %s: %s", where, exc)
            return []
        found = data.get("AppleLanguages") if isinstance(data, dict) else None
        return [tag for tag in found if isinstance(tag, str)] if isinstance(found, list) else []
    return []


def first_shipped(tags: Sequence[str]) -> str:
    """The first of ``tags`` (language tags in the order wanted) that Lanyard ships, else en."""
    for tag in tags:
        code = language_code(tag) if tag else ""
        if code in LANGUAGES:
            return code
    return "en"


def early_language(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str:
    """The language for the command line's own help and errors, before the settings are read:
    --language, else LANYARD_LANGUAGE, else the system locale (the settings file's and the
    policy's language take over once a command runs). A wrong value means the system's here;
    the settings check names it."""
    env = os.environ if environ is None else environ
    wanted = env.get("LANYARD_LANGUAGE", "")
    for i, word in enumerate(argv):
        if word == "--":
            break
        if word == "--language" and i + 1 < len(argv):
            wanted = argv[i + 1]
        elif word.startswith("--language="):
            wanted = word.partition("=")[2]
    return resolve(wanted, env)


def resolve(setting: str, environ: Mapping[str, str] | None = None) -> str:
    """The setting's language: ``system`` (or nothing) is the system locale's."""
    code = setting.strip().lower()
    if code in LANGUAGES:
        return code
    return system_language(environ)


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


def install(language: str) -> None:
    """Lanyard's words (and argparse's) in ``language`` from now on; English needs no catalog.
    A missing catalog (a damaged install) leaves English rather than failing."""
    global _catalog, _language, _msgids
    import argparse

    _msgids = None

    if language == "en" or language not in LANGUAGES:
        _catalog, _language = None, "en"
        argparse._ = gettext.gettext  # type: ignore[attr-defined]
        argparse.ngettext = gettext.ngettext  # type: ignore[attr-defined]
        return
    try:
        with catalog_path(language).open("rb") as file:
            _catalog = gettext.GNUTranslations(file)
    except OSError:
        _catalog, _language = None, "en"
        return
    _language = language
    # argparse translates its own words ("usage: ", "options") through gettext's global
    # domain; its module names the functions it calls, so ours answer for it
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


# argparse's words a person sees (Lib/argparse.py's _() calls), in the catalog with ours
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("expected at most one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("invalid %(type)s value: %(value)r"),
    N_("one of the arguments %s is required"),
)


# how numbers are written: (thousands separator, decimal separator, digits), as QLocale writes
# them in the window (Arabic: Arabic-Indic digits)
_NUMBER_FORMS: dict[str, tuple[str, str, str]] = {
    "en": (",", ".", "0123456789"),
    "de": (".", ",", "0123456789"),
    "ar": ("\u066c", "\u066b", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"),
}


def number(value: float, places: int = 0) -> str:
    """``value`` with thousands grouped and ``places`` decimals, as the language writes it."""
    group, point, digits = _NUMBER_FORMS.get(_language, _NUMBER_FORMS["en"])
    text = f"{value:,.{places}f}"
    table = {",": group, ".": point} | {str(i): digits[i] for i in range(10)}
    return "".join(table.get(ch, ch) for ch in text)


def digits(text: str) -> str:
    """``text`` with its ASCII digits in the language's (Arabic-Indic in Arabic), as QLocale
    writes them in the window; other characters as they are."""
    shown = _NUMBER_FORMS.get(_language, _NUMBER_FORMS["en"])[2]
    if shown == "0123456789":
        return text
    return text.translate(str.maketrans("0123456789", shown))


def relative_time(seconds: float) -> str:
    """``seconds`` from now as a person says it: 'in 5 min', '3.0 h ago', 'now' (negative: the
    past). The units' plural forms come from the catalog (Arabic's dual and few)."""
    ahead = seconds >= 0
    amount = abs(seconds)
    if amount < 1:
        return _("now")
    if amount < 60:
        n = int(amount)
        if ahead:
            return ngettext("in {n} s", "in {n} s", n).format(n=number(n))
        return ngettext("{n} s ago", "{n} s ago", n).format(n=number(n))
    if amount < 3600:
        n = int(amount // 60)
        if ahead:
            return ngettext("in {n} min", "in {n} min", n).format(n=number(n))
        return ngettext("{n} min ago", "{n} min ago", n).format(n=number(n))
    if amount < 86400 * 2:
        # a fraction: the plural form of a whole number near it (what a person would say)
        hours, n = number(amount / 3600, 1), round(amount / 3600)
        if ahead:
            return ngettext("in {n} h", "in {n} h", n).format(n=hours)
        return ngettext("{n} h ago", "{n} h ago", n).format(n=hours)
    n = int(amount // 86400)
    if ahead:
        return ngettext("in {n} day", "in {n} days", n).format(n=number(n))
    return ngettext("{n} day ago", "{n} days ago", n).format(n=number(n))
