"""The refresh schedule, backoff and wake-from-sleep detection, with plain numbers."""

from __future__ import annotations

import random

import pytest

from desktop_app.session.policy import Backoff, ClockJumpDetector, next_refresh_delay


@pytest.mark.parametrize(
    ("expires_in", "refresh_in", "delay"),
    [
        (3600, None, 3300),  # five minutes before expiry, when msal would refresh anyway
        (3600, 1800, 1800),  # refresh_on from the identity provider comes first
        (3600, 3500, 3300),  # ... unless it is later than the margin
        (60, None, 30),  # short-lived tokens: at half their remaining life
        (1, None, 1),  # never a busy loop
        (-50, None, 1),  # already expired: at once (but not in a loop)
        (10**9, None, 24 * 3600),  # capped: a QTimer takes int milliseconds
    ],
)
def test_next_refresh_delay(expires_in: int, refresh_in: int | None, delay: float) -> None:
    now = 1_000_000.0
    refresh_on = now + refresh_in if refresh_in is not None else None
    assert next_refresh_delay(now + expires_in, refresh_on, now) == pytest.approx(delay)


def test_backoff_grows_to_a_ceiling_and_resets() -> None:
    backoff = Backoff(jitter=0.0)
    assert [backoff.next_delay() for _ in range(9)] == [5, 10, 20, 40, 80, 160, 300, 300, 300]
    backoff.reset()
    assert backoff.next_delay() == 5


def test_backoff_jitter_stays_within_bounds() -> None:
    backoff = Backoff(rng=random.Random(7))
    delays = [Backoff(rng=random.Random(seed)).next_delay() for seed in range(200)]
    assert all(4.0 <= d <= 6.0 for d in delays)
    assert len(set(delays)) > 100  # two Lanyards that failed together do not retry together
    assert backoff.next_delay() != backoff.next_delay()


def test_backoff_honours_a_longer_retry_after() -> None:
    backoff = Backoff(jitter=0.0)
    assert backoff.next_delay(retry_after=120) == 120
    assert backoff.next_delay(retry_after=1) == 10


class FakeClocks:
    def __init__(self) -> None:
        self.wall_now = 1_700_000_000.0
        self.mono_now = 500.0

    def wall(self) -> float:
        return self.wall_now

    def mono(self) -> float:
        return self.mono_now

    def awake(self, seconds: float) -> None:
        self.wall_now += seconds
        self.mono_now += seconds

    def asleep(self, seconds: float) -> None:
        self.wall_now += seconds  # the monotonic clock stops during suspend


def test_clock_jump_detector_notices_sleep_not_normal_time() -> None:
    clocks = FakeClocks()
    detector = ClockJumpDetector(threshold=60, wall=clocks.wall, mono=clocks.mono)
    assert detector.check() == 0.0
    clocks.awake(3600)
    assert detector.check() == 0.0
    clocks.asleep(7200)
    clocks.awake(30)
    assert detector.check() == pytest.approx(7200)
    clocks.asleep(59)  # below the threshold: NTP slews and timer jitter are not sleep
    assert detector.check() == 0.0


def test_a_servers_retry_after_is_honoured_up_to_the_cap() -> None:
    from desktop_app.session.policy import MAX_RETRY_AFTER_S

    backoff = Backoff(rng=random.Random(1))
    assert backoff.next_delay(retry_after=120) == 120
    assert Backoff(rng=random.Random(1)).next_delay(retry_after=86_400) == MAX_RETRY_AFTER_S
