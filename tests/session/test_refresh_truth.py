"""Issue 14, item 6: a refresh that fails and is then "satisfied" from msal's cache must not
show "Signed in" while the identity provider is still failing. Real msal, real requests,
the sandbox's token endpoint failing."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from desktop_app.core.errors import LanyardError
from desktop_app.sandbox import Sandbox, directory
from desktop_app.sandbox.faults import FaultSpec
from desktop_app.session.policy import Backoff
from desktop_app.session.state import State
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import TIMEOUT_MS, wait_state


def _token_posts(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests() if str(r.get("path", "")).endswith("/token"))


def test_a_cached_token_after_a_failed_refresh_does_not_say_signed_in(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, start_session: Any, standin_browser: Any
) -> None:
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    # no automatic retry during the test: each refresh below is the person's
    session = start_session(sandbox_config(sandbox, tmp_path), backoff=Backoff(first=600))
    wait_state(qtbot, session, State.SIGNED_OUT)
    session.sign_in()
    wait_state(qtbot, session, State.SIGNED_IN)
    errors: list[LanyardError] = []
    session.error.connect(errors.append)
    try:
        # Retry-After 1: msal's http_cache replays it for one second only (item 2 is the rest)
        sandbox.add_fault(FaultSpec("token", status=503, retry_after=1, count=None))
        session.refresh(force=True)
        wait_state(qtbot, session, State.ERROR)
        assert errors
        time.sleep(1.2)
        before = _token_posts(sandbox)
        session.refresh()  # the cached token is still valid: msal alone would answer from it
        qtbot.waitUntil(lambda: session.state is not State.REFRESHING, timeout=TIMEOUT_MS)
        assert session.state is State.ERROR  # the truth: the identity provider still fails
        assert _token_posts(sandbox) > before  # and it was asked, not skipped
        assert session.schedule is not None and session.schedule.retry  # "Trying again in …"
    finally:
        sandbox.clear_faults()
    time.sleep(1.2)
    session.refresh()
    wait_state(qtbot, session, State.SIGNED_IN)  # recovery: the identity provider answered
