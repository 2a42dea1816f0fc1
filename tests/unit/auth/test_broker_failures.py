"""A sign-in broker that breaks in ways auth/broker.py did not foresee. Found by attack: a
pymsalruntime whose import raised anything but ImportError, OSError or RuntimeError (a broken
native install: SystemError, ValueError) escaped the probe, and a sign-in the broker took and
never answered was waited for without end (msal waits on a threading.Event without a bound).
Real msal here; the broken pymsalruntime is a package on sys.path that raises as it imports."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from desktop_app.auth import broker


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        (
            "SystemError('initialization of _pymsalruntime raised unreported exception')",
            "pymsalruntime failed to start (SystemError)",
        ),
        ("ValueError('bad ABI tag')", "pymsalruntime failed to start (ValueError)"),
        ("KeyError('LANG')", "pymsalruntime failed to start (KeyError)"),
        # msal turns these into ImportError itself (msal/broker.py)
        ("AttributeError('register_logging_callback')", "its support is not installed"),
        ("ImportError('libmsalruntime.so')", "its support is not installed"),
        (
            "RuntimeError('ErrorContext: Broker cannot be initialized for MSALRuntime, x')",
            "no broker answered on this computer: Broker cannot be initialized",
        ),
    ],
)
def test_a_pymsalruntime_that_raises_at_import_is_a_reason_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raised: str, expected: str
) -> None:
    package = tmp_path / "pymsalruntime"
    package.mkdir()
    (package / "__init__.py").write_text(f"raise {raised}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "pymsalruntime", raising=False)
    monkeypatch.delitem(sys.modules, "msal.broker", raising=False)
    assert broker.probe().startswith(expected)
    path = broker.choose("auto", os_name="linux", machine="x86_64", wsl=False)
    assert path.broker is None and path.requested and path.unavailable.startswith(expected)


def test_an_answer_in_time_is_the_answer() -> None:
    assert broker.answer_within(5, lambda: {"access_token": "x"}) == {"access_token": "x"}


def test_an_exception_in_time_is_raised_as_it_is() -> None:
    class Odd(Exception):
        pass

    def fails() -> None:
        raise Odd("from the runtime")

    with pytest.raises(Odd, match="from the runtime"):
        broker.answer_within(5, fails)


def test_no_answer_is_given_up_on_and_the_call_left_behind() -> None:
    release = threading.Event()
    started = time.monotonic()
    with pytest.raises(broker.NoAnswer, match=r"^it did not answer within 0\.3 seconds$"):
        broker.answer_within(0.3, release.wait)
    assert 0.3 <= time.monotonic() - started < 2
    left = [t for t in threading.enumerate() if t.name == "lanyard-broker-call"]
    assert left and all(t.daemon for t in left)  # never holds the process open
    release.set()
    for thread in left:
        thread.join(5)
    assert broker.ANSWER_S == 300.0  # as long as the browser is waited for
    assert broker.duration(300.0) == "5 minutes" and broker.duration(90) == "1.5 minutes"


def test_a_pymsalruntime_that_never_starts_is_given_up_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its start-up on a session bus that takes the connection and says nothing never ended
    (the real one: tests/integration/auth/test_broker_unanswered.py). Here the import waits
    on a gate the test opens at the end; it then fails, as no broker would have answered."""
    (tmp_path / "lanyard_start_gate.py").write_text("import threading\nopen = threading.Event()\n")
    package = tmp_path / "pymsalruntime"
    package.mkdir()
    (package / "__init__.py").write_text(
        "import lanyard_start_gate\n"
        "lanyard_start_gate.open.wait(8)\n"
        "raise RuntimeError('ErrorContext: Broker cannot be initialized for MSALRuntime, x')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "pymsalruntime", raising=False)
    monkeypatch.delitem(sys.modules, "msal.broker", raising=False)
    monkeypatch.setattr(broker, "START_S", 0.3)
    started = time.monotonic()
    path = broker.choose("auto", os_name="linux", machine="x86_64", wsl=False)
    assert 0.3 <= time.monotonic() - started < 4
    assert path.broker is None and path.requested
    assert path.unavailable == (
        "pymsalruntime did not start within 0.3 seconds: the broker did not answer"
    )
    import lanyard_start_gate  # type: ignore[import-not-found]

    lanyard_start_gate.open.set()
    for thread in threading.enumerate():
        if thread.name == "lanyard-broker-call":
            thread.join(5)
    monkeypatch.delitem(sys.modules, "lanyard_start_gate")
