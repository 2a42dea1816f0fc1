"""The SessionController with no window: its parts wired together against the real sandbox
(real msal, real requests, the stand-in browser)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from pytestqt.qtbot import QtBot

from desktop_app.auth.browser import open_browser
from desktop_app.core.config import Config
from desktop_app.core.errors import ErrorKind, LanyardError
from desktop_app.graph.api_call import ApiFailure, ApiResponse
from desktop_app.sandbox import Sandbox, directory
from desktop_app.session.controller import SessionController
from desktop_app.session.policy import Backoff
from desktop_app.session.services import build_services
from desktop_app.session.state import State, TokenInfo
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import TIMEOUT_MS, wait_state

Starter = Callable[..., SessionController]


class Browser:
    """The system browser as Lanyard launches it, with the URLs it was asked to open."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        return open_browser(url)


def collect(signal: Any) -> list[Any]:
    seen: list[Any] = []
    signal.connect(seen.append)
    return seen


def landed(log: Path) -> list[str]:
    """The titles of the app's landing pages the stand-in browser ended on, in order."""
    if not log.exists():
        return []
    lines = log.read_text(encoding="utf-8").splitlines()
    return [line.removeprefix("LANDED ") for line in lines if line.startswith("LANDED ")]


def test_a_sign_in_then_grant_access_go_through_the_same_machinery(
    qtbot: QtBot, tmp_path: Path, start_session: Starter, standin_browser: Any
) -> None:
    """Lanyard as `--sandbox` runs it (its own sandbox, so the Orders API is offered)."""
    log = standin_browser("", directory.READER_UPN)  # plain HTTP sign-in pages on loopback
    browser = Browser()
    session = start_session(Config(sandbox=True, profile_dir=tmp_path), launch_browser=browser)
    methods, urls, tokens = (
        collect(session.sign_in_method),
        collect(session.sign_in_url),
        collect(session.token_changed),
    )
    wait_state(qtbot, session, State.SIGNED_OUT)
    setup = session.setup
    assert setup is not None and session.services is not None
    assert setup.client_id == session.services.auth.settings.client_id
    assert setup.protection and not setup.encrypted  # no Secret Service in this process

    session.sign_in()
    assert session.state is State.SIGNING_IN
    wait_state(qtbot, session, State.SIGNED_IN)
    assert methods == ["browser"] and urls == browser.urls[:1]
    assert isinstance(tokens[-1], TokenInfo)
    assert session.account is not None and session.account.username == directory.READER_UPN
    qtbot.waitUntil(lambda: session.accounts == [session.account], timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: landed(log) == ["Signed in — Lanyard"], timeout=TIMEOUT_MS)

    orders = setup.api_presets[-1]
    failed: list[ApiFailure] = collect(session.api_failed)
    answered: list[ApiResponse] = collect(session.api_answered)
    waiting: list[bool] = collect(session.api_consent_waiting)
    request = session.check_api_request(orders.url, orders.scopes)
    assert request is not None
    session.send_api_request(request)
    qtbot.waitUntil(lambda: bool(failed), timeout=TIMEOUT_MS)
    assert failed[0].can_grant
    session.grant_api_access()
    assert session.api_consent_pending
    qtbot.waitUntil(lambda: bool(answered), timeout=TIMEOUT_MS)
    assert answered[0].status == 200 and waiting == [True, False]
    # the browser's last page says what this flow did: access granted, not "signed in"
    qtbot.waitUntil(lambda: len(landed(log)) == 2, timeout=TIMEOUT_MS)
    assert landed(log)[1] == "Access granted — Lanyard"
    query = parse_qs(urlsplit(browser.urls[-1]).query)
    assert query["login_hint"] == [directory.READER_UPN]  # as the same account
    assert orders.scopes[0] in query["scope"][0].split()  # for this API's scope only
    assert methods == ["browser"] and len(urls) == 1  # the window's sign-in page was not shown
    assert session.state is State.SIGNED_IN


def test_a_start_that_cannot_reach_the_identity_provider_is_retried_on_its_own_timer(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path
) -> None:
    config = sandbox_config(sandbox, tmp_path)
    attempts: list[int] = []

    def services(notice: Callable[[LanyardError], None]) -> Any:
        attempts.append(1)
        if len(attempts) == 1:
            raise LanyardError("The identity provider could not be reached.", "", ErrorKind.NETWORK)
        return build_services(config, True, notice)

    session = SessionController(services, backoff=Backoff(first=0.3, jitter=0.0))
    schedules = collect(session.schedule_changed)
    try:
        session.start()
        wait_state(qtbot, session, State.ERROR)
        assert session.schedule is not None and session.schedule.retry  # "Trying again in …"
        session.refresh()  # no services yet: nothing to refresh, the retry stays
        session.check_for_wake()
        assert session.state is State.ERROR and session.schedule is not None
        wait_state(qtbot, session, State.SIGNED_OUT)
        assert len(attempts) == 2
        assert schedules[-1] is None and session.schedule is None
    finally:
        assert session.shutdown(5.0)


@pytest.mark.parametrize("delay_ms", [0, 50, 150])
def test_quit_while_starting_leaves_no_sandbox_behind(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, delay_ms: int
) -> None:
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    config = Config(sandbox=True, profile_dir=tmp_path / "unused")
    session = SessionController(lambda notice: build_services(config, False, notice))
    session.start()
    qtbot.wait(delay_ms)
    assert session.shutdown(2.0)
    qtbot.waitUntil(lambda: not list(tmp_path.glob("lanyard-sandbox-*")), timeout=5000)
