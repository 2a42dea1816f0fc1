"""The Qt binding Lanyard accepts (session/qt_compat.py): the one installed from pyproject.toml
runs a long window without any work-around, and a leaking one is refused at start, in words."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from desktop_app.session import qt_compat
from desktop_app.ui import app as window_app
from tests.conftest import REPO

EMITS = """
import sys
from PySide6.QtCore import QObject, QTimer, Signal
class O(QObject):
    fired = Signal(object)
o = O()
timer = QTimer()
for _ in range(200_000):
    o.fired.emit(1)
for _ in range(2_000_000):  # more than the references a fresh interpreter holds to None
    timer.stop()
print("survived")
"""


def test_the_required_binding_survives_a_long_run_with_no_work_around() -> None:
    """On 6.12.0 (Python 3.11) this aborts with bool_dealloc or none_dealloc; pyproject.toml
    excludes it, and nothing of Lanyard's is loaded here to pin anything."""
    result = subprocess.run(
        [sys.executable, "-c", EMITS],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "survived"
    assert qt_compat.binding_problem() is None


@pytest.mark.parametrize(
    ("true_leaks", "none_leaks", "named"),
    [(True, False, "True"), (False, True, "None"), (True, True, "True and None")],
)
def test_a_leaking_binding_is_named_with_the_fix(
    monkeypatch: pytest.MonkeyPatch, true_leaks: bool, none_leaks: bool, named: str
) -> None:
    monkeypatch.setattr(sys, "version_info", (3, 11, 7, "final", 0))
    monkeypatch.setattr(qt_compat, "emit_drops_a_reference_to_true", lambda: true_leaks)
    monkeypatch.setattr(qt_compat, "void_call_drops_a_reference_to_none", lambda: none_leaks)
    problem = qt_compat.binding_problem()
    assert problem is not None
    assert f"loses references to {named}," in problem
    assert "!=6.12.0" in problem and "Python 3.12" in problem


def test_python_312_makes_the_leak_harmless(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "version_info", (3, 12, 0, "final", 0))
    monkeypatch.setattr(qt_compat, "emit_drops_a_reference_to_true", lambda: True)
    assert qt_compat.binding_problem() is None


def test_the_window_refuses_a_leaking_binding_with_its_own_exit_status(
    qapp,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(qt_compat, "binding_problem", lambda: "This PySide6 (6.12.0) leaks.")
    assert window_app.refuse_a_bad_binding() == window_app.EXIT_BAD_BINDING
    assert "Lanyard cannot start: This PySide6 (6.12.0) leaks." in capsys.readouterr().err
    monkeypatch.setattr(qt_compat, "binding_problem", lambda: None)
    assert window_app.refuse_a_bad_binding() is None
