"""RefreshScheduler: when the session next refreshes, or tries again, on its own.

It owns the timers and the backoff; policy.py does the arithmetic. Three timers:

- the refresh timer: the next silent refresh (min(refresh_on, expires_on - 300 s)), or a retry
  after a failed refresh (backoff, or the server's Retry-After when longer);
- the start timer: a start that could not reach the identity provider is tried again;
- the wake heartbeat: after the computer slept, a refresh timer may be hours late.

It never refreshes by itself: it says ``refresh_due`` or ``start_due`` and the controller acts.
One schedule at a time, shown by the window (``schedule_changed``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from desktop_app.session import errors
from desktop_app.session.policy import Backoff, ClockJumpDetector, next_refresh_delay
from desktop_app.session.state import Schedule

if TYPE_CHECKING:
    from desktop_app.auth.models import TokenResult
    from desktop_app.core.errors import LanyardError

log = logging.getLogger(__name__)

WAKE_CHECK_MS = 15_000


class RefreshScheduler(QObject):
    refresh_due = Signal()  # a refresh (or its retry) is due now
    start_due = Signal()  # the start is to be tried again
    token_expired = Signal()  # the token in hand expired before its renewal came
    schedule_changed = Signal(object)  # Schedule | None

    def __init__(
        self,
        clock: ClockJumpDetector | None = None,
        backoff: Backoff | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock or ClockJumpDetector()
        self._backoff = backoff or Backoff()
        # Tokens that arrive (nearly) dead (expires_in: 0 or a few seconds) are refreshed ever
        # later (3, 6, 12 … 60 s), not every second forever (issue 14, item 4).
        self._short_lived = Backoff(first=3.0, ceiling=60.0)
        self._due: Schedule | None = None
        self._refresh_timer = self._single_shot(self.refresh_due.emit)
        self._start_timer = self._single_shot(self._on_start_due)
        # a token that dies before its (backed-off) renewal: the window must not go on saying
        # "Signed in" without a usable token
        self._expiry_timer = self._single_shot(self.token_expired.emit)
        self._expiry_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._wake_timer = QTimer(self)
        self._wake_timer.timeout.connect(self.check_for_wake)
        self._wake_timer.start(WAKE_CHECK_MS)
        self._clock.check()

    def _single_shot(self, slot: Callable[[], object]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(slot)
        return timer

    @property
    def schedule(self) -> Schedule | None:
        return self._due

    # -- what the controller tells it ---------------------------------------------------------

    def refresh_before_expiry(self, token: TokenResult) -> None:
        """A token was accepted: refresh it before msal would stop handing it out."""
        now = self._clock.wall()
        delay = next_refresh_delay(token.expires_on, token.refresh_on, now)
        if token.lifetime_problem(now) is not None:
            delay = max(delay, self._short_lived.next_delay())
        else:
            self._short_lived.reset()
        self._schedule(self._refresh_timer, delay, retry=False)
        left = token.expires_on - now
        if 0 < left < delay:  # it dies before it is renewed
            self._expiry_timer.start(int(left * 1000) + 50)  # timers may fire a little early
        else:
            self._expiry_timer.stop()

    def retry_refresh(self, failure: LanyardError) -> None:
        """A refresh failed (network, service): try again after the backoff."""
        delay = self._backoff.next_delay(errors.retry_after(failure))
        self._schedule(self._refresh_timer, delay, retry=True)

    def retry_start(self, failure: LanyardError) -> None:
        """The start failed (e.g. offline with no cached discovery): start again after the
        backoff. The window says "Trying again in …" as for a refresh."""
        delay = self._backoff.next_delay(errors.retry_after(failure))
        self._schedule(self._start_timer, delay, retry=True)

    def succeeded(self) -> None:
        """A token was had: the next failure starts the backoff from the beginning."""
        self._backoff.reset()

    def pause(self) -> None:
        """Hold the refresh timer (an interactive sign-in is in progress; its outcome schedules
        again). What the window shows of the schedule stays."""
        self._refresh_timer.stop()

    def unschedule(self) -> None:
        """Nothing automatic any more (only a person can help, or nobody is signed in)."""
        self._refresh_timer.stop()
        self._start_timer.stop()
        self._expiry_timer.stop()
        if self._due is not None:
            self._due = None
            self.schedule_changed.emit(None)

    def stop(self) -> None:
        """Quitting: every timer stops."""
        for timer in (self._refresh_timer, self._start_timer, self._wake_timer, self._expiry_timer):
            timer.stop()

    # -- timers ---------------------------------------------------------------------------------

    def _schedule(self, timer: QTimer, seconds: float, retry: bool) -> None:
        other = self._start_timer if timer is self._refresh_timer else self._refresh_timer
        other.stop()  # one schedule at a time
        self._due = Schedule(self._clock.wall() + seconds, retry)
        timer.start(int(seconds * 1000))
        self.schedule_changed.emit(self._due)

    def _on_start_due(self) -> None:
        self.unschedule()
        self.start_due.emit()

    def check_for_wake(self) -> None:
        """On a heartbeat: after the computer slept (or its clock jumped), a refresh timer may
        be hours late; refresh now if it is due, else move the timer to the right moment.
        A start retry waits for the network, not for the clock: its timer is left as it is."""
        jump = self._clock.check()
        if not jump or self._due is None or self._start_timer.isActive():
            return
        remaining = self._due.at - self._clock.wall()
        log.info("Woke after about %.0f s; next refresh was due in %.0f s", jump, remaining)
        if remaining <= 0 or self._due.retry:
            self.refresh_due.emit()
        else:
            self._schedule(self._refresh_timer, remaining, retry=False)
