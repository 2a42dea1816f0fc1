"""Start a private Xvfb display for tests that need a real X server."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import in_ci


def require(program: str, why: str) -> str:
    """The program's path; skip (or fail under CI, where it must be installed) when missing."""
    path = shutil.which(program)
    if path is None:
        message = f"{program} is not installed ({why})"
        if in_ci():
            pytest.fail(message + " - CI must install it")
        pytest.skip(message)
    return path


@contextlib.contextmanager
def xvfb_display(width: int = 1280, height: int = 800) -> Iterator[str]:
    binary = require("Xvfb", "needed for tests on a real X display")
    for number in range(90, 140):
        if (
            not Path(f"/tmp/.X11-unix/X{number}").exists()
            and not Path(f"/tmp/.X{number}-lock").exists()
        ):
            break
    display = f":{number}"
    process = subprocess.Popen(
        [binary, display, "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp", "-noreset"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Xvfb did not start on {display}")
            time.sleep(0.05)
        yield display
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def display_env(display: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DISPLAY"] = display
    env["QT_QPA_PLATFORM"] = "xcb"
    return env
