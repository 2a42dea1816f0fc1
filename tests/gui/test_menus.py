"""The window's menus, built in one place (MainWindow._add_menus): every action, its mnemonic,
its shortcut and its order, and what each one does."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from desktop_app.ui.main_window import MainWindow


def menu_of(window: MainWindow, title: str) -> QMenu:
    menus = [a.menu() for a in window.menuBar().actions() if a.text() == title]
    assert len(menus) == 1, title  # one menu of each name
    menu = menus[0]
    assert isinstance(menu, QMenu)
    return menu


def test_the_menu_bar_is_file_view_help_with_their_actions_in_order(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    assert [a.text() for a in window.menuBar().actions()] == ["&File", "&View", "&Help"]
    assert [a.text() for a in menu_of(window, "&File").actions()] == [
        "&Settings…",
        "Try the offline de&mo",  # "&Leave the demo" inside it (tests/gui/test_demo.py)
        "",
        "&Quit",
    ]
    assert menu_of(window, "&View").actions() == window.panel_actions
    assert [a.text() for a in window.panel_actions] == [
        "Profile",
        "Roles",
        "Token && claims",
        "Token inspector",
        "Call an API",
    ]
    assert [a.shortcut().toString() for a in window.panel_actions] == [
        "Ctrl+1",
        "Ctrl+2",
        "Ctrl+3",
        "Ctrl+4",
        "Ctrl+5",
    ]
    help_actions = menu_of(window, "&Help").actions()
    assert [a.text() for a in help_actions] == ["Save &diagnostics…", "", "&About Lanyard"]
    assert help_actions[1].isSeparator()
    assert help_actions[0] is window.diagnostics_action
    assert help_actions[2] is window.about_action


def test_settings_comes_first_in_the_file_menu_and_only_asks_for_the_dialog(
    qtbot: QtBot,
) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    settings, _demo, _separator, quit_action = menu_of(window, "&File").actions()
    assert settings is window.settings_action
    preferences = QKeySequence(QKeySequence.StandardKey.Preferences)
    expected = preferences if not preferences.isEmpty() else QKeySequence("Ctrl+,")
    assert not settings.shortcut().isEmpty()
    assert settings.shortcut() == expected
    assert settings.menuRole() is QAction.MenuRole.PreferencesRole  # macOS: the app menu
    assert quit_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)
    with qtbot.waitSignal(window.settings_requested, timeout=1000):
        settings.trigger()


def test_quit_closes_the_window(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    quit_action = menu_of(window, "&File").actions()[-1]
    quit_action.trigger()
    assert not window.isVisible()
