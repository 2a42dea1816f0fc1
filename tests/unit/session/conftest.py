from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from desktop_app.session.workers import Generation, Worker


@pytest.fixture(autouse=True)
def _collect_qt_garbage_on_the_gui_thread() -> Iterator[None]:
    """As for the window tests (tests/gui/conftest.py): the parts' QObjects are collected here,
    on the GUI thread, never by a collection a worker thread happens to trigger."""
    yield
    gc.collect()


@dataclass
class Workers:
    auth: Worker
    net: Worker
    generation: Generation


@pytest.fixture
def workers() -> Iterator[Workers]:
    """The auth worker, the network pool and the stale-result guard, as the controller makes
    them; stopped after the test."""
    made = Workers(Worker("auth", threads=1), Worker("net", threads=2), Generation())
    yield made
    assert made.auth.stop(2.0)
    assert made.net.stop(2.0)
