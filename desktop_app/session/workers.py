"""Long-lived worker threads with a job queue; results come back to the GUI thread as queued signals.

The auth worker is one thread, so every msal call runs in order (msal-extensions' cache and msal
itself are not safe to drive from two threads at once). The network pool runs Graph calls and the
waits on the browser, so a slow Graph or a person at a browser tab never holds up a token refresh.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal

from desktop_app.core.errors import LanyardError
from desktop_app.session import errors

log = logging.getLogger(__name__)

_LIVE: weakref.WeakSet[threading.Thread] = weakref.WeakSet()
T = TypeVar("T")


def live_worker_threads() -> list[threading.Thread]:
    """Worker threads still running (the test suite fails a test that leaves one behind)."""
    return [t for t in list(_LIVE) if t.is_alive()]


class Generation:
    """The stale-result guard: a callback wrapped by ``current`` is dropped when ``advance`` was
    called after it was wrapped (the person signed out, or another account signed in), so a
    result still in flight for the account that left is never shown."""

    def __init__(self) -> None:
        self._value = 0

    def advance(self) -> None:
        self._value += 1

    def current(self, callback: Callable[[T], None]) -> Callable[[T], None]:
        generation = self._value

        def deliver(value: T) -> None:
            if generation == self._value:
                callback(value)

        return deliver


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@dataclass
class _Job(Generic[T]):
    fn: Callable[[CancelToken], T]
    on_result: Callable[[T], None] | None
    on_error: Callable[[LanyardError], None] | None
    token: CancelToken = field(default_factory=CancelToken)
    name: str = ""
    must_finish: bool = False  # still runs after stop() (e.g. removing a signed-out account)


class _Bridge(QObject):
    """Lives on the GUI thread; a signal emitted from a worker thread is delivered queued."""

    delivered = Signal(object)


_STOP = object()


class Worker:
    """``threads`` threads taking jobs from one queue; with one thread, jobs run strictly in order.

    Create it on the GUI thread: callbacks run there.
    """

    def __init__(self, name: str, threads: int = 1) -> None:
        self.name = name
        self._queue: queue.Queue[Any] = queue.Queue()
        self._bridge = _Bridge()
        self._bridge.delivered.connect(self._deliver)
        self._stopping = False
        self._threads = [
            threading.Thread(target=self._run, name=f"lanyard-{name}-{i}", daemon=True)
            for i in range(threads)
        ]
        for thread in self._threads:
            _LIVE.add(thread)
            thread.start()

    def submit(
        self,
        fn: Callable[[CancelToken], T],
        on_result: Callable[[T], None] | None = None,
        on_error: Callable[[LanyardError], None] | None = None,
        name: str = "",
        must_finish: bool = False,
    ) -> CancelToken:
        """Run ``fn`` on a worker thread; ``on_result`` gets what it returns, ``on_error`` the
        LanyardError it raised (any other exception becomes one), both on the GUI thread."""
        job = _Job(
            fn,
            on_result,
            on_error,
            name=name or getattr(fn, "__name__", "job"),
            must_finish=must_finish,
        )
        if self._stopping:
            job.token.cancel()
        else:
            self._queue.put(job)
        return job.token

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is _STOP:
                return
            if job.token.cancelled or (self._stopping and not job.must_finish):
                continue
            started = time.monotonic()
            try:
                outcome: tuple[bool, Any] = (True, job.fn(job.token))
            except LanyardError as exc:
                outcome = (False, exc)
            except Exception:
                log.exception("Unexpected error in %s job %s", self.name, job.name)
                outcome = (False, errors.unexpected(job.name))
            log.debug(
                "%s job %s took %.0f ms", self.name, job.name, (time.monotonic() - started) * 1000
            )
            if not job.token.cancelled and not self._stopping:
                self._bridge.delivered.emit((job, outcome))

    def _deliver(self, payload: tuple[_Job[Any], tuple[bool, Any]]) -> None:
        job, (ok, value) = payload
        if job.token.cancelled or self._stopping:
            return  # a cancelled job, or one whose owner is going away, emits nothing
        callback = job.on_result if ok else job.on_error
        if callback is not None:
            callback(value)
        elif not ok:
            log.warning("%s job %s failed with nobody listening: %s", self.name, job.name, value)

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop taking jobs and wait up to ``timeout`` s in all; True when every thread ended.

        A thread stuck in a network call past the bound is a daemon: it cannot keep the process
        alive, and its result is dropped.
        """
        self._stopping = True  # queued jobs are skipped unless they must finish
        for _ in self._threads:
            self._queue.put(_STOP)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self._threads)


@dataclass(frozen=True)
class Jobs:
    """Where the session's jobs run, and whether their results still count: what the controller
    hands each of its parts (and each sign-in attempt) so that they share them."""

    auth: Worker  # the one auth thread: every msal call, in order
    net: Worker  # the network pool: Graph, API calls, the browser and the wait for it
    generation: Generation  # the stale-result guard
