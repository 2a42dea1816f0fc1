"""Thread wake-ups of this process, from /proc (Linux): every context switch of every thread,
voluntary (a wait ended) and not. Idle means this hardly moves."""

from __future__ import annotations

from pathlib import Path


def wakeups() -> int:
    total = 0
    for status in Path("/proc/self/task").glob("*/status"):
        try:
            text = status.read_text()
        except OSError:  # the thread ended meanwhile
            continue
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
                total += int(value)
    return total
