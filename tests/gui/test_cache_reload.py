"""The window follows changes other Lanyard processes make to the token cache (a headless
command, a sign-out elsewhere): real window, real msal, a real second process."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from desktop_app.sandbox import Sandbox, directory
from desktop_app.session.state import State
from tests.conftest import REPO
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import TIMEOUT_MS, sign_in, wait_state

CHILD = REPO / "tests" / "support" / "cache_child.py"


def other_process(sandbox: Sandbox, profile: Path, command: str, argument: str) -> float:
    """Run a second Lanyard process on the same cache; the time it finished."""
    subprocess.run(
        [
            sys.executable,
            str(CHILD),
            command,
            json.dumps(sandbox.info.as_json()),
            str(profile),
            argument,
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return time.monotonic()


def test_account_removed_elsewhere_signs_the_window_out(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    config = sandbox_config(sandbox, tmp_path)
    window, session = open_window(config)
    sign_in(qtbot, window, session)
    qtbot.waitUntil(lambda: [a.username for a in session.accounts] == [directory.ADMIN_UPN])

    finished = other_process(sandbox, config.profile_dir, "sign-out", directory.ADMIN_UPN)
    wait_state(qtbot, session, State.SIGNED_OUT)
    print(
        f"window signed out {1000 * (time.monotonic() - finished):.0f} ms after the other process"
    )
    assert session.accounts == []
    assert window.stack.currentWidget() is window.welcome_page
    assert not window.header.isVisible()
    assert "signed out by another Lanyard" in window.banner.message.text()


def test_account_added_elsewhere_reloads_the_account_list(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    config = sandbox_config(sandbox, tmp_path)
    window, session = open_window(config)
    sign_in(qtbot, window, session)
    qtbot.waitUntil(lambda: len(session.accounts) == 1)

    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    with qtbot.waitSignal(session.accounts_changed, timeout=TIMEOUT_MS) as changed:
        finished = other_process(sandbox, config.profile_dir, "sign-in", directory.READER_UPN)
    print(
        f"account list reloaded {1000 * (time.monotonic() - finished):.0f} ms after the other process"
    )
    assert {a.username for a in changed.args[0]} == {directory.ADMIN_UPN, directory.READER_UPN}
    assert {a.username for a in session.accounts} == {directory.ADMIN_UPN, directory.READER_UPN}
    assert session.state is State.SIGNED_IN  # still signed in as before
    assert session.account is not None and session.account.username == directory.ADMIN_UPN


def test_own_writes_do_not_announce_changes(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    sign_in(qtbot, window, session)
    qtbot.waitUntil(lambda: len(session.accounts) == 1)
    written = (tmp_path / "token_cache.bin").read_bytes()
    with qtbot.assertNotEmitted(session.accounts_changed, wait=600):
        session.refresh(force=True)  # writes the cache: the watcher fires, nothing changed
        wait_state(qtbot, session, State.SIGNED_IN)
    assert (tmp_path / "token_cache.bin").read_bytes() != written  # it was rewritten
    assert session.state is State.SIGNED_IN
