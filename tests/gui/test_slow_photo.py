"""A slow photo never holds up the profile (issue 14, item 3): the window shows the profile as
soon as /me answers, the photo later (or never, for one that trickles in past the deadline).
Real window, real SessionController, real msal and requests against the sandbox."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.sandbox import Sandbox, directory
from desktop_app.sandbox.faults import FaultSpec
from desktop_app.session.state import State
from tests.support import figures
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import TIMEOUT_MS, wait_state

PHOTO_DELAY_S = 4.0


@pytest.fixture(autouse=True)
def _clean_sandbox(sandbox: Sandbox) -> Iterator[None]:
    yield
    sandbox.clear_faults()


def _sign_in_and_time(qtbot: QtBot, window, session) -> float:  # type: ignore[no-untyped-def]
    """Click Sign in; the seconds until the profile is on screen."""
    wait_state(qtbot, session, State.SIGNED_OUT)
    started = time.monotonic()
    qtbot.mouseClick(window.welcome_page.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: window.profile_panel.value_text("userPrincipalName") == directory.ADMIN_UPN,
        timeout=TIMEOUT_MS,
    )
    return time.monotonic() - started


def test_the_profile_appears_while_the_photo_trickles(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    # a byte every 0.2 s: the ~20 KB photo would take over an hour; the deadline ends it
    sandbox.add_fault(FaultSpec("photo", trickle_ms=200, count=None))
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    shown_after = _sign_in_and_time(qtbot, window, session)
    figures.record("profile shown while the photo trickles", f"after {shown_after:.1f} s")
    print(f"profile shown {shown_after:.2f} s after Sign in, the photo still trickling")
    assert session.state is State.SIGNED_IN
    assert window.header.avatar.has_photo is False  # the photo has not arrived (nor will it)

    def photo_asked() -> bool:
        return any(r.get("path") == "/v1.0/me/photo/$value" for r in sandbox.requests())

    qtbot.waitUntil(photo_asked, timeout=TIMEOUT_MS)  # asked for, and trickling in now
    qtbot.wait(1000)
    assert window.header.avatar.has_photo is False
    assert not window.banner.isVisible()  # a missing photo is no failure to report


def test_a_slow_photo_arrives_after_the_profile(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    sandbox.add_fault(FaultSpec("photo", latency_ms=int(PHOTO_DELAY_S * 1000)))
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    started = time.monotonic()
    shown_after = _sign_in_and_time(qtbot, window, session)
    assert window.header.avatar.has_photo is False
    qtbot.waitUntil(lambda: window.header.avatar.has_photo, timeout=TIMEOUT_MS)
    photo_after = time.monotonic() - started
    print(f"profile shown after {shown_after:.2f} s, the slow photo after {photo_after:.2f} s")
    assert shown_after < photo_after
    assert photo_after >= PHOTO_DELAY_S
