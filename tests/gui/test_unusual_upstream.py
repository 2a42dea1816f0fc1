"""The window against an "unusual upstream" (issue 14): the sandbox's answers drawn (hypothesis)
from what the protocol and Entra allow (tests/support/unusual_upstream.py), the real MainWindow
on a real SessionController, real msal and requests. For every drawn upstream: no exception
(pytest-qt fails on one in a slot), a bounded time to settle, a true statement on screen
(roles shown iff the token has them, never "Signed in" without a usable token, a short or dead
lifetime said, a profile field of the wrong type said), and recovery once the fault is lifted.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.sandbox import Sandbox, directory
from desktop_app.sandbox.faults import FaultSpec
from desktop_app.session.policy import Backoff
from desktop_app.session.state import SHOWS_ACCOUNT, State
from desktop_app.ui.main_window import MainWindow
from tests.gui.test_fault_matrix import short_timeouts  # noqa: F401 (a fixture, used by name)
from tests.support import figures
from tests.support.sandbox_helpers import sandbox_config
from tests.support.unusual_upstream import NAME, Upstream, upstreams
from tests.support.window_driver import TIMEOUT_MS, sign_in, wait_state

EXAMPLES = 40
SETTLED_WITHIN_MS = 15_000


def _token_answered(sandbox: Sandbox) -> bool:
    return any(
        r.get("grant_type") == "refresh_token" and r.get("status") for r in sandbox.requests()
    )


def _click(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.mouseClick(window.header.refresh_button, Qt.MouseButton.LeftButton)


def test_the_window_tells_the_truth_whatever_the_upstream_sends(
    qtbot: QtBot,
    tmp_path: Path,
    standin_browser: Any,
    open_window: Any,
    short_timeouts: None,  # noqa: F811
) -> None:
    tried: list[float] = []
    kinds: dict[str, int] = {}
    with Sandbox() as sandbox:
        standin_browser(sandbox.info.ca_file, directory.READER_UPN)
        window, session = open_window(
            sandbox_config(sandbox, tmp_path / "profile"), backoff=Backoff(first=1.0, jitter=0.0)
        )
        sign_in(qtbot, window, session)
        errors: list[object] = []
        session.error.connect(errors.append)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=(Phase.generate,),  # no shrinking: each example drives a real window
            suppress_health_check=list(HealthCheck),
        )
        @given(upstreams())
        def example(up: Upstream) -> None:
            sandbox.clear_faults()
            sandbox.clear_requests()
            errors.clear()
            for fault in up.faults:
                sandbox.add_fault(fault)
            started = time.monotonic()
            _click(qtbot, window)
            qtbot.waitUntil(
                lambda: _token_answered(sandbox) and session.state is not State.REFRESHING,
                timeout=SETTLED_WITHIN_MS,
            )
            if session.state is State.SIGNED_IN:  # the profile follows the token
                qtbot.waitUntil(lambda: _profile_settled(window, up), timeout=SETTLED_WITHIN_MS)
            tried.append(time.monotonic() - started)
            _check_the_truth(window, session, up, errors)
            kind = f"{_kind(up)}/{session.state.name}"
            kinds[kind] = kinds.get(kind, 0) + 1
            # the fault lifted: Refresh brings the ordinary sign-in back
            sandbox.clear_faults()
            _click(qtbot, window)
            qtbot.waitUntil(
                lambda: (
                    session.state is State.SIGNED_IN
                    and not window.banner.isVisible()
                    and window.profile_panel.value_text("displayName") == NAME
                ),
                timeout=TIMEOUT_MS,
            )
            token = session.token
            assert token is not None and token.expires_on > time.time() + 300
            assert window.token_panel.lifetime_note.isHidden()

        example()
        assert session.shutdown(5.0)
    worst = max(tried)
    print(f"unusual upstream (window): {len(tried)} examples tried, worst settle {worst:.2f} s")
    print("  drawn/shown:", ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    figures.record(
        "unusual upstream (window)", f"{len(tried)} drawn upstreams, worst settle {worst:.2f} s"
    )


def _kind(up: Upstream) -> str:
    if up.token_error:
        return "token-error"
    if up.expired_on_arrival:
        return "expired"
    return "short-lived" if up.short_lived else "ordinary"


def _profile_settled(window: MainWindow, up: Upstream) -> bool:
    shown = window.profile_panel.value_text("displayName")
    if up.name_wrong_type:
        return shown.startswith("Not shown: Microsoft Graph sent")
    return shown == (up.name or NAME)


def _check_the_truth(window: MainWindow, session: Any, up: Upstream, errors: list[Any]) -> None:
    state = session.state
    assert window.state_label.text() == state.value
    token = session.token
    if up.token_error:
        assert state in (State.ERROR, State.OFFLINE), state
        assert window.banner.isVisible() and errors
    elif up.expired_on_arrival:
        # no usable token: never "Signed in"; said in the banner and on the Token panel
        assert state is State.ERROR, state
        assert window.banner.isVisible() and "already expired" in window.banner.message.text()
        assert not window.token_panel.lifetime_note.isHidden()
    elif state is State.ERROR:
        # only a short-lived token that ran out before its (backed-off) renewal: said so
        assert up.short_lived and token is not None and token.expires_on <= time.time(), state
        assert "expired before Lanyard could renew" in window.banner.message.text()
    else:
        assert state is State.SIGNED_IN, (state, [str(e) for e in errors])
        assert token is not None and token.expires_on > time.time()  # usable
        note = window.token_panel.lifetime_note
        assert (not note.isHidden()) == up.short_lived, (up.lifetime, note.text())
        if up.short_lived:
            assert "short-lived" in note.text()
    if state is State.SIGNED_IN:
        assert token is not None and token.expires_on > time.time()
    # roles: shown iff the (trusted) ID token has them; the reader holds "Reader"
    if state in SHOWS_ACCOUNT:
        roles = window.roles_panel
        assert roles.roles == ("Reader",), roles.summary.text()
        assert "no app roles" not in roles.summary.text()


def test_a_token_that_dies_before_its_renewal_is_said_and_then_renewed(
    qtbot: QtBot,
    tmp_path: Path,
    standin_browser: Any,
    open_window: Any,
    short_timeouts: None,  # noqa: F811
) -> None:
    """expires_in 1: "Signed in" only while it lasts; then the state says there is no usable
    token until the back-off renewal (3 s) brings one."""
    with Sandbox() as sandbox:
        standin_browser(sandbox.info.ca_file, directory.READER_UPN)
        window, session = open_window(sandbox_config(sandbox, tmp_path / "profile"))
        sign_in(qtbot, window, session)
        sandbox.add_fault(FaultSpec("token", answer={"set": {"expires_in": "1"}}, count=1))
        _click(qtbot, window)
        qtbot.waitUntil(lambda: _token_answered(sandbox), timeout=TIMEOUT_MS)
        wait_state(qtbot, session, State.SIGNED_IN)
        note = window.token_panel.lifetime_note
        assert not note.isHidden() and "short-lived token (1 s)" in note.text()
        wait_state(qtbot, session, State.ERROR)
        token = session.token
        assert token is not None and token.expires_on <= time.time()
        assert "expired before Lanyard could renew" in window.banner.message.text()
        assert window.state_label.text() == State.ERROR.value
        # the renewal (the sandbox answers normally again) brings a usable token back
        qtbot.waitUntil(
            lambda: session.state is State.SIGNED_IN and not window.banner.isVisible(),
            timeout=TIMEOUT_MS,
        )
        token = session.token
        assert token is not None and token.expires_on > time.time() + 300
        assert note.isHidden()
        assert session.shutdown(5.0)


def test_a_profile_field_of_the_wrong_type_is_said_where_the_profile_is_shown(
    qtbot: QtBot,
    tmp_path: Path,
    standin_browser: Any,
    open_window: Any,
) -> None:
    with Sandbox() as sandbox:
        standin_browser(sandbox.info.ca_file, directory.READER_UPN)
        window, session = open_window(sandbox_config(sandbox, tmp_path / "profile"))
        sign_in(qtbot, window, session)
        sandbox.add_fault(
            FaultSpec("me", answer={"set": {"jobTitle": 42, "mail": ["x@y"]}}, count=1)
        )
        _click(qtbot, window)
        panel = window.profile_panel
        qtbot.waitUntil(
            lambda: panel.value_text("jobTitle").startswith("Not shown"), timeout=TIMEOUT_MS
        )
        assert panel.value_text("jobTitle") == "Not shown: Microsoft Graph sent a number, not text"
        assert panel.value_text("mail") == "Not shown: Microsoft Graph sent a list, not text"
        assert not panel.copy_buttons["jobTitle"].isEnabled()
        assert panel.value_text("displayName") == NAME  # the rest as sent
        _click(qtbot, window)  # Graph answers normally again: the values are back
        qtbot.waitUntil(
            lambda: panel.value_text("jobTitle") == "Marketing Assistant", timeout=TIMEOUT_MS
        )
        assert session.shutdown(5.0)


@pytest.mark.parametrize(
    "sent", [10**400, 10**20, "1e300", "9" * 400], ids=["10**400", "10**20", "1e300", "9" * 4]
)
def test_a_lifetime_past_any_clock_is_an_expired_token_not_an_exception(
    qtbot: QtBot, tmp_path: Path, standin_browser: Any, open_window: Any, sent: object
) -> None:
    """expires_in and refresh_in past claims.MAX_SECONDS: msal raised OverflowError adding
    10**400 to time.time() on the auth thread, and the token panel's and the Admin view's
    clocks (time.localtime) raised on 10**20 in the GUI thread (pytest-qt fails on either)."""
    with Sandbox() as sandbox:
        standin_browser(sandbox.info.ca_file, directory.READER_UPN)
        window, session = open_window(sandbox_config(sandbox, tmp_path / "profile"))
        sign_in(qtbot, window, session)
        answer = {"set": {"expires_in": sent, "refresh_in": sent}}
        sandbox.add_fault(FaultSpec("token", answer=answer, count=None))
        sandbox.clear_requests()
        _click(qtbot, window)
        qtbot.waitUntil(lambda: _token_answered(sandbox), timeout=SETTLED_WITHIN_MS)
        qtbot.waitUntil(lambda: session.state is State.ERROR, timeout=SETTLED_WITHIN_MS)
        assert window.banner.isVisible()  # said: the answer's token is no usable token
        window.tabs.setCurrentWidget(window.token_panel)
        inventory = window.admin_panel.inventory
        window.admin_panel.reload()
        qtbot.waitUntil(lambda: inventory.rowCount() > 0, timeout=TIMEOUT_MS)
        qtbot.wait(200)  # the rows are drawn: an exception in a slot fails the test
        expiries = [inventory.item(row, 3) for row in range(inventory.rowCount())]
        assert all(item is None or len(item.text()) < 20 for item in expiries)
