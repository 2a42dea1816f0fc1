"""Work-arounds for bugs in the Qt binding Lanyard runs on.

PySide6 6.12.0 returns ``True`` and ``None`` without taking a reference: every
``SignalInstance.emit`` lowers ``sys.getrefcount(True)`` by one, and every call of a method
returning void (``QTimer.start``, ``QLabel.setText``, ``processEvents``...) lowers
``sys.getrefcount(None)`` by one (measured; 6.11.3 does neither). On Python 3.11, where these
are ordinary objects, a window that runs long enough frees one and aborts ("Fatal Python error:
bool_dealloc" / "none_dealloc"); the soak test hit both within a thousand refresh cycles.
Python 3.12 made them immortal; on an affected binding this does the same, by giving True,
False and None a reference count no number of calls can use up.
"""

from __future__ import annotations

import ctypes
import sys

_PINNED = 1 << 40  # references: more emits than any process will ever make
_probed: list[bool] = []


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


def protect_booleans() -> bool:
    """Make True, False and None immortal if the binding leaks references to them; True when
    it did."""
    if _probed:
        return _probed[0]
    needed = sys.version_info < (3, 12) and (
        emit_drops_a_reference_to_true() or void_call_drops_a_reference_to_none()
    )
    if needed:
        for value in (True, False, None):
            ctypes.c_ssize_t.from_address(id(value)).value += _PINNED
    _probed.append(needed)
    return needed
