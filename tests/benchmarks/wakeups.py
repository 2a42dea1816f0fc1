"""Thread wake-ups of this process, from /proc (Linux): every context switch of every thread,
voluntary (a wait ended) and not. Idle means this hardly moves.

Every thread of the process is counted: the GUI thread, Qt's own (the X connection's reader,
QDBus, a QThreadPool's workers), Lanyard's auth worker and network pool, Python threads. A thread
that ends between two samples takes its switches since the first with it (it is counted as
having ended, so a figure that lost some says so); one that starts is counted from zero.
"""

from __future__ import annotations

from pathlib import Path


def thread_switches() -> dict[int, tuple[str, int]]:
    """Each thread of this process: its id -> (its name, context switches so far)."""
    threads: dict[int, tuple[str, int]] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            text = (task / "status").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        name, total = "", 0
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key == "Name":
                name = value.strip()
            elif key in ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches"):
                total += int(value)
        threads[int(task.name)] = (name, total)
    return threads


def wakeups() -> int:
    return sum(total for _, total in thread_switches().values())


def wakeups_between(
    before: dict[int, tuple[str, int]], after: dict[int, tuple[str, int]]
) -> tuple[int, dict[str, int], int]:
    """The wake-ups from ``before`` to ``after``: their sum, per thread name (threads of one
    name added up), and how many threads ended in between (their last switches not counted)."""
    per_name: dict[str, int] = {}
    for tid, (name, total) in after.items():
        delta = total - before.get(tid, (name, 0))[1]
        if delta:
            per_name[name] = per_name.get(name, 0) + delta
    ended = sum(1 for tid in before if tid not in after)
    return sum(per_name.values()), per_name, ended
