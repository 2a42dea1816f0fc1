"""The session through the states a real one goes through, in the window, against the sandbox."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import certifi
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop_app.core.errors import ErrorKind, InteractionReason
from desktop_app.sandbox import Sandbox, directory
from desktop_app.session.controller import SessionController
from desktop_app.session.policy import ClockJumpDetector
from desktop_app.session.state import State
from desktop_app.ui.main_window import MainWindow
from tests.support.sandbox_helpers import idp_requests, sandbox_config
from tests.support.window_driver import TIMEOUT_MS, sign_in, wait_state


def refresh_grants(sandbox: Sandbox) -> int:
    return sum(1 for r in idp_requests(sandbox) if r.get("grant_type") == "refresh_token")


class FakeClocks:
    """Wall and monotonic clocks that start at the real ones; ``sleep`` moves only the wall."""

    def __init__(self) -> None:
        self.wall_offset = 0.0

    def wall(self) -> float:
        return time.time() + self.wall_offset

    def sleep(self, seconds: float) -> None:
        self.wall_offset += seconds


def test_revoked_sign_in_asks_once_and_signs_in_the_same_account_again(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    sign_in(qtbot, window, session)
    assert session.schedule is not None and not session.schedule.retry
    assert window.schedule_label.text().startswith("Next refresh at ")

    sandbox.revoke_refresh_tokens(directory.READER_UPN)
    session.refresh(force=True)
    wait_state(qtbot, session, State.SIGN_IN_NEEDED)
    assert session.interaction is not None
    assert session.interaction.reason is InteractionReason.EXPIRED
    assert window.banner.isVisible()
    assert window.banner.message.text() == "Your sign-in has expired or was revoked."
    assert window.banner.action_button.text() == "Sign in again"
    assert not window.header.refresh_button.isEnabled()
    assert window.stack.currentWidget() is window.tabs  # what was loaded stays visible
    assert window.profile_panel.value_text("userPrincipalName") == directory.READER_UPN

    # no loop: nothing is scheduled, and neither a timer nor the Refresh button asks again
    grants = refresh_grants(sandbox)
    assert session.schedule is None
    assert window.schedule_label.text() == ""
    session.refresh(force=True)
    session.check_for_wake()
    qtbot.wait(300)
    assert refresh_grants(sandbox) == grants
    assert session.state is State.SIGN_IN_NEEDED

    urls: list[str] = []
    session.sign_in_url.connect(urls.append)
    qtbot.mouseClick(window.banner.action_button, Qt.MouseButton.LeftButton)
    wait_state(qtbot, session, State.SIGNED_IN)
    query = parse_qs(urlsplit(urls[0]).query)
    assert query["login_hint"] == [directory.READER_UPN]
    assert "prompt" not in query
    assert session.interaction is None
    assert not window.banner.isVisible()


def test_waking_from_sleep_refreshes_a_late_timer_at_once(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    sandbox.set_token_lifetime(3600)
    clocks = FakeClocks()
    detector = ClockJumpDetector(wall=clocks.wall)
    window, session = open_window(sandbox_config(sandbox, tmp_path), clock=detector)
    sign_in(qtbot, window, session)
    first = session.token
    assert first is not None and session.schedule is not None
    assert session.schedule.at == pytest.approx(first.expires_on - 300, abs=5)

    grants = refresh_grants(sandbox)
    session.check_for_wake()  # no jump: nothing happens
    qtbot.wait(200)
    assert session.state is State.SIGNED_IN
    assert refresh_grants(sandbox) == grants

    clocks.sleep(2 * 3600)  # the lid was closed for two hours
    session.check_for_wake()
    assert session.state is State.REFRESHING
    wait_state(qtbot, session, State.SIGNED_IN)
    # msal's own clock says the token is still good, so it comes from the cache: the point is
    # that the session asked at once instead of waiting for a timer hours late
    assert session.token is not None
    assert session.schedule is not None and not session.schedule.retry


def test_a_closed_browser_tab_times_out_with_a_message(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, open_window, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BROWSER", "true")  # "opens" and never comes back, like a closed tab
    window, session = open_window(sandbox_config(sandbox, tmp_path), browser_timeout=1.0)
    wait_state(qtbot, session, State.SIGNED_OUT)
    errors: list[object] = []
    session.error.connect(errors.append)
    qtbot.mouseClick(window.welcome_page.sign_in_button, Qt.MouseButton.LeftButton)
    assert session.state is State.SIGNING_IN
    wait_state(qtbot, session, State.SIGNED_OUT)
    assert errors and errors[0].kind is ErrorKind.TIMEOUT  # type: ignore[attr-defined]
    assert window.banner.isVisible()
    assert "did not return to Lanyard" in window.banner.message.text()
    assert window.stack.currentWidget() is window.welcome_page


def test_no_network_and_no_msal_call_on_the_gui_thread(
    qtbot: QtBot,
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser,
    open_window,
    monkeypatch,
) -> None:  # type: ignore[no-untyped-def]
    """Record the thread of every socket connection (an audit hook) and of every msal entry
    point, through sign-in, refresh, profile load and sign-out."""
    import msal

    gui = threading.current_thread()
    on_gui: list[str] = []
    calls: list[str] = []
    recording = threading.Event()
    recording.set()

    def on_gui_thread(what: str) -> None:
        calls.append(what)
        if threading.current_thread() is gui:
            on_gui.append(what)

    def audit(event: str, args: tuple[object, ...]) -> None:
        if recording.is_set() and event == "socket.connect":
            on_gui_thread(f"socket.connect {args[1]!r}")

    import sys

    sys.addaudithook(audit)  # cannot be removed: disabled by the event after the test
    for name in (
        "__init__",
        "get_accounts",
        "acquire_token_silent_with_error",
        "initiate_auth_code_flow",
        "acquire_token_by_auth_code_flow",
        "initiate_device_flow",
        "acquire_token_by_device_flow",
        "remove_account",
    ):
        original = getattr(msal.PublicClientApplication, name)

        def wrapper(self, *args, _original=original, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            on_gui_thread(f"msal.{_name}")
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(msal.PublicClientApplication, name, wrapper)
    try:
        standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
        window, session = open_window(sandbox_config(sandbox, tmp_path))
        sign_in(qtbot, window, session)
        qtbot.waitUntil(lambda: window.header.avatar.has_photo, timeout=TIMEOUT_MS)
        qtbot.mouseClick(window.header.refresh_button, Qt.MouseButton.LeftButton)
        wait_state(qtbot, session, State.SIGNED_IN)
        qtbot.mouseClick(window.header.sign_out_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "msal.remove_account" in calls, timeout=TIMEOUT_MS)
    finally:
        recording.clear()
    assert "msal.acquire_token_by_auth_code_flow" in calls
    assert "msal.acquire_token_silent_with_error" in calls
    assert any(c.startswith("socket.connect") for c in calls)
    assert on_gui == []


@pytest.fixture
def silent_server():  # type: ignore[no-untyped-def]
    """A TCP server that accepts connections and never answers (not even a TLS handshake)."""
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            accepted.append(connection)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1], accepted
    stop.set()
    thread.join(2)
    for connection in accepted:
        connection.close()
    listener.close()


def test_quit_while_the_identity_provider_hangs_returns_within_two_seconds(
    qtbot: QtBot, tmp_path: Path, silent_server
) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.core.config import Config
    from desktop_app.session.services import build_services

    port, accepted = silent_server
    config = Config().for_sandbox(
        authority=f"https://127.0.0.1:{port}/{directory.TENANT_ID}",
        client_id=directory.LANYARD_CLIENT_ID,
        graph_endpoint=f"https://127.0.0.1:{port}/v1.0",
        ca_file=Path(certifi.where()),
        profile_dir=tmp_path,
    )
    window = MainWindow()
    qtbot.addWidget(window)
    session = SessionController(lambda notice: build_services(config, True, notice))
    window.attach(session, "Sandbox", True)
    session.start()
    qtbot.waitUntil(lambda: bool(accepted), timeout=TIMEOUT_MS)  # discovery is now hanging
    started = time.monotonic()
    assert session.shutdown(2.0)
    assert time.monotonic() - started < 2.0


def test_refresh_is_scheduled_by_refresh_in_and_runs_by_itself(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    sandbox.set_token_lifetime(3600, refresh_in=900)
    try:
        window, session = open_window(sandbox_config(sandbox, tmp_path))
        sign_in(qtbot, window, session)
        assert session.schedule is not None
        assert session.schedule.at - time.time() == pytest.approx(900, abs=10)

        # a token that lives 4 s: the timer refreshes it at half its life, by itself
        sandbox.set_token_lifetime(4)
        session.refresh(force=True)
        wait_state(qtbot, session, State.SIGNED_IN)
        before = refresh_grants(sandbox)
        qtbot.waitUntil(lambda: refresh_grants(sandbox) >= before + 2, timeout=TIMEOUT_MS)
        assert session.state in (State.SIGNED_IN, State.REFRESHING)
    finally:
        sandbox.set_token_lifetime(3600)
