"""PySide6 6.12.0's reference leaks on True and None (qt_compat), in child processes: without
the work-around 200,000 emits abort the interpreter on an affected binding; with it, those and
more void calls than there are references to None do not."""

from __future__ import annotations

import subprocess
import sys

import pytest

from desktop_app.session import qt_compat
from tests.conftest import REPO

EMITS = """
import sys
from PySide6.QtCore import QObject, QTimer, Signal
{prelude}
class O(QObject):
    fired = Signal(object)
o = O()
timer = QTimer()
for _ in range(200_000):
    o.fired.emit(1)
for _ in range({stops}):
    timer.stop()
print("survived")
"""


def run(prelude: str, stops: int = 0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", EMITS.format(prelude=prelude, stops=stops)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_many_emits_survive_once_lanyards_workers_are_loaded() -> None:
    # a fresh interpreter holds some tens of thousands of references to None
    result = run("import desktop_app.session.workers", stops=2_000_000)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "survived"


@pytest.mark.skipif(
    sys.version_info >= (3, 12) or not qt_compat.emit_drops_a_reference_to_true(),
    reason="this Qt binding's emit() keeps its references to True",
)
def test_without_the_work_around_the_binding_aborts() -> None:
    result = run("")
    assert result.returncode != 0
    assert "bool_dealloc" in result.stderr
