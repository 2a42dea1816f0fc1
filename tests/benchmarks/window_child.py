"""Run Lanyard's real window path (``python -m desktop_app ARGS``) in this process and time it.

    python tests/benchmarks/window_child.py MODE [--refreshes N] -- LANYARD ARGS...

Imports nothing of Qt before Lanyard does: it wraps desktop_app.ui.app.start_after_first_paint
(which run_window calls right after showing the window) to reach the window and the session. It
prints one JSON line with CLOCK_MONOTONIC times (the parent subtracts its own start time) and:

- every mode: ``first_paint`` (the main window's first Paint event), ``profile_rendered`` (the
  Profile panel shows a display name while the account view is on screen; on a warm start, when
  that name was first painted so), the worst heartbeat
  lateness (a 10 ms GUI timer) from the first paint until the fresh profile, and the sandbox's
  request log of the start;
- ``sign-in``: clicks Sign in (BROWSER must be the stand-in browser) and waits for the profile;
- ``stall``: with the sandbox delaying token (and /me) answers by ``--delay-ms``, the worst
  heartbeat lateness during sign-in, a forced silent refresh and a profile reload;
- ``refreshes``: RSS and thread count once settled and after ``--refreshes`` forced refreshes;
- ``switch``: up to ``--switches`` other saved accounts in turn, each timed from the switch to
  its fresh profile on screen (``switch_ms``), with the worst heartbeat lateness meanwhile;
- ``idle``: once the fresh profile is shown, the heartbeat and the harness's polling stop and
  the process's thread wake-ups a second are counted over ``--idle-s``, the window shown
  (``idle_shown_per_s``), then minimised (``idle_minimised_per_s``), then hidden
  (``idle_hidden_per_s``); each with its threads' share (``idle_*_threads``).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import desktop_app.ui.app as lanyard_app  # light: QtCore only, no msal (checked by the bench)

HEARTBEAT_MS = 10
TIMEOUT_S = 60.0


def proc_status() -> dict[str, int]:
    """VmRSS (KiB) and Threads of this process, from /proc (Linux)."""
    values: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "Threads"):
            values[key] = int(rest.split()[0])
    return {"rss_kib": values.get("VmRSS", 0), "threads": values.get("Threads", 0)}


def active_timers() -> list[str]:
    """The QTimers running now that Python holds (QTimer.singleShot's are not among them):
    their owner's class and interval, what to look at when the idle figure is not 0."""
    from PySide6.QtCore import QTimer

    running = []
    for obj in gc.get_objects():
        if isinstance(obj, QTimer):
            try:
                if not obj.isActive():
                    continue
                parent = obj.parent()
            except RuntimeError:  # its C++ side is gone
                continue
            owner = type(parent).__name__ if parent is not None else "-"
            shot = "once" if obj.isSingleShot() else "every"
            running.append(f"{owner}: {shot} {obj.interval()} ms")
    return sorted(running)


class TimerEvents:
    """Counts the GUI thread's timer events by receiver: every QTimer's and startTimer()'s
    (an application-wide event filter sees each event delivered on that thread)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QEvent, QObject
        from PySide6.QtWidgets import QApplication

        self.counts: dict[str, int] = {}
        counts = self.counts

        class Filter(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() is QEvent.Type.Timer:
                    parent = watched.parent()
                    name = type(watched).__name__ + (
                        f" of {type(parent).__name__}" if parent is not None else ""
                    )
                    if watched.objectName():
                        name += f" ({watched.objectName()})"
                    counts[name] = counts.get(name, 0) + 1
                return False

        self._filter = Filter()
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self._filter)


class Heartbeat:
    """A 10 ms repeating timer on the GUI thread; records how late each beat came."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.worst_ms = 0.0
        self.worst_cpu_ms = 0.0  # CPU this process used during the worst gap (all threads)
        self.late: list[tuple[float, float]] = []  # (when, ms late) for beats > 20 ms late
        self._last = time.monotonic()
        self._last_cpu = time.process_time()
        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._beat)
        self.timer.start()

    def _beat(self) -> None:
        now, cpu = time.monotonic(), time.process_time()
        late = (now - self._last) * 1000 - HEARTBEAT_MS
        if late > self.worst_ms:
            self.worst_ms, self.worst_cpu_ms = late, (cpu - self._last_cpu) * 1000
        if late > 20:
            self.late.append((self._last, round(late, 1)))
        self._last, self._last_cpu = now, cpu

    def reset(self) -> tuple[float, float]:
        """The worst lateness since the last reset, and the CPU used during that gap."""
        worst, cpu = self.worst_ms, self.worst_cpu_ms
        self.worst_ms, self.worst_cpu_ms = 0.0, 0.0
        self._last, self._last_cpu = time.monotonic(), time.process_time()
        return worst, cpu


