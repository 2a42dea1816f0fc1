"""Device code, interaction required, claims challenges and transient faults, in the window,
against the sandbox's control API (real msal, real requests)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop_app.core.errors import ErrorKind, InteractionReason, LanyardError
from desktop_app.sandbox import Sandbox, directory
from desktop_app.sandbox.faults import FaultSpec
from desktop_app.session.controller import SessionController
from desktop_app.session.policy import Backoff
from desktop_app.session.state import State
from desktop_app.ui.main_window import MainWindow
from tests.support.sandbox_helpers import idp_requests, sandbox_config
from tests.support.standin_browser import approve_device_code
from tests.support.window_driver import TIMEOUT_MS, sign_in, wait_state

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.fixture(autouse=True)
def _clean_sandbox(sandbox: Sandbox) -> Iterator[None]:
    sandbox.set_device_code_interval(1)
    yield
    sandbox.clear_faults()
    sandbox.set_token_lifetime(3600)


def grants(sandbox: Sandbox, grant_type: str) -> list[dict[str, object]]:
    return [r for r in idp_requests(sandbox) if r.get("grant_type") == grant_type]


def graph_calls(sandbox: Sandbox, path: str = "/v1.0/me") -> list[dict[str, object]]:
    return [r for r in sandbox.requests() if r.get("kind") == "graph" and r.get("path") == path]


def collect_errors(session: SessionController) -> list[LanyardError]:
    errors: list[LanyardError] = []
    session.error.connect(errors.append)
    return errors


# -- device code -----------------------------------------------------------------------------------


def test_device_code_sign_in_from_another_device(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, open_window
) -> None:  # type: ignore[no-untyped-def]
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    wait_state(qtbot, session, State.SIGNED_OUT)
    qtbot.mouseClick(window.welcome_page.device_code_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.device_code_page
    page = window.device_code_page
    qtbot.waitUntil(lambda: page.code.text() != "", timeout=TIMEOUT_MS)
    code, uri = page.code.text(), page.uri.text()
    assert len(code) >= 8
    assert uri == f"{sandbox.info.base_url}/devicelogin"
    assert page.expiry.text().startswith("The code expires in 1")  # 15 minutes
    assert window.state_label.text() == "Waiting for the code to be entered…"
    qtbot.mouseClick(page.copy_code_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == code

    qtbot.wait(1500)  # a poll or two while nobody has entered the code yet
    assert session.state is State.SIGNING_IN
    shown = approve_device_code(uri, code, user=directory.READER_UPN, ca_file=sandbox.info.ca_file)
    assert "You have signed in" in shown
    wait_state(qtbot, session, State.SIGNED_IN)
    qtbot.waitUntil(
        lambda: window.profile_panel.value_text("userPrincipalName") == directory.READER_UPN,
        timeout=TIMEOUT_MS,
    )
    assert window.stack.currentWidget() is window.tabs
    polls = grants(sandbox, DEVICE_GRANT)
    assert len(polls) >= 2  # pending, then approved
    assert page.code.text() == ""  # the finished code is gone from the page


def test_cancelling_a_device_code_stops_polling_at_once(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, open_window
) -> None:  # type: ignore[no-untyped-def]
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    wait_state(qtbot, session, State.SIGNED_OUT)
    session.sign_in(use_device_code=True)
    qtbot.waitUntil(lambda: window.device_code_page.code.text() != "", timeout=TIMEOUT_MS)
    started = time.monotonic()
    qtbot.mouseClick(window.device_code_page.cancel_button, Qt.MouseButton.LeftButton)
    assert session.state is State.SIGNED_OUT
    assert time.monotonic() - started < 1.0
    assert window.stack.currentWidget() is window.welcome_page
    polls = len(grants(sandbox, DEVICE_GRANT))
    qtbot.wait(2500)
    assert len(grants(sandbox, DEVICE_GRANT)) == polls


def test_no_browser_falls_back_to_a_device_code(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, open_window, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BROWSER", "false")  # the launcher fails, like xdg-open with no browser
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    notices: list[LanyardError] = []
    session.notice.connect(notices.append)
    wait_state(qtbot, session, State.SIGNED_OUT)
    qtbot.mouseClick(window.welcome_page.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.device_code_page.code.text() != "", timeout=TIMEOUT_MS)
    assert window.stack.currentWidget() is window.device_code_page
    assert notices and notices[0].kind is ErrorKind.BROWSER
    assert window.banner.isVisible()
    assert "could not open a web browser" in window.banner.message.text()
    page = window.device_code_page
    approve_device_code(page.uri.text(), page.code.text(), ca_file=sandbox.info.ca_file)
    wait_state(qtbot, session, State.SIGNED_IN)


# -- interaction required ------------------------------------------------------------------------


def test_mfa_required_asks_once_and_the_sign_in_carries_the_claims(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.NO_ROLES_UPN)
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    sign_in(qtbot, window, session)
    sandbox.require_mfa(directory.NO_ROLES_UPN)
    session.refresh(force=True)
    wait_state(qtbot, session, State.SIGN_IN_NEEDED)
    assert session.interaction is not None
    assert session.interaction.reason is InteractionReason.MFA
    assert "multi-factor" in window.banner.message.text()
    attempts = len(grants(sandbox, "refresh_token"))
    qtbot.wait(300)
    session.refresh()
    assert len(grants(sandbox, "refresh_token")) == attempts  # no loop

    urls: list[str] = []
    session.sign_in_url.connect(urls.append)
    qtbot.mouseClick(window.banner.action_button, Qt.MouseButton.LeftButton)
    wait_state(qtbot, session, State.SIGNED_IN)
    query = parse_qs(urlsplit(urls[0]).query)
    assert query["login_hint"] == [directory.NO_ROLES_UPN]
    asked = json.loads(query["claims"][0])
    assert "capolids" in asked["access_token"]  # what the identity provider asked for
    assert asked["access_token"]["xms_cc"] == {"values": ["cp1"]}  # and Lanyard's capability
    session.refresh(force=True)  # MFA done: silent refresh works again
    wait_state(qtbot, session, State.SIGNED_IN)
    assert session.interaction is None


def test_withdrawn_consent_asks_for_consent_again(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    config = sandbox_config(sandbox, tmp_path)
    window, session = open_window(config)
    sign_in(qtbot, window, session)
    sandbox.revoke_consent(directory.READER_UPN, client_id=config.client_id)
    session.refresh(force=True)
    wait_state(qtbot, session, State.SIGN_IN_NEEDED)
    assert session.interaction is not None
    assert session.interaction.reason is InteractionReason.CONSENT
    assert (
        window.banner.message.text() == "Lanyard needs your consent for a permission it asks for."
    )
    qtbot.mouseClick(window.banner.action_button, Qt.MouseButton.LeftButton)
    wait_state(qtbot, session, State.SIGNED_IN)


# -- claims challenges (continuous access evaluation) -------------------------------------------------


def test_graph_claims_challenge_is_answered_with_a_new_token_and_one_retry(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    errors = collect_errors(session)
    sign_in(qtbot, window, session)
    qtbot.waitUntil(lambda: window.header.avatar.has_photo, timeout=TIMEOUT_MS)
    time.sleep(1.1)  # the critical event must be a later second than the token's iat
    sandbox.claims_challenge(directory.ADMIN_UPN)
    sandbox.clear_requests()
    profiles: list[object] = []
    session.profile_changed.connect(profiles.append)

    session.load_profile()
    qtbot.waitUntil(lambda: bool(profiles), timeout=TIMEOUT_MS)
    assert session.state is State.SIGNED_IN
    me = [r["status"] for r in graph_calls(sandbox)]
    assert me == [401, 200]  # challenged once, retried once
    refreshes = grants(sandbox, "refresh_token")
    assert len(refreshes) == 1
    assert refreshes[0].get("claims_challenge") is True
    assert refreshes[0].get("client_capabilities") == ["cp1"]
    assert not [e for e in errors if e.kind is not ErrorKind.INTERACTION_REQUIRED]
    assert not window.banner.isVisible()


def test_claims_challenge_that_needs_mfa_asks_the_person_with_the_claims(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser, open_window
) -> None:  # type: ignore[no-untyped-def]
    upn = "megan.bowen@contoso.test"
    standin_browser(sandbox.info.ca_file, upn)
    window, session = open_window(sandbox_config(sandbox, tmp_path))
    sign_in(qtbot, window, session)
    time.sleep(1.1)
    sandbox.claims_challenge(upn)
    sandbox.require_mfa(upn)
    session.load_profile()
    wait_state(qtbot, session, State.SIGN_IN_NEEDED)
    assert session.interaction is not None
    assert session.interaction.claims_challenge
    assert window.banner.isVisible()
    assert window.banner.action_button.text() == "Sign in again"
    graph_before = len(graph_calls(sandbox))
    qtbot.wait(500)
    assert len(graph_calls(sandbox)) == graph_before  # no loop of 401s

    qtbot.mouseClick(window.banner.action_button, Qt.MouseButton.LeftButton)
    wait_state(qtbot, session, State.SIGNED_IN)
    qtbot.waitUntil(lambda: graph_calls(sandbox)[-1]["status"] == 200, timeout=TIMEOUT_MS)


# -- transient faults ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "state", "words"),
    [
        ({"status": 503, "retry_after": 1}, State.ERROR, "having problems"),
        ({"status": 429, "retry_after": 2}, State.ERROR, "throttling"),
        ({"reset": True}, State.OFFLINE, "could not be reached"),
        ({"body": "malformed"}, State.ERROR, "could not read"),
    ],
    ids=["503", "429-plain-text", "reset", "malformed"],
)
def test_a_failed_refresh_keeps_the_profile_and_recovers_by_itself(
    qtbot: QtBot,
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser,
    open_window,
    fault: dict[str, object],
    state: State,
    words: str,
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    window, session = open_window(
        sandbox_config(sandbox, tmp_path), backoff=Backoff(first=1.0, jitter=0.0)
    )
    errors = collect_errors(session)
    sign_in(qtbot, window, session)
    sandbox.add_fault(FaultSpec("token", count=1, **fault))  # type: ignore[arg-type]
    session.refresh(force=True)
    wait_state(qtbot, session, state)
    assert errors and words in errors[-1].message, errors[-1].message
    assert window.banner.isVisible()
    assert window.stack.currentWidget() is window.tabs  # the last good profile stays
    assert window.profile_panel.value_text("userPrincipalName") == directory.READER_UPN
    assert session.schedule is not None and session.schedule.retry
    assert window.schedule_label.text().startswith("Trying again in ")
    retry_after = fault.get("retry_after")
    if isinstance(retry_after, int):
        assert session.schedule.at - time.time() >= retry_after - 0.5
    # the fault is used up: the scheduled retry succeeds with no help
    wait_state(qtbot, session, State.SIGNED_IN)
    assert session.schedule is not None and not session.schedule.retry


def test_quit_during_a_refresh_that_hangs_returns_within_two_seconds(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.session.services import build_services

    standin_browser(sandbox.info.ca_file, directory.READER_UPN)
    config = sandbox_config(sandbox, tmp_path)
    window = MainWindow()
    qtbot.addWidget(window)
    session = SessionController(lambda notice: build_services(config, True, notice))
    window.attach(session, "Sandbox", True)
    session.start()
    sign_in(qtbot, window, session)
    sandbox.add_fault(FaultSpec("token", hang=True, count=None))
    hits = len(grants(sandbox, "refresh_token"))
    session.refresh(force=True)
    qtbot.waitUntil(
        lambda: any(f["hits"] for f in sandbox.faults()), timeout=TIMEOUT_MS
    )  # the request is now hanging in the server
    assert session.state is State.REFRESHING
    started = time.monotonic()
    assert session.shutdown(2.0)
    assert time.monotonic() - started < 2.0
    assert len(grants(sandbox, "refresh_token")) >= hits
