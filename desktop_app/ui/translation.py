"""The window in the person's language: Lanyard's catalog (core/i18n.py), Qt's own words
(standard buttons, a line edit's context menu) from the qtbase_<lang>.qm that PySide6 ships in
QLibraryInfo's TranslationsPath, QLocale's numbers and dates, and right-to-left layout for
Arabic, where the whole window mirrors (untrusted text keeps its own direction: widgets.py)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QDateTime, QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtWidgets import QApplication

from desktop_app.core import i18n

log = logging.getLogger(__name__)


def window_language(setting: str) -> str:
    """The setting's language; ``system`` is the first of QLocale.system()'s UI languages that
    Lanyard ships (on Linux Qt reads LANGUAGE, LC_ALL, LC_MESSAGES and LANG)."""
    code = setting.strip().lower()
    if code in i18n.LANGUAGES:
        return code
    return i18n.first_shipped(QLocale.system().uiLanguages())


def qt_translations_dir() -> str:
    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


def install(app: QApplication, setting: str) -> str:
    """Everything the window says in the language of ``setting`` from now on (call before any
    widget is made); returns the language code in force."""
    language = window_language(setting)
    i18n.install(language)
    language = i18n.current_language()  # English when the catalog could not be read
    for old in app.findChildren(QTranslator, "lanyard_qt_translator"):
        app.removeTranslator(old)
        old.setParent(None)
        old.deleteLater()
    QLocale.setDefault(QLocale(language))
    if language != "en":
        translator = QTranslator(app)
        translator.setObjectName("lanyard_qt_translator")
        if translator.load(f"qtbase_{language}", qt_translations_dir()):
            app.installTranslator(translator)
        else:  # Lanyard's words still are; only the standard buttons stay English
            log.warning(
                "Qt's own %s translation was not found in %s", language, qt_translations_dir()
            )
    app.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft
        if i18n.is_right_to_left(language)
        else Qt.LayoutDirection.LeftToRight
    )
    return language


def local_time(epoch: float, pattern: str = "HH:mm:ss") -> str:
    """A moment in local time, in a fixed pattern (24-hour, ISO dates: as Lanyard shows times in
    every language) with the digits of the language in force (QLocale's: Arabic-Indic in
    Arabic)."""
    return QLocale().toString(QDateTime.fromSecsSinceEpoch(int(epoch)), pattern)
