"""The window and the sign-in broker (issue 21 part 2): it says which way sign-in goes (the
status bar, the Admin view), tells when the broker setting is on but no broker works, and a
broker that fails hands the same sign-in over to the browser. Real window, real session, real
msal with pymsalruntime installed and no broker running; the stand-in browser; the sandbox.

Where a broker must answer there is none here: msal's own error answer for a failed broker
(msal/broker.py _convert_error) stands in for it (tests/integration/auth/test_broker.py)."""

from __future__ import annotations

import importlib.util
from dataclasses import replace
from pathlib import Path
from typing import Any

import msal
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.auth import broker
from desktop_app.sandbox import Sandbox, directory
from desktop_app.session.state import State
from tests.conftest import in_ci
from tests.integration.auth.test_broker import NO_BROKER, broker_error
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import TIMEOUT_MS, wait_state


@pytest.fixture(autouse=True)
def _pymsalruntime_installed() -> None:
    if importlib.util.find_spec("pymsalruntime") is None:
        message = "pymsalruntime is not installed (the test extra brings msal[broker])"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


def click_sign_in(qtbot: QtBot, window: Any, session: Any) -> None:
    wait_state(qtbot, session, State.SIGNED_OUT)
    qtbot.mouseClick(window.welcome_page.sign_in_button, Qt.MouseButton.LeftButton)


def test_broker_on_without_a_broker_says_so_and_signs_in_in_the_browser(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    config = replace(sandbox_config(sandbox, tmp_path), broker="auto")
    window, session = open_window(config)
    methods: list[str] = []
    session.sign_in_method.connect(methods.append)
    wait_state(qtbot, session, State.SIGNED_OUT)
    label = window.status.sign_in_label
    assert label.isVisibleTo(window)
    assert label.text().startswith(
        f"⚠ Sign-in: system browser (the sign-in broker is not available: {NO_BROKER}"
    )
    assert "Conditional Access" in label.toolTip()

    click_sign_in(qtbot, window, session)
    qtbot.waitUntil(lambda: window.banner.isVisible(), timeout=TIMEOUT_MS)
    said = window.banner.message.text()
    assert said.startswith(f"The sign-in broker is not available ({NO_BROKER}")
    assert said.endswith("): signing in through the system browser.")
    wait_state(qtbot, session, State.SIGNED_IN)
    assert methods == ["browser"]
    assert window.admin_panel.sign_in_path.text().startswith(
        f"system browser (the sign-in broker is not available: {NO_BROKER}"
    )


def test_broker_off_shows_nothing_of_it_in_the_status_bar(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    click_sign_in(qtbot, window, session)
    wait_state(qtbot, session, State.SIGNED_IN)
    assert not window.status.sign_in_label.isVisibleTo(window)
    assert window.admin_panel.sign_in_path.text() == "system browser"
    assert not window.banner.isVisible()  # nothing to tell


@pytest.fixture
def failing_broker(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The broker setting finds a Windows broker (a stand-in: this is Linux) whose sign-in
    fails as WAM's does when no broker can serve it; records what Lanyard passed to msal."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(
        broker, "choose", lambda _setting: broker.SignInPath(broker.WINDOWS, requested=True)
    )
    monkeypatch.setattr(broker, "msal_uses_broker", lambda _app: True)

    def interactive(self: msal.PublicClientApplication, scopes: list[str], **kwargs: Any) -> Any:
        calls.append(kwargs)
        return broker_error("Status_RequiredBrokerMissing", "Broker is not installed")

    monkeypatch.setattr(msal.PublicClientApplication, "acquire_token_interactive", interactive)
    return calls


def test_a_broker_that_fails_hands_the_sign_in_to_the_browser(
    qtbot: QtBot,
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser,
    open_window,
    failing_broker: list[dict[str, Any]],
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    config = replace(sandbox_config(sandbox, tmp_path), broker="auto")
    window, session = open_window(config)
    methods: list[str] = []
    session.sign_in_method.connect(methods.append)
    wait_state(qtbot, session, State.SIGNED_OUT)
    label = window.status.sign_in_label
    assert label.text() == "Sign-in: Windows sign-in broker (WAM)"
    client_id = sandbox.info.client_id
    assert window.admin_panel.sign_in_path.text() == (
        "Windows sign-in broker (WAM) (redirect URI "
        f"ms-appx-web://Microsoft.AAD.BrokerPlugin/{client_id})"
    )

    click_sign_in(qtbot, window, session)
    wait_state(qtbot, session, State.SIGNED_IN)
    assert methods == ["broker", "browser"]  # the broker first, then the same attempt's browser
    (call,) = failing_broker
    assert call["parent_window_handle"] == int(window.winId())  # its dialog opens over us
    assert call["prompt"] == "select_account"
    assert window.banner.message.text() == (
        "The sign-in broker could not sign you in (Broker is not installed)."
    )
    assert label.text() == (
        "⚠ Sign-in: system browser (the sign-in broker is not available: Broker is not installed)"
    )
    assert window.admin_panel.sign_in_path.text() == (
        "system browser (the sign-in broker is not available: Broker is not installed)"
    )
    assert session.account is not None and session.account.username == directory.ADMIN_UPN

    # the next sign-in (another account) goes straight to the browser: the broker is not tried
    session.sign_in(add_account=True)
    wait_state(qtbot, session, State.SIGNED_IN)
    assert len(failing_broker) == 1
    assert methods == ["broker", "browser", "browser"]
