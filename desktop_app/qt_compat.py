"""Work-arounds for bugs in the Qt binding Lanyard runs on.

PySide6 6.12.0 returns ``True`` from ``SignalInstance.emit`` without taking a reference: every
emit lowers ``sys.getrefcount(True)`` by one (measured). On Python 3.11, where ``True`` is an
ordinary object, a window that runs long enough frees it and aborts with "Fatal Python error:
bool_dealloc"; the soak test hit it within a thousand refresh cycles. Python 3.12 made ``True``
and ``False`` immortal; on an affected binding this does the same, by giving both a reference
count no number of emits can use up.
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


def protect_booleans() -> bool:
    """Make True and False immortal if emit() leaks references to them; True when it did."""
    if _probed:
        return _probed[0]
    needed = sys.version_info < (3, 12) and emit_drops_a_reference_to_true()
    if needed:
        for value in (True, False):
            ctypes.c_ssize_t.from_address(id(value)).value += _PINNED
    _probed.append(needed)
    return needed
