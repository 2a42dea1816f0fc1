"""The PySide6 emit() reference leak on True (qt_compat), in child processes: without the
work-around 200,000 emits abort the interpreter on an affected binding; with it they do not."""

from __future__ import annotations

import subprocess
import sys

import pytest

from desktop_app import qt_compat
from tests.conftest import REPO

EMITS = """
import sys
from PySide6.QtCore import QObject, Signal
{prelude}
class O(QObject):
    fired = Signal(object)
o = O()
for _ in range(200_000):
    o.fired.emit(1)
print("survived")
"""


def run(prelude: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", EMITS.format(prelude=prelude)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_many_emits_survive_once_lanyards_workers_are_loaded() -> None:
    result = run("import desktop_app.workers")
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
