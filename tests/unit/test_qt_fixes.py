"""The emit() reference workaround: after it, emitting never costs the True object a reference."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

SCRIPT = """
import sys, os
from PySide6.QtCore import QCoreApplication, QObject, Signal
from desktop_app.qt_fixes import fix_signal_emit_refcount
app = QCoreApplication([])
needed = fix_signal_emit_refcount()
class S(QObject):
    plain = Signal()
    value = Signal(object)
    pair = Signal(float, bool)
s = S()
s.value.connect(lambda v: None)
s.pair.connect(lambda a, b: None)
before = sys.getrefcount(True)
for _ in range(20000):  # far more than True's references: without the fix this aborts
    s.plain.emit(); s.value.emit(1); s.pair.emit(1.0, True)
print(needed, before, sys.getrefcount(True), flush=True)
os._exit(0)
"""


def test_emitting_keeps_true_alive() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    needed, before, after = result.stdout.split()
    print("fix needed by this PySide6:", needed)
    assert int(after) >= int(before)
