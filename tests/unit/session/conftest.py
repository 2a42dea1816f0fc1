from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject

from desktop_app.session.workers import Generation, Jobs, Worker
from tests.session.conftest import (  # noqa: F401 (a fixture, used by name)
    _collect_qt_garbage_on_the_gui_thread,
)


@pytest.fixture
def owner() -> Iterator[QObject]:
    """The parts' parent, as the controller is theirs. A job a worker thread still holds may
    drop the last Python reference to a part there: a part without a parent would then be
    destroyed on that thread. This one goes after the workers have stopped (see ``jobs``)."""
    parent = QObject()
    yield parent
    del parent  # here, on the GUI thread, with every part made in the test


@pytest.fixture
def jobs(owner: QObject) -> Iterator[Jobs]:
    """The auth worker, the network pool and the stale-result guard, as the controller makes
    them; stopped after the test (before ``owner`` goes)."""
    made = Jobs(Worker("auth", threads=1), Worker("net", threads=2), Generation())
    yield made
    assert made.auth.stop(2.0)
    assert made.net.stop(2.0)
