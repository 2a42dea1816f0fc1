from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from desktop_app.auth import browser


def test_bundle_variables_are_restored() -> None:
    env = {
        "LD_LIBRARY_PATH": "/opt/lanyard/_internal",
        "LD_LIBRARY_PATH_ORIG": "/usr/local/lib",
        "QT_PLUGIN_PATH": "/opt/lanyard/qt",
        "HOME": "/home/u",
    }
    clean = browser.clean_environment(env)
    assert clean["LD_LIBRARY_PATH"] == "/usr/local/lib"
    assert "LD_LIBRARY_PATH_ORIG" not in clean
    assert "QT_PLUGIN_PATH" not in clean
    assert clean["HOME"] == "/home/u"


def test_frozen_bundle_without_original_drops_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert "LD_LIBRARY_PATH" not in browser.clean_environment(
        {"LD_LIBRARY_PATH": "/opt/lanyard/_internal"}
    )


def test_bootloader_state_is_not_passed_on() -> None:
    env = {
        "_PYI_ARCHIVE_FILE": "/opt/lanyard/lanyard",
        "_PYI_PARENT_PROCESS_LEVEL": "1",
        "_PYI_APPLICATION_HOME_DIR": "/opt/lanyard/_internal",
        "_MEIPASS2": "/tmp/_MEI123",
        "PATH": "/usr/bin",
    }
    assert browser.clean_environment(env) == {"PATH": "/usr/bin"}


def test_browser_variable_is_honoured() -> None:
    commands = browser.browser_commands(
        "https://x/?a=1", {"BROWSER": "firefox --new-tab %s:/usr/bin/chromium", "PATH": ""}
    )
    assert commands[0] == ["firefox", "--new-tab", "https://x/?a=1"]
    assert commands[1] == ["/usr/bin/chromium", "https://x/?a=1"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX launcher")
def test_launch_is_detached_with_a_clean_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "seen.txt"
    script = tmp_path / "fake-browser.sh"
    script.write_text(f'#!/bin/sh\necho "$1 LD=$LD_LIBRARY_PATH" > {out}\n')
    script.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(script))
    monkeypatch.setenv("LD_LIBRARY_PATH", "/bundle/lib")
    monkeypatch.setenv("LD_LIBRARY_PATH_ORIG", "/system/lib")
    assert browser.open_browser("https://example.test/sign-in")
    deadline = time.monotonic() + 5
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert out.read_text().strip() == "https://example.test/sign-in LD=/system/lib"


def test_no_browser_reports_false(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROWSER", "/nonexistent/browser")
    monkeypatch.setenv("PATH", "/nonexistent")
    assert browser.open_browser("https://example.test") is False


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX launcher")
def test_an_opener_that_fails_counts_as_no_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = tmp_path / "xdg-open-without-a-browser.sh"
    failing.write_text("#!/bin/sh\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(failing))
    monkeypatch.setenv("PATH", "/nonexistent")
    assert browser.open_browser("https://example.test") is False


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX launcher")
def test_an_opener_still_running_counts_as_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    foreground = tmp_path / "foreground-browser.sh"
    foreground.write_text("#!/bin/sh\nsleep 1\n")
    foreground.chmod(0o755)
    monkeypatch.setenv("BROWSER", str(foreground))
    started = time.monotonic()
    assert browser.open_browser("https://example.test", check_s=0.2) is True
    assert time.monotonic() - started < 0.9


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland display check")
def test_without_a_display_only_an_explicit_browser_is_tried() -> None:
    assert browser.browser_commands("https://x", {"PATH": "/usr/bin"}) == []
    assert browser.browser_commands("https://x", {"BROWSER": "b", "PATH": "/usr/bin"}) == [
        ["b", "https://x"]
    ]
