"""Help > About Lanyard shows the one version number and the versions of what Lanyard runs on."""

from __future__ import annotations

import tomllib
from importlib.metadata import version

import msal
import PySide6
from PySide6.QtCore import Qt, qVersion
from pytestqt.qtbot import QtBot

from desktop_app import __version__
from desktop_app.ui.about import AboutDialog
from desktop_app.ui.main_window import MainWindow
from tests.conftest import REPO


def open_about(qtbot: QtBot) -> tuple[MainWindow, AboutDialog]:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    assert [a.text() for a in window.menuBar().actions()][-1] == "&Help"
    window.about_action.trigger()
    dialog = window.findChild(AboutDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return window, dialog


def test_version_comes_from_pyproject() -> None:
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert __version__ == declared == version("lanyard")


def test_about_box_names_the_version_and_the_components(qtbot: QtBot) -> None:
    _, dialog = open_about(qtbot)
    assert dialog.title.text() == f"Lanyard {__version__}"
    lines = dialog.components.text().splitlines()
    assert lines == [
        f"Qt {qVersion()}",
        f"PySide6 {PySide6.__version__}",
        f"MSAL Python {msal.__version__}",
        lines[3],
    ]
    assert lines[3].startswith("Python 3.")
    assert "MIT" in dialog.licence.text()
    # open(), not exec(): window-modal without a nested event loop
    assert dialog.windowModality() is Qt.WindowModality.WindowModal


def test_about_box_opens_once_and_closes(qtbot: QtBot) -> None:
    window, dialog = open_about(qtbot)
    window.about_action.trigger()  # a second click raises the same box, never a second one
    assert window.findChildren(AboutDialog) == [dialog]
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible())
