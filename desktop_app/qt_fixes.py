"""Workarounds for bugs of the Qt binding: each is detected at run time, applied only where found.

PySide6 6.12.0: ``SignalInstance.emit()`` returns ``True`` without a reference of its own, so each
emit from Python takes one reference from the ``True`` object; once they are used up (a few
hundred to a few thousand emits: measured, a window aborts with "Fatal Python error: bool_dealloc"
after ~400 silent refreshes), CPython aborts the process. Where the probe sees the loss, every
emit gives the reference back.
"""

from __future__ import annotations

import sys
from typing import Any

PROBE_EMITS = 8
_applied: list[bool] = []


def fix_signal_emit_refcount() -> bool:
    """Install the emit wrapper if this binding loses references; True when it was needed."""
    if _applied:
        return _applied[0]
    from PySide6.QtCore import QObject, Signal, SignalInstance

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(PROBE_EMITS):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    if lost <= 0:
        _applied.append(False)
        return False
    import ctypes

    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]
    incref.restype = None
    for _ in range(lost):  # what the probe took
        incref(True)
    original = SignalInstance.emit

    def emit(self: Any, *args: Any) -> Any:
        result = original(self, *args)
        if result is True:
            incref(True)
        return result

    SignalInstance.emit = emit  # type: ignore[method-assign]
    _applied.append(True)
    return True
