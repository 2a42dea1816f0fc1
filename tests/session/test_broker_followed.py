"""The window's sign-in path follows the client's: a refresh or a sign-out the sign-in broker
did not answer turns the broker off in the client (auth/client.py, broker_silent_no_answer and
broker_sign_out_no_answer carry the reason in ``broker``), and the session says so, so the
status bar and the Admin view stop naming a broker that is no longer used. Real session against
the sandbox; msal keeps a stand-in broker on (tests/unit/auth/test_broker_silent.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import msal.application
import pytest
from pytestqt.qtbot import QtBot

from desktop_app.auth import broker
from desktop_app.auth import errors as failures
from desktop_app.sandbox import Sandbox
from desktop_app.session.controller import SessionController
from desktop_app.session.state import State
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import wait_state

WHY = "it did not answer within 30 seconds"


@pytest.fixture
def broker_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Linux broker chosen and kept on by msal (its start a no-op)."""
    monkeypatch.setattr(msal.application, "_init_broker", lambda _pii: None)
    monkeypatch.setattr(
        broker, "choose", lambda _setting: broker.SignInPath(broker.LINUX, requested=True)
    )


def started(
    qtbot: QtBot, sandbox: Sandbox, tmp_path: Path, start: Callable[..., SessionController]
) -> tuple[SessionController, list[broker.SignInPath]]:
    session = start(replace(sandbox_config(sandbox, tmp_path), broker="auto"))
    paths: list[broker.SignInPath] = []
    session.sign_in_path.connect(paths.append)
    wait_state(qtbot, session, State.SIGNED_OUT)
    assert session.path.broker is broker.LINUX
    return session, paths


def test_a_sign_out_the_broker_did_not_answer_leaves_the_browser_named(
    qtbot: QtBot,
    sandbox: Sandbox,
    tmp_path: Path,
    start_session: Callable[..., SessionController],
    broker_on: None,
) -> None:
    session, paths = started(qtbot, sandbox, tmp_path, start_session)
    session.notice.emit(failures.broker_sign_out_no_answer(WHY))
    qtbot.waitUntil(lambda: session.path.broker is None)
    assert session.path.unavailable == WHY
    assert paths[-1].summary.endswith(f"(the sign-in broker is not available: {WHY})")
    # a notice that is not the broker's changes nothing
    before = len(paths)
    session.notice.emit(failures.broker_not_used("no broker answered"))
    qtbot.wait(50)
    assert len(paths) == before
