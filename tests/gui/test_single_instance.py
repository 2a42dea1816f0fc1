"""One Lanyard per user and profile: real processes, real QLocalServer/QLocalSocket
(tests/support/app_probe.py runs the window path as ``lanyard`` does)."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop_app.ui.single_instance import server_name
from tests.conftest import REPO

PROBE = REPO / "tests" / "support" / "app_probe.py"


@pytest.fixture
def env() -> Iterator[dict[str, str]]:
    """A private temporary directory: without XDG_RUNTIME_DIR Lanyard puts the local socket in
    a folder of its own there (short: a socket path has a length limit), so no other test run
    on this machine can answer."""
    folder = tempfile.mkdtemp(prefix="ly-")
    base = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    yield {**base, "QT_QPA_PLATFORM": "offscreen", "TMPDIR": folder}
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def start_window(env: dict[str, str]) -> Iterator[Callable[[Path], subprocess.Popen[str]]]:
    """Start a window on a profile (the sandbox demo, not signed in) that reports its first
    hand-off; any still running at the end of the test is killed."""
    started: list[subprocess.Popen[str]] = []

    def start(profile: Path) -> subprocess.Popen[str]:
        window = subprocess.Popen(
            [
                sys.executable,
                str(PROBE),
                "handoff",
                "--",
                "--sandbox",
                "--profile-dir",
                str(profile),
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(window)
        assert window.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready, _, _ = select.select([window.stdout], [], [], 0.5)
            if ready and window.stdout.readline().strip() == "READY":
                return window
            assert window.poll() is None, window.communicate()[1][-3000:]
        pytest.fail("the window did not come up")

    yield start
    for window in started:
        if window.poll() is None:
            window.kill()
        window.communicate(timeout=30)


def launch(
    profile: Path, env: dict[str, str], *extra: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--sandbox", "--profile-dir", str(profile), *extra],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result, time.monotonic() - started


def report_of(window: subprocess.Popen[str]) -> dict[str, object]:
    out, err = window.communicate(timeout=60)
    assert window.returncode == 0, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    report = json.loads(out.strip().splitlines()[-1])
    assert report["exit_code"] == 0
    assert report["value"] is not None, "the window saw no hand-off"
    return json.loads(str(report["value"]))


def test_second_launch_brings_the_window_to_the_front_and_exits(
    tmp_path: Path, env: dict[str, str], start_window
) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "profile"
    window = start_window(profile)
    proxy = "http://someone:hunter2-proxy-pw@127.0.0.1:9"
    second, took = launch(profile, env, "--verbose", "--proxy", proxy)
    print(f"hand-off to the running window: second launch exited after {took * 1000:.0f} ms")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Traceback" not in second.stderr
    seen = report_of(window)
    assert seen["arguments"] == {"action": "raise"}  # no argument, so no proxy password
    assert "hunter2" not in json.dumps(seen)
    assert seen["before"] == {"minimized": True, "active": False}
    assert seen["visible"] and not seen["minimized"]  # restored...
    assert seen["active"]  # ...and brought to the front


def test_socket_of_a_crashed_instance_is_cleaned_up(
    tmp_path: Path, env: dict[str, str], start_window
) -> None:  # type: ignore[no-untyped-def]
    profile = tmp_path / "profile"
    crashed = start_window(profile)
    crashed.send_signal(signal.SIGKILL)
    crashed.communicate(timeout=30)
    socket = Path(env["TMPDIR"]) / f"lanyard-{os.geteuid()}" / server_name(profile, sandbox=True)
    assert socket.exists()  # what a crash leaves behind
    window = start_window(profile)  # takes over instead of handing off to nobody
    second, _ = launch(profile, env)
    assert second.returncode == 0, second.stderr[-3000:]
    assert report_of(window)["arguments"] == {"action": "raise"}


def test_other_profile_directories_get_their_own_window(tmp_path: Path) -> None:
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert server_name(tmp_path / "a") != server_name(tmp_path / "a", sandbox=True)
    assert server_name(tmp_path / "a") == server_name(tmp_path / "x" / ".." / "a")
    assert len(server_name(tmp_path / ("long" * 100))) < 60
