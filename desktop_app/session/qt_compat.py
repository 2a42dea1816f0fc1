"""The Qt binding Lanyard accepts: a start-up check, not a work-around.

PySide6-Essentials 6.12.0 returns ``True`` and ``None`` without taking a reference: every
``SignalInstance.emit`` lowers ``sys.getrefcount(True)`` by one, and every call of a method
returning void (``QTimer.start``, ``QLabel.setText``…) lowers ``sys.getrefcount(None)``. On
Python 3.11, where these are ordinary objects, a window that runs long enough frees one and
aborts ("Fatal Python error: bool_dealloc" / "none_dealloc"); Python 3.12 made them immortal.

Every release from 6.7.0 to 6.11.3 was probed with the two detectors below and has neither
leak; only 6.12.0 has them (tests/support/pyside_releases.py repeats the probe). So
pyproject.toml excludes 6.12.0, and a window started on a binding that leaks anyway (a later
release, an install that ignored the requirement) refuses to start and says what to install,
instead of pinning CPython's reference counts through ctypes as Lanyard once did.
"""

from __future__ import annotations

import sys


def emit_drops_a_reference_to_true() -> bool:
    """True when this binding's emit() loses a reference to ``True`` (probed with 8 emits)."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        fired = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(8):
        probe.fired.emit()
    return sys.getrefcount(True) < before - 4


def void_call_drops_a_reference_to_none() -> bool:
    """True when a method returning void loses a reference to ``None`` (probed with 8 calls)."""
    from PySide6.QtCore import QTimer

    timer = QTimer()
    before = sys.getrefcount(None)
    for _ in range(8):
        timer.stop()
    return sys.getrefcount(None) < before - 4


def binding_problem() -> str | None:
    """Why this Qt binding cannot run Lanyard's window, in words with the fix; None when it
    can (always on Python 3.12 and later, where the leak is harmless)."""
    if sys.version_info >= (3, 12):
        return None
    leaks = [
        what
        for what, probe in (
            ("True", emit_drops_a_reference_to_true),
            ("None", void_call_drops_a_reference_to_none),
        )
        if probe()
    ]
    if not leaks:
        return None
    import PySide6

    return (
        f"This PySide6 ({PySide6.__version__}) loses references to {' and '.join(leaks)}, which "
        "makes a window that stays open crash. Install a release without the bug, for example: "
        "pip install 'PySide6-Essentials>=6.7,!=6.12.0' (6.11.3 is known to be good), or run "
        "Lanyard on Python 3.12 or later."
    )
