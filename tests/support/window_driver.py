"""Driving the window in a test: wait for a session state, sign in with the Sign in button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.session.controller import SessionController
from desktop_app.session.state import State
from desktop_app.ui.main_window import MainWindow

TIMEOUT_MS = 20_000


def wait_state(qtbot: QtBot, session: SessionController, state: State) -> None:
    qtbot.waitUntil(lambda: session.state is state, timeout=TIMEOUT_MS)


def sign_in(qtbot: QtBot, window: MainWindow, session: SessionController) -> None:
    wait_state(qtbot, session, State.SIGNED_OUT)
    assert window.stack.currentWidget() is window.welcome_page
    qtbot.mouseClick(window.welcome_page.sign_in_button, Qt.MouseButton.LeftButton)
    wait_state(qtbot, session, State.SIGNED_IN)
    qtbot.waitUntil(
        lambda: window.profile_panel.value_text("displayName") != "", timeout=TIMEOUT_MS
    )
