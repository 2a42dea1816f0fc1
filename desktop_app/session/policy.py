"""When to refresh: the schedule before expiry, backoff after failures, waking from sleep. No Qt.

Kept apart from the SessionController so the arithmetic is tested with plain numbers.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

REFRESH_MARGIN_S = 300  # msal treats a token with less than 5 minutes left as expired
MIN_DELAY_S = 1.0
MAX_TIMER_S = 24 * 3600
# the longest Retry-After honoured (msal itself caps at an hour): longer, and Lanyard asks again
MAX_RETRY_AFTER_S = 900


def next_refresh_delay(
    expires_on: float, refresh_on: float | None, now: float, margin: float = REFRESH_MARGIN_S
) -> float:
    """Seconds until the next silent refresh: min(refresh_on, expires_on - 300 s).

    Earlier than that msal hands back the same cached token, so an earlier timer only loops.
    A token shorter-lived than the margin is refreshed at half its remaining life.
    """
    remaining = expires_on - now
    due = expires_on - margin if remaining > 2 * margin else now + remaining / 2
    if refresh_on is not None:
        due = min(due, refresh_on)
    return min(float(MAX_TIMER_S), max(MIN_DELAY_S, due - now))


@dataclass
class Backoff:
    """Exponential backoff with jitter for transient failures; ``reset`` after a success.

    A server's Retry-After, when longer, wins: asking earlier only earns another 429. It is
    capped at MAX_RETRY_AFTER_S: past that, Lanyard asks again (a person's Refresh always asks).
    """

    first: float = 5.0
    factor: float = 2.0
    ceiling: float = 300.0
    jitter: float = 0.2
    rng: random.Random = field(default_factory=random.Random)
    attempt: int = 0

    def next_delay(self, retry_after: float | None = None) -> float:
        base = min(self.ceiling, self.first * self.factor**self.attempt)
        self.attempt += 1
        delay = base * (1 + self.rng.uniform(-self.jitter, self.jitter))
        if retry_after is not None:  # a server's wait, bounded: a day-long Retry-After is a bug
            delay = max(delay, min(retry_after, MAX_RETRY_AFTER_S))
        return min(delay, float(MAX_TIMER_S))

    def reset(self) -> None:
        self.attempt = 0


@dataclass
class ClockJumpDetector:
    """Notices the computer waking from sleep: wall-clock time moved on, monotonic time did not.

    On Linux and macOS the monotonic clock stops while suspended, and Qt's timers run on it, so
    a refresh timer set for "in 50 minutes" fires 50 awake-minutes later: possibly hours after
    the token expired. Checking this on a short heartbeat catches that (and a clock change).
    """

    threshold: float = 60.0
    wall: Callable[[], float] = time.time
    mono: Callable[[], float] = time.monotonic
    _last: tuple[float, float] | None = None

    def check(self) -> float:
        """Seconds the wall clock jumped ahead since the last check (0.0 when it did not)."""
        now = (self.wall(), self.mono())
        last, self._last = self._last, now
        if last is None:
            return 0.0
        jump = (now[0] - last[0]) - (now[1] - last[1])
        return jump if jump > self.threshold else 0.0