class Run:
    def __init__(self, mode: str, options: argparse.Namespace) -> None:
        self.mode = mode
        self.options = options
        self.report: dict[str, Any] = {"mode": mode}
        self.window: Any = None
        self.session: Any = None
        self.heartbeat: Heartbeat | None = None
        self.fresh_profiles = 0
        self._store: Any = None  # the snapshot store, opened once (stored_whole)

    # -- hooks into the window path

    def wrap_start(self) -> None:
        original = lanyard_app.start_after_first_paint

        def wrapped(window: Any, start: Callable[[], None], *args: Any) -> None:
            self.report["window_shown"] = time.monotonic()
            self.window = window
            self.watch(window)

            def started() -> None:  # the session is built after the first paint (ui/app.py)
                start()
                self.session = window.session
                self.session.profile_freshness.connect(self.on_freshness)
                self.session.state_changed.connect(
                    lambda state: self.report.setdefault("states", []).append(
                        (state.name, time.monotonic())
                    )
                )

            original(window, started, *args)

        lanyard_app.start_after_first_paint = wrapped  # type: ignore[assignment]

    def watch(self, window: Any) -> None:
        from PySide6.QtCore import QEvent, QObject, QTimer

        run = self

        class FirstPaint(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() is QEvent.Type.Paint and "first_paint" not in run.report:
                    run.report["first_paint"] = time.monotonic()
                    heavy = ("msal", "msal_extensions", "requests", "desktop_app.session.services")
                    run.report["imported_at_first_paint"] = [m for m in heavy if m in sys.modules]
                    run.heartbeat = Heartbeat()
                    QTimer.singleShot(0, run.poll)
                return False

        class ProfilePainted(QObject):
            """The display name drawn while the account view is on screen: the profile is."""

            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if (
                    event.type() is QEvent.Type.Paint
                    and "profile_painted" not in run.report
                    and run.profile_on_screen()
                ):
                    run.report["profile_painted"] = time.monotonic()
                return False

        self._filter = FirstPaint(window)
        window.installEventFilter(self._filter)
        self._name_filter = ProfilePainted(window)
        window.profile_panel.values["displayName"].installEventFilter(self._name_filter)

    def on_freshness(self, fetched_at: float, stored: bool) -> None:
        if not stored:
            self.fresh_profiles += 1

    def profile_on_screen(self) -> bool:
        window = self.window
        return bool(
            window.stack.currentWidget() is window.tabs
            and window.profile_panel.value_text("displayName")
        )

    # -- the scenario, as a chain of polls on the GUI thread

    def poll(self) -> None:
        from PySide6.QtCore import QTimer

        self.steps = iter(self.scenario())
        self.deadline = time.monotonic() + TIMEOUT_S
        self.waiting_for: Callable[[], bool] | None = None

        def tick() -> None:
            try:
                while self.waiting_for is None or self.waiting_for():
                    if time.monotonic() > self.deadline:
                        raise TimeoutError
                    self.waiting_for = next(self.steps)
                    self.deadline = time.monotonic() + TIMEOUT_S
            except StopIteration:
                if self.mode == "idle":
                    self.idle()  # counted with nothing of the harness running
                else:
                    self.finish()
                return
            except TimeoutError:
                self.report["error"] = "timed out"
                self.finish()
                return
            if time.monotonic() > self.deadline:
                self.report["error"] = f"timed out in {self.mode}"
                self.finish()
                return
            QTimer.singleShot(2, tick)

        tick()

    def scenario(self) -> Any:
        # (the sandbox's package, with its token issuer and crypto, only where faults are set:
        # imported at the first poll it held the GUI thread ~100 ms after every first paint)
        from desktop_app.session.state import State

        window = self.window
        if self.mode not in ("sign-in", "stall"):  # a warm start: the last profile, first
            yield self.profile_on_screen
            # when it was drawn (a busy GUI thread may run this poll later than that)
            self.report["profile_rendered"] = self.report.get("profile_painted", time.monotonic())
        yield lambda: self.session is not None  # built once the window is drawn (ui/app.py)
        session = self.session
        if self.mode in ("sign-in", "stall"):
            yield lambda: session.state is State.SIGNED_OUT
            sandbox = self.sandbox()
            if self.mode == "stall":
                from desktop_app.sandbox.faults import FaultSpec

                delay = self.options.delay_ms
                sandbox.add_fault(FaultSpec("token", latency_ms=delay, count=None))
                sandbox.add_fault(FaultSpec("me", latency_ms=delay, count=None))
                self.heartbeat_reset()  # the harness's own control requests are not measured
            window.welcome_page.sign_in_button.click()
            yield self.profile_on_screen
            self.report["profile_rendered"] = time.monotonic()
        yield lambda: session.state is not State.STARTING
        yield lambda: self.fresh_profiles >= 1 or session.state is not State.SIGNED_IN
        self.report["fresh_profile"] = time.monotonic()
        phase = "stall_sign_in" if self.mode == "stall" else "stall_start"
        self.report[f"{phase}_ms"] = self.heartbeat_reset(phase)
        if self.mode == "stall":
            yield from self.timed_refresh("stall_refresh")
            before = self.fresh_profiles
            session.load_profile()
            yield lambda: self.fresh_profiles > before
            self.report["stall_profile_ms"] = self.heartbeat_reset("stall_profile")
            self.sandbox().clear_faults()
        if self.mode == "sign-in":
            # the photo and the tenant's name are jobs of their own after /me: until both are
            # stored, every warm start measured next would rightly ask for them again
            yield self.stored_whole
        if self.mode == "refreshes":
            yield from self.refreshes()
        if self.mode == "switch":
            yield from self.switches()
        sandbox = self.sandbox()
        self.report["requests"] = [
            {k: r.get(k) for k in ("kind", "method", "path", "status", "grant_type")}
            for r in sandbox.requests()
        ]

    def stored_whole(self) -> bool:
        """Whether the signed-in account's snapshot is stored with its photo and tenant name."""
        from desktop_app.session.last_profile import snapshot_store_for

        session = self.session
        if session.account is None or session.services is None:
            return False
        if self._store is None:
            self._store = snapshot_store_for(session.services.config.profile_dir)
        stored = self._store.load(session.account.home_account_id)
        return stored is not None and stored.photo is not None and stored.organization is not None

    def sandbox(self) -> Any:
        """The sandbox's controls: over its control API when it runs in its own process
        (--control), else the one inside Lanyard's process."""
        if self.options.control:
            from desktop_app.sandbox.control import SandboxControl

            info = json.loads(Path(self.options.control).read_text())
            return SandboxControl(info["control_url"], info["ca_file"])
        return self.session.services.sandbox

    def heartbeat_reset(self, phase: str = "") -> float:
        assert self.heartbeat is not None
        worst, cpu = self.heartbeat.reset()
        if phase:
            self.report[f"{phase}_cpu_ms"] = round(cpu, 1)
        return round(worst, 1)

    def timed_refresh(self, key: str) -> Any:
        from desktop_app.session.state import State

        session = self.session
        session.refresh(force=True)
        yield lambda: session.state is not State.SIGNED_IN
        yield lambda: session.state is State.SIGNED_IN
        self.report[f"{key}_ms"] = self.heartbeat_reset(key)

    def refreshes(self) -> Any:
        from desktop_app.session.state import State

        session = self.session
        sandbox = self.sandbox()
        sandbox.set_token_lifetime(600)  # short tokens: each refresh is a new one
        gc.collect()
        self.report["after_start"] = proc_status() | {"py_threads": threading.active_count()}
        done = [0]
        for _ in range(self.options.refreshes):
            session.refresh(force=True)
            yield lambda: session.state is State.SIGNED_IN
            done[0] += 1
            if done[0] == self.options.refreshes // 2:
                gc.collect()
                self.report["at_half"] = proc_status()
            if done[0] % 100 == 0:
                sandbox.clear_requests()  # the sandbox's log is not what is measured
        gc.collect()
        self.report["refreshes"] = done[0]
        self.report["after_refreshes"] = proc_status() | {"py_threads": threading.active_count()}

    def switches(self) -> Any:
        """Each other saved account in turn, as the account menu switches: from the call until
        its fresh profile is on screen (a valid token in the cache: no identity provider)."""
        session, window = self.session, self.window
        yield lambda: len(session.accounts) >= 2
        accounts = [a for a in session.accounts if a != session.account]
        self.report["accounts"] = len(session.accounts)
        times: list[float] = []
        for account in accounts[: self.options.switches]:
            before = self.fresh_profiles
            started = time.monotonic()
            session.switch_account(account)
            yield (
                lambda before=before, account=account: (
                    self.fresh_profiles > before
                    and session.account == account
                    and self.profile_on_screen()
                    and window.profile_panel.value_text("userPrincipalName") == account.username
                )
            )
            times.append((time.monotonic() - started) * 1000)
        self.report["switch_ms"] = times
        self.report["stall_switch_ms"] = self.heartbeat_reset("stall_switch")

    def idle(self) -> None:
        from PySide6.QtCore import QTimer

        from tests.benchmarks.wakeups import thread_switches, wakeups_between

        assert self.heartbeat is not None
        self.heartbeat.timer.stop()
        window, seconds = self.window, self.options.idle_s
        timer_events = TimerEvents()

        def named(per_name: dict[str, int]) -> dict[str, float]:
            """Wake-ups a second per thread, Python threads by their threading names."""
            return {name: round(n / seconds, 2) for name, n in per_name.items() if n > 1}

        def count(phase: str, then: Callable[[], None]) -> None:
            before, started = self.thread_switches(thread_switches), time.monotonic()
            timer_events.counts.clear()

            def counted() -> None:
                after = self.thread_switches(thread_switches)
                total, per_name, ended = wakeups_between(before, after)
                total -= 1  # this timer's own wake-up
                self.report[f"idle_{phase}_per_s"] = round(
                    max(0.0, total) / (time.monotonic() - started), 2
                )
                self.report[f"idle_{phase}_threads"] = named(per_name)
                self.report[f"idle_{phase}_threads_ended"] = ended
                self.report[f"idle_{phase}_timers"] = active_timers()
                # what the GUI thread's timers woke it for, by receiver (this timer's included)
                self.report[f"idle_{phase}_timer_events"] = dict(timer_events.counts)
                then()

            QTimer.singleShot(int(seconds * 1000), counted)

        def minimised() -> None:
            window.showMinimized()
            QTimer.singleShot(500, lambda: count("minimised", hidden))

        def hidden() -> None:
            window.showNormal()
            window.hide()  # not on screen at all (another workspace's, a closed window's)
            QTimer.singleShot(500, lambda: count("hidden", self.finish))

        QTimer.singleShot(500, lambda: count("shown", minimised))

    @staticmethod
    def thread_switches(sample: Callable[[], dict[int, tuple[str, int]]]) -> Any:
        """/proc's sample, with each Python thread named as threading names it (its kernel
        name is the process's)."""
        names = {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}
        return {tid: (names.get(tid, name), n) for tid, (name, n) in sample().items()}

    def finish(self) -> None:
        from PySide6.QtWidgets import QApplication

        for window in QApplication.topLevelWidgets():
            window.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("warm", "sign-in", "stall", "refreshes", "idle", "switch"))
    parser.add_argument("--switches", type=int, default=1, help="switch mode: accounts visited")
    parser.add_argument("--refreshes", type=int, default=1000)
    parser.add_argument("--delay-ms", type=int, default=5000)
    parser.add_argument("--idle-s", type=float, default=10.0)
    parser.add_argument("--control", help="the sandbox's info JSON when it runs in its own process")
    args = sys.argv[1:]
    split = args.index("--") if "--" in args else len(args)
    options = parser.parse_args(args[:split])
    argv = args[split + 1 :]
    run = Run(options.mode, options)
    run.wrap_start()
    from desktop_app.cli import parse_args

    run.report["exit_code"] = lanyard_app.run_window(parse_args(argv))
    if run.heartbeat is not None:  # what stalled the GUI, and when (for diagnosis)
        run.report["late_beats"] = run.heartbeat.late
    print(json.dumps(run.report))
    return 0 if "error" not in run.report else 1


if __name__ == "__main__":
    sys.exit(main())
