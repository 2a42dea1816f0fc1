"""Suite-wide set-up: headless Qt, an isolated home, and no worker thread left behind."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

# pytest rewrites the asserts of test modules and conftest files only; the helpers in
# tests/support/ assert like tests do, so theirs are rewritten too (registered before the first
# of them is imported).
pytest.register_assert_rewrite("tests.support")

if TYPE_CHECKING:
    from desktop_app.sandbox import Sandbox

from tests.support.leak_scan import (  # noqa: E402, F401 (the scan's hooks, run from this conftest)
    prepare,
    pytest_runtest_logreport,
    pytest_sessionfinish,
)

# First: every temp dir of the run (ours, pytest's, child processes') goes where the token-leak
# scan looks at the end of the session (tests/support/leak_scan.py).
prepare()

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests never read or write the real user's settings or cache.
_HOME = Path(tempfile.mkdtemp(prefix="lanyard-test-home-"))
for _var, _sub in (
    ("XDG_CONFIG_HOME", "config"),
    ("XDG_DATA_HOME", "data"),
    ("XDG_CACHE_HOME", "cache"),
):
    os.environ[_var] = str(_HOME / _sub)
# ...nor the real user's keyring: in-process tests see no Secret Service (the plaintext fallback);
# tests of the keyring start their own D-Bus and gnome-keyring (tests/support/keyring.py).
os.environ["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={_HOME / 'no-session-bus'}"
# files the tests write are 0644 whatever the developer's umask (002 makes them group-writable):
# a policy file must be writable by its owner alone to be obeyed (core/managed_policy.py Trust)
os.umask(0o022)
for _name in [name for name in os.environ if name.startswith("LANYARD_")]:
    del os.environ[_name]
os.environ.pop("BROWSER", None)

REPO = Path(__file__).resolve().parent.parent
STANDIN_BROWSER = REPO / "tests" / "support" / "standin_browser.py"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


_NO_POLICY = _HOME / "no-policy" / "policy.toml"  # never written: no test reads /etc's policy


@pytest.fixture(autouse=True)
def _no_machine_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The managed policy's test seam (core/managed_policy.py) pointed at a file that does not
    exist; tests/support/policy.py points it at a test's own."""
    from desktop_app.core import managed_policy

    monkeypatch.setattr(
        managed_policy, "platform_sources", lambda: [managed_policy.TomlSource(_NO_POLICY)]
    )


@pytest.fixture(autouse=True)
def _no_worker_thread_left() -> Iterator[None]:
    yield
    workers = sys.modules.get("desktop_app.session.workers")
    if workers is None:
        return
    leftover = workers.live_worker_threads()
    for thread in leftover:
        thread.join(2.0)
    still = [t.name for t in leftover if t.is_alive()]
    assert not still, f"test left worker threads running: {still}"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """One in-process sandbox (identity provider and Graph) per test module."""
    from desktop_app.sandbox import Sandbox

    with Sandbox() as sb:
        yield sb


@pytest.fixture
def app_logging(tmp_path: Path) -> Iterator[Path]:
    """Lanyard's own logging set-up (verbose), writing to a file the test can read."""
    import logging

    from desktop_app.core.logs import configure_logging

    log_file = tmp_path / "lanyard.log"
    root = logging.getLogger()
    level = root.level
    configure_logging(str(log_file), verbose=True)
    yield log_file
    # Put the root level back: left at DEBUG, msal's DEBUG records (the authorization
    # response, with its code) reached the captured logs of every later test (leak scan).
    root.setLevel(level)
    for handler in [h for h in root.handlers if getattr(h, "lanyard", False)]:
        root.removeHandler(handler)
        handler.close()
    for name in ("msal", "msal_extensions", "urllib3"):
        logging.getLogger(name).setLevel(logging.NOTSET)


@pytest.fixture
def standin_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Make the stand-in browser the system browser; returns a function to pick the user."""

    def use(ca_file: str, user: str | None = None, consent: str = "accept") -> Path:
        log = tmp_path / f"standin-{user or 'default'}.log"
        monkeypatch.setenv("BROWSER", f"{sys.executable} {STANDIN_BROWSER} --detach")
        if ca_file:
            monkeypatch.setenv("STANDIN_CA", ca_file)
        else:
            monkeypatch.delenv("STANDIN_CA", raising=False)
        monkeypatch.setenv("STANDIN_LOG", str(log))
        monkeypatch.setenv("STANDIN_CONSENT", consent)
        if user:
            monkeypatch.setenv("STANDIN_USER", user)
        else:
            monkeypatch.delenv("STANDIN_USER", raising=False)
        return log

    return use


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """Print what the tests measured (tests/support/figures.py)."""
    from tests.support import figures

    measured = figures.lines()
    if measured:
        terminalreporter.section("figures")
        for line in measured:
            terminalreporter.write_line(line)
