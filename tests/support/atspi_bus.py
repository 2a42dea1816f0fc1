"""The accessibility bus a screen reader listens on, for tests: a private D-Bus session bus with
at-spi2-core's bus launcher on it (which starts the accessibility bus and its registry daemon),
and the client that reads it (tests/support/atspi_client.py, under Debian's python3 with pyatspi).

The session bus has no service files: the launcher is started here, in a process group of its
own, and that group (the launcher, the accessibility bus and the registry it started) is ended
by its id. Under CI a missing at-spi2-core or pyatspi fails the test instead of skipping it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest

from tests.conftest import REPO, in_ci
from tests.support.keyring import BUS_CONFIG
from tests.support.xvfb import require

CLIENT = REPO / "tests" / "support" / "atspi_client.py"
LAUNCHER = Path("/usr/libexec/at-spi-bus-launcher")
SYSTEM_PYTHON = Path("/usr/bin/python3")  # Debian's: python3-pyatspi is installed for it
LISTENER_SETTLES_S = 0.5


def _missing(message: str) -> None:
    if in_ci():
        pytest.fail(message + " - CI must install it (scripts/test.sh)")
    pytest.skip(message)


def require_atspi() -> None:
    if not LAUNCHER.exists():
        _missing(f"{LAUNCHER} is not there (at-spi2-core)")
    if not SYSTEM_PYTHON.exists():
        _missing(f"{SYSTEM_PYTHON} is not there (Debian's python3, for pyatspi)")
    probe = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import pyatspi"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    if probe.returncode != 0:
        _missing(f"pyatspi is not importable by {SYSTEM_PYTHON} (python3-pyatspi)")


@dataclass
class AccessibilityBus:
    env: dict[str, str]  # DBUS_SESSION_BUS_ADDRESS and DISPLAY, for the app and the client
    log: Path

    def client_env(self) -> dict[str, str]:
        # Debian's python with its own modules only: nothing of the venv's or the suite's path
        base = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
        return base | self.env

    def dump(self, app_name: str, everything: bool = False) -> dict[str, Any]:
        """The app's accessible tree as a screen reader reads it (atspi_client.py dump)."""
        result = subprocess.run(
            [str(SYSTEM_PYTHON), str(CLIENT), "dump", app_name, *(["--all"] if everything else [])],
            env=self.client_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, f"the AT-SPI client failed:\n{result.stderr[-4000:]}"
        tree: dict[str, Any] = json.loads(result.stdout)
        return tree

    @contextlib.contextmanager
    def listening(self) -> Iterator[EventLog]:
        """A client registered for the events a screen reader speaks from, while in the block."""
        process = subprocess.Popen(
            [str(SYSTEM_PYTHON), str(CLIENT), "listen"],
            env=self.client_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert process.stdout is not None and process.stdin is not None
        log: EventLog | None = None
        try:
            ready = process.stdout.readline().strip()
            assert ready == "ready", f"the AT-SPI listener said {ready!r}"
            # the registry tells the app of the new listener by a signal of its own: Qt sends
            # only the events someone listens for, so give that signal a moment to arrive
            time.sleep(LISTENER_SETTLES_S)
            log = EventLog(process.stdout)
            yield log
        finally:
            process.stdin.close()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if log is not None:
                log.join()
            process.stdout.close()


class EventLog:
    """The events the listener prints, collected by a reader thread as they come."""

    def __init__(self, stream: IO[str]) -> None:
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            if line.strip():
                with self._lock:
                    self.events.append(json.loads(line))

    def join(self) -> None:
        self._reader.join(10)

    def wait_for(
        self, wanted: Callable[[dict[str, Any]], bool], timeout: float = 10.0
    ) -> dict[str, Any] | None:
        """The first event (seen so far or within ``timeout``) for which ``wanted(event)``."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                seen = list(self.events)
            found = next((event for event in seen if wanted(event)), None)
            if found is not None or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


@contextlib.contextmanager
def accessibility_bus(base: Path, display: str) -> Iterator[AccessibilityBus]:
    """A session bus for ``display`` with the accessibility bus launched on it."""
    require_atspi()
    dbus_daemon = require("dbus-daemon", "the private session bus the accessibility bus is on")
    base.mkdir(parents=True, exist_ok=True)
    runtime = base / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    socket = base / "bus"
    config = base / "bus.conf"
    config.write_text(BUS_CONFIG.format(socket=socket))
    env = {"DISPLAY": display, "XDG_RUNTIME_DIR": str(runtime)}
    daemon_env = _without_session(os.environ) | env
    log = base / "atspi.log"
    with log.open("wb") as log_file:
        bus = subprocess.Popen(
            [dbus_daemon, f"--config-file={config}", "--nofork", "--print-address=1"],
            env=daemon_env,
            stdout=subprocess.PIPE,
            stderr=log_file,
        )
        launcher: subprocess.Popen[bytes] | None = None
        try:
            assert bus.stdout is not None
            address = bus.stdout.readline().decode().strip()
            assert address.startswith("unix:"), f"dbus-daemon printed {address!r}"
            env["DBUS_SESSION_BUS_ADDRESS"] = address
            launcher = subprocess.Popen(
                [str(LAUNCHER), "--launch-immediately"],
                env=daemon_env | env,
                stdout=log_file,
                stderr=log_file,
                start_new_session=True,  # its bus and registry are in its group: ended together
            )
            handle = AccessibilityBus(env, log)
            _wait_for_registry(handle, launcher)
            yield handle
        finally:
            if launcher is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(launcher.pid, signal.SIGTERM)
                try:
                    launcher.wait(5)
                except subprocess.TimeoutExpired:
                    os.killpg(launcher.pid, signal.SIGKILL)
                    launcher.wait()
            bus.kill()
            bus.wait(10)
            if bus.stdout is not None:
                bus.stdout.close()


def _wait_for_registry(bus: AccessibilityBus, launcher: subprocess.Popen[bytes]) -> None:
    """Until a client reaches the registry through the launcher (an empty desktop is fine)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if launcher.poll() is not None:
            pytest.fail(f"at-spi-bus-launcher exited: {bus.log.read_text()[-2000:]}")
        probe = subprocess.run(
            [str(SYSTEM_PYTHON), str(CLIENT), "dump", "(nothing)"],
            env=bus.client_env(),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if probe.returncode == 0:
            return
        time.sleep(0.2)
    pytest.fail(f"the accessibility bus did not come up: {bus.log.read_text()[-2000:]}")


def _without_session(environ: Mapping[str, str]) -> dict[str, str]:
    dropped = {"DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "AT_SPI_BUS_ADDRESS"}
    return {key: value for key, value in environ.items() if key not in dropped}
