from __future__ import annotations

import threading
import time

from pytestqt.qtbot import QtBot

from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.session.workers import CancelToken, Generation, Worker


def test_jobs_run_in_order_on_one_thread(qtbot: QtBot) -> None:
    worker = Worker("t")
    seen: list[tuple[int, str]] = []
    try:
        for i in range(20):
            worker.submit(lambda _, i=i: (i, threading.current_thread().name), seen.append)
        qtbot.waitUntil(lambda: len(seen) == 20)
        assert [i for i, _ in seen] == list(range(20))
        assert {name for _, name in seen} == {"lanyard-t-0"}
        assert threading.main_thread().name not in {name for _, name in seen}
    finally:
        assert worker.stop()


def test_results_arrive_on_the_gui_thread(qtbot: QtBot) -> None:
    worker = Worker("t")
    threads: list[threading.Thread] = []
    try:
        worker.submit(lambda _: 1, lambda _: threads.append(threading.current_thread()))
        qtbot.waitUntil(lambda: bool(threads))
        assert threads[0] is threading.main_thread()
    finally:
        worker.stop()


def test_errors_become_lanyard_errors(qtbot: QtBot) -> None:
    worker = Worker("t")
    errors: list[LanyardError] = []

    def boom(_: CancelToken) -> None:
        raise KeyError("bug")

    try:
        worker.submit(boom, on_error=errors.append)
        worker.submit(
            lambda _: (_ for _ in ()).throw(LanyardError("known", kind=ErrorKind.NETWORK)),
            on_error=errors.append,
        )
        qtbot.waitUntil(lambda: len(errors) == 2)
        assert errors[0].kind is ErrorKind.INTERNAL and "unexpected" in errors[0].message
        assert errors[1].kind is ErrorKind.NETWORK
    finally:
        worker.stop()


def test_cancelled_job_emits_nothing(qtbot: QtBot) -> None:
    worker = Worker("t")
    release = threading.Event()
    results: list[object] = []
    try:
        token = worker.submit(lambda _: release.wait(5), results.append)
        queued = worker.submit(lambda _: "queued", results.append)
        token.cancel()
        queued.cancel()
        release.set()
        done: list[int] = []
        worker.submit(lambda _: 1, done.append)
        qtbot.waitUntil(lambda: bool(done))
        qtbot.wait(50)
        assert results == []
    finally:
        worker.stop()


def test_stop_is_bounded_while_a_job_hangs(qtbot: QtBot) -> None:
    worker = Worker("t")
    hang = threading.Event()
    worker.submit(lambda _: hang.wait(30))
    time.sleep(0.05)
    started = time.monotonic()
    assert worker.stop(0.5) is False  # the job is stuck: stop still returns within the bound
    assert time.monotonic() - started < 1.0
    hang.set()  # let the daemon thread end so the suite's leak check passes


def test_must_finish_jobs_run_after_stop(qtbot: QtBot) -> None:
    worker = Worker("t")
    gate = threading.Event()
    ran: list[str] = []
    worker.submit(lambda _: gate.wait(5))
    worker.submit(lambda _: ran.append("skipped"))
    worker.submit(lambda _: ran.append("kept"), must_finish=True)
    gate.set()
    assert worker.stop(2.0)
    assert ran == ["kept"]


def test_the_stale_result_guard_drops_what_was_wrapped_before_an_advance() -> None:
    generation = Generation()
    seen: list[str] = []
    before = generation.current(seen.append)
    before("delivered")
    generation.advance()  # e.g. signed out
    before("for the account that left")
    after = generation.current(seen.append)
    after("for the new account")
    assert seen == ["delivered", "for the new account"]
