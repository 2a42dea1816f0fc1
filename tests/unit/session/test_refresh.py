"""RefreshScheduler on its own: its timers, its backoff and the wake-from-sleep check, with a
wall clock the test moves (no window, no identity provider)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.auth.models import TokenResult
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.session.policy import Backoff, ClockJumpDetector
from desktop_app.session.refresh import RefreshScheduler
from desktop_app.session.state import Schedule


class Wall:
    """The real wall clock plus what the test adds (a computer that slept)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def token(expires_in: float, refresh_in: float | None = None) -> TokenResult:
    now = time.time()
    return TokenResult(
        "not-a-real-token",
        now + expires_in,
        None if refresh_in is None else now + refresh_in,
        ("User.Read",),
        "identity_provider",
        None,
    )


OUTAGE = LanyardError("The service is having problems.", "", ErrorKind.SERVICE)


@pytest.fixture
def wall() -> Wall:
    return Wall()


@pytest.fixture
def make(wall: Wall) -> Iterator[Callable[[float], RefreshScheduler]]:
    """A scheduler on the test's wall clock whose backoff starts at ``first`` seconds."""
    made: list[RefreshScheduler] = []

    def build(first: float) -> RefreshScheduler:
        made.append(RefreshScheduler(ClockJumpDetector(wall=wall), Backoff(first, jitter=0.0)))
        return made[-1]

    yield build
    for scheduler in made:
        scheduler.stop()


@pytest.fixture
def scheduler(make: Callable[[float], RefreshScheduler]) -> RefreshScheduler:
    return make(0.05)


def shown(scheduler: RefreshScheduler) -> list[Schedule | None]:
    """What the window is told about the schedule, from now on."""
    schedules: list[Schedule | None] = []
    scheduler.schedule_changed.connect(schedules.append)
    return schedules


def test_a_token_is_refreshed_before_msal_would_stop_handing_it_out(
    qtbot: QtBot, scheduler: RefreshScheduler
) -> None:
    scheduler.refresh_before_expiry(token(3600, refresh_in=900))
    due = scheduler.schedule
    assert due is not None and not due.retry
    assert due.at - time.time() == pytest.approx(900, abs=2)  # refresh_on wins
    scheduler.refresh_before_expiry(token(3600))
    assert scheduler.schedule is not None
    assert scheduler.schedule.at - time.time() == pytest.approx(3600 - 300, abs=2)

    # a token that arrives nearly dead (2 s): refreshed after the short-lived floor, 3 s with
    # jitter (not every second: issue 14, item 4), and the timer says so by itself
    with qtbot.waitSignal(scheduler.refresh_due, timeout=6000):
        scheduler.refresh_before_expiry(token(2))
        assert scheduler.schedule is not None
        assert 2.3 <= scheduler.schedule.at - time.time() <= 3.7


def test_failed_refreshes_back_off_and_a_success_starts_over(
    qtbot: QtBot, scheduler: RefreshScheduler
) -> None:
    delays = []
    for _ in range(3):
        scheduler.retry_refresh(OUTAGE)
        due = scheduler.schedule
        assert due is not None and due.retry
        delays.append(due.at - time.time())
    assert delays == pytest.approx([0.05, 0.1, 0.2], abs=0.02)
    with qtbot.waitSignal(scheduler.refresh_due, timeout=2000):
        pass  # the last retry fires by itself
    scheduler.succeeded()
    scheduler.retry_refresh(OUTAGE)
    assert scheduler.schedule is not None
    assert scheduler.schedule.at - time.time() == pytest.approx(0.05, abs=0.02)


def test_a_longer_retry_after_from_the_server_wins(scheduler: RefreshScheduler) -> None:
    throttled = LanyardError("Throttled.", "", ErrorKind.SERVICE, {"retry_after": "7"})
    scheduler.retry_refresh(throttled)
    assert scheduler.schedule is not None
    assert scheduler.schedule.at - time.time() == pytest.approx(7, abs=0.5)


