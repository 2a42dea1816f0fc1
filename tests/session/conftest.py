"""What every test of a real SessionController needs, with a window (tests/gui, which imports
these) or without one (here): the binding's reference-count work-around and Qt's garbage
collected on the GUI thread. (They keep the token cache in a plaintext file: tests/conftest.py
points D-Bus at a bus that does not exist; the keyring has tests of its own.)"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from desktop_app.core.config import Config
from desktop_app.session.controller import SessionController
from desktop_app.session.qt_compat import binding_problem
from desktop_app.session.services import build_services

# the window tests emit thousands of signals in one process: on a binding Lanyard refuses
# (session/qt_compat.py) they would crash it, so they do not start
_BAD_BINDING = binding_problem()
if _BAD_BINDING is not None:
    pytest.exit(_BAD_BINDING, returncode=3)


@pytest.fixture(autouse=True)
def _collect_qt_garbage_on_the_gui_thread() -> Iterator[None]:
    """Collect each test's cyclic garbage here, on the GUI thread: left to chance, a collection
    triggered by an allocation on a worker thread destroys its QObjects there, which Qt answers
    with "Timers cannot be stopped from another thread" and, at times, a segfault."""
    yield
    gc.collect()


@pytest.fixture
def start_session() -> Iterator[Callable[..., SessionController]]:
    """A real SessionController, started, with no window; shut down after the test.

    Keyword arguments go to the SessionController (a fake clock, a short browser timeout...).
    """
    sessions: list[SessionController] = []

    def make(config: Config, **session_options: Any) -> SessionController:
        session = SessionController(
            lambda notice: build_services(config, True, notice), **session_options
        )
        sessions.append(session)
        session.start()
        return session

    yield make
    for session in sessions:
        assert session.shutdown(5.0)
    sessions.clear()
