from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.core.config import Config
from desktop_app.session.controller import SessionController
from desktop_app.session.services import build_services
from desktop_app.ui.main_window import MainWindow

# the conditions of every test of a real session (the sandbox fixture is in tests/conftest.py)
from tests.session.conftest import (  # noqa: F401 (fixtures, used by name)
    _collect_qt_garbage_on_the_gui_thread,
)


@pytest.fixture
def open_window(
    qtbot: QtBot,
) -> Iterator[Callable[..., tuple[MainWindow, SessionController]]]:
    """A real main window wired to a real SessionController; shut down after the test.

    Keyword arguments go to the SessionController (a fake clock, a short browser timeout...).
    """
    sessions: list[SessionController] = []

    def make(config: Config, **session_options: Any) -> tuple[MainWindow, SessionController]:
        window = MainWindow()
        qtbot.addWidget(window)
        session = SessionController(
            lambda notice: build_services(config, True, notice), **session_options
        )
        window.attach(session, config.cloud.name, config.sandbox)
        sessions.append(session)
        window.show()
        session.start()
        return window, session

    yield make
    for session in sessions:
        assert session.shutdown(5.0)
    sessions.clear()


def profile(tmp_path: Path) -> Path:
    return tmp_path / "profile"
