"""The window path as ``lanyard`` runs it (arguments, config, QApplication, shutdown), in a child
process each time: see tests/support/app_probe.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.support.run_app_probe import probe


def test_without_client_id_the_window_says_what_to_configure(tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    shown = probe("setup_instructions", "--config", str(empty))["value"]
    assert isinstance(shown, str)
    assert "client_id" in shown
    assert "LANYARD_CLIENT_ID" in shown
    assert str(empty) in shown


def test_bad_config_names_the_field_in_the_window(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text('client_id = "not-a-guid"\n')
    shown = probe("setup_problem", "--config", str(bad))["value"]
    assert isinstance(shown, str)
    assert "'client_id'" in shown
    assert str(bad) in shown


def test_sandbox_demo_signs_in(tmp_path: Path, standin_browser) -> None:  # type: ignore[no-untyped-def]
    # --sandbox serves the sign-in pages over plain http on loopback (no certificate warning in a
    # real browser), so the stand-in browser needs no CA here
    standin_browser("")
    report = probe("sandbox_sign_in", "--sandbox", "--profile-dir", str(tmp_path))
    assert report["value"] == "Megan Bowen"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_quit_cleanly(tmp_path: Path, signum: int) -> None:
    log = tmp_path / "data" / "lanyard" / "logs" / "lanyard.log"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "--sandbox"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while "-> SIGNED_OUT" not in (log.read_text() if log.exists() else ""):
            assert process.poll() is None, process.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the window never became ready"
            time.sleep(0.1)
        sent = time.monotonic()
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=10)
        took = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr[-3000:]
    assert "Traceback" not in stderr
    assert took < 3.0, f"quit took {took:.1f} s"
