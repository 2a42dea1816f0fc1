"""Issue 14, item 4: a token that arrives with expires_in 0 (or a few seconds) is not refreshed
every second forever: the scheduler backs off to one refresh a minute. Figure: refreshes in
the first minute and per minute after."""

from __future__ import annotations

import time
from typing import Any

from desktop_app.auth.models import TokenResult
from desktop_app.session.refresh import RefreshScheduler
from tests.support import figures


def _token(expires_in: float) -> TokenResult:
    return TokenResult(
        "AT", time.time() + expires_in, None, ("User.Read",), "identity_provider", None
    )


def _delays(scheduler: RefreshScheduler, expires_in: float, n: int) -> list[float]:
    delays = []
    for _ in range(n):
        scheduler.refresh_before_expiry(_token(expires_in))
        assert scheduler.schedule is not None
        delays.append(scheduler.schedule.at - time.time())
    return delays


def test_expires_in_zero_backs_off_to_one_refresh_a_minute(qapp: Any) -> None:
    scheduler = RefreshScheduler()
    try:
        delays = _delays(scheduler, 0, 12)
        assert min(delays) >= 2.3  # never the old 1 s loop
        assert all(d >= 47 for d in delays[6:])  # 60 s, less jitter
        elapsed, first_minute = 0.0, 0
        for delay in delays:
            elapsed += delay
            if elapsed <= 60:
                first_minute += 1
        assert first_minute <= 5
        figures.record(
            "expires_in 0",
            f"{first_minute} refreshes in the first minute, then 1 a minute (was 60 a minute)",
        )
        # an ordinary token again: back to the ordinary schedule, and the back-off starts over
        assert _delays(scheduler, 3600, 1)[0] > 3000
        assert _delays(scheduler, 0, 1)[0] < 4
    finally:
        scheduler.unschedule()
        scheduler.deleteLater()