def test_a_failed_start_is_retried_on_its_own_timer_not_as_a_refresh(
    qtbot: QtBot, scheduler: RefreshScheduler
) -> None:
    refreshes: list[bool] = []
    scheduler.refresh_due.connect(lambda: refreshes.append(True))
    told = shown(scheduler)
    scheduler.retry_start(OUTAGE)
    assert scheduler.schedule is not None and scheduler.schedule.retry  # "Trying again in …"
    assert told == [scheduler.schedule]
    cleared_first: list[bool] = []
    scheduler.start_due.connect(lambda: cleared_first.append(scheduler.schedule is None))
    with qtbot.waitSignal(scheduler.start_due, timeout=2000):
        pass
    assert cleared_first == [True]  # cleared before the start runs again
    assert told[-1] is None
    qtbot.wait(100)
    assert refreshes == []


def test_waking_from_sleep_refreshes_a_late_timer_at_once(
    qtbot: QtBot, scheduler: RefreshScheduler, wall: Wall
) -> None:
    scheduler.refresh_before_expiry(token(3600))
    with qtbot.assertNotEmitted(scheduler.refresh_due, wait=50):
        scheduler.check_for_wake()  # no jump: nothing
    wall.offset += 2 * 3600  # the lid was closed for two hours
    with qtbot.waitSignal(scheduler.refresh_due, timeout=100):
        scheduler.check_for_wake()


def test_waking_before_the_refresh_is_due_moves_the_timer_to_the_right_moment(
    qtbot: QtBot, scheduler: RefreshScheduler, wall: Wall
) -> None:
    scheduler.refresh_before_expiry(token(3600))
    due = scheduler.schedule
    assert due is not None
    wall.offset += 600  # slept ten minutes: still 45 minutes to go, on the wall clock
    with qtbot.assertNotEmitted(scheduler.refresh_due, wait=50):
        scheduler.check_for_wake()
    moved = scheduler.schedule
    assert moved is not None and moved is not due and not moved.retry
    assert moved.at == pytest.approx(due.at, abs=2)  # the same moment, on the woken clock


def test_waking_with_a_retry_pending_retries_at_once_but_leaves_a_start_retry(
    qtbot: QtBot, make: Callable[[float], RefreshScheduler], wall: Wall
) -> None:
    scheduler = make(600)  # a retry far off, so only the wake can bring it forward
    scheduler.retry_refresh(OUTAGE)
    wall.offset += 120
    with qtbot.waitSignal(scheduler.refresh_due, timeout=100):
        scheduler.check_for_wake()

    scheduler.retry_start(OUTAGE)
    wall.offset += 120
    waiting = scheduler.schedule
    with qtbot.assertNotEmitted(scheduler.refresh_due, wait=50):
        scheduler.check_for_wake()
    assert scheduler.schedule is waiting  # the start retry's timer is left as it is


def test_pause_holds_the_timer_and_unschedule_clears_what_is_shown(
    qtbot: QtBot, scheduler: RefreshScheduler
) -> None:
    scheduler.retry_refresh(OUTAGE)
    before = scheduler.schedule
    told = shown(scheduler)
    scheduler.pause()  # an interactive sign-in is in progress
    with qtbot.assertNotEmitted(scheduler.refresh_due, wait=200):
        pass
    assert scheduler.schedule is before
    assert told == []
    scheduler.unschedule()
    assert scheduler.schedule is None
    assert told == [None]


def test_stop_stops_every_timer(qtbot: QtBot, scheduler: RefreshScheduler) -> None:
    scheduler.retry_refresh(OUTAGE)
    scheduler.stop()
    with qtbot.assertNotEmitted(scheduler.refresh_due, wait=200):
        pass
    scheduler.retry_start(OUTAGE)
    scheduler.stop()
    with qtbot.assertNotEmitted(scheduler.start_due, wait=200):
        pass
