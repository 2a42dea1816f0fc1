"""First run and applying settings, wired as ``lanyard`` wires them (app.SessionHost), with
real widgets, a real SessionController, the real sandbox and the stand-in browser."""

from __future__ import annotations

import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.cli import config_flags, parse_args
from desktop_app.core.config import ConfigError, load_config
from desktop_app.session.controller import SessionController
from desktop_app.session.state import State
from desktop_app.session.workers import live_worker_threads
from desktop_app.ui.app import SHUTDOWN_BOUND_S, SessionHost
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.registration_help import GUIDE_URL
from desktop_app.ui.settings_dialog import SettingsDialog
from tests.support.connect_proxy import ConnectProxy

CLIENT = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"
Start = Callable[..., tuple[MainWindow, SessionHost]]


@pytest.fixture
def first_run(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Start]:
    """The window as run_window builds it, on a first run: no config file in the (temporary)
    config directory."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    started: list[SessionHost] = []
    sessions: list[SessionController] = []

    def make(*argv: str) -> tuple[MainWindow, SessionHost]:
        args = parse_args(["--profile-dir", str(tmp_path / "profile"), *argv])
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        host = SessionHost(window, args)
        host.begin(load_config(config_flags(args)), None)
        started.append(host)
        return window, host

    yield make
    for host in started:
        session = host.session
        if session is not None:
            sessions.append(session)
    for session in sessions:
        assert session.shutdown(5.0)


def test_first_run_shows_the_settings_and_the_sandbox_signs_in(
    qtbot: QtBot,
    first_run: Start,
    standin_browser,  # type: ignore[no-untyped-def]
) -> None:
    # the in-process sandbox serves its sign-in pages over http on loopback: no CA needed
    standin_browser("")
    window, host = first_run()
    page = window.setup_page
    assert window.stack.currentWidget() is page
    assert host.session is None  # nothing to sign in to yet
    assert page.form.isVisibleTo(window)
    assert page.form.client_id.isEnabled()
    assert page.demo_button.text().replace("&", "") == "Try the offline sandbox"

    page.demo_button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.welcome_page, timeout=30_000)
    session = host.session
    assert session is not None
    assert window.session is session
    assert "sandbox" in window.windowTitle()
    window.welcome_page.sign_in_button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.tabs, timeout=30_000)
    qtbot.waitUntil(lambda: window.profile_panel.value_text("displayName") != "", timeout=15_000)
    assert window.profile_panel.value_text("displayName") == "Megan Bowen"
    assert session.state is State.SIGNED_IN


def test_settings_saved_on_the_first_run_page_start_a_session_and_applying_restarts_it(
    qtbot: QtBot, first_run: Start, tmp_path: Path
) -> None:
    """The only network here is loopback, so the proof that each session runs with the settings
    just saved is where its first request goes: through the configured proxy, to the host of the
    chosen cloud (the proxy cannot reach it, and the session says so)."""
    with ConnectProxy() as proxy:
        window, host = first_run()
        page = window.setup_page
        page.form.client_id.setText(CLIENT)
        page.form.proxy.setText(proxy.url)
        qtbot.keyClick(page.form.proxy, Qt.Key.Key_Return)  # Enter in a field saves
        qtbot.waitUntil(lambda: host.session is not None, timeout=5_000)
        first = host.session
        assert first is not None
        assert window.session is first
        qtbot.waitUntil(lambda: first.state is State.ERROR, timeout=30_000)
        assert "proxy" in window.banner.message.text()
        assert proxy.asked[-1] == "login.microsoftonline.com:443"
        saved = tomllib.loads(
            (tmp_path / "xdg" / "lanyard" / "config.toml").read_text(encoding="utf-8")
        )
        assert saved == {"client_id": CLIENT, "proxy": proxy.url}

        settings = next(a for a in window.menuBar().actions() if a.menu()).menu().actions()[0]
        assert settings.text().replace("&", "") == "Settings…"
        settings.trigger()
        dialog = window.findChild(SettingsDialog)
        assert dialog is not None
        qtbot.waitUntil(dialog.isVisible)
        assert dialog.form.client_id.text() == CLIENT  # what the file says
        dialog.form.cloud.setCurrentIndex(dialog.form.cloud.findData("usgov"))
        first_threads = live_worker_threads()
        assert first_threads
        dialog.save_button.click()
        qtbot.waitUntil(lambda: host.session is not first, timeout=10_000)
        second = host.session
        assert second is not None
        assert window.session is second
        assert not dialog.isVisible()
        assert not any(t.is_alive() for t in first_threads)  # the old session was shut down
        qtbot.waitUntil(lambda: second.state is State.ERROR, timeout=30_000)
        assert proxy.asked[-1] == "login.microsoftonline.us:443"

        # saving again without a change keeps the session
        settings.trigger()
        qtbot.waitUntil(dialog.isVisible)
        dialog.save_button.click()
        assert not dialog.isVisible()
        assert host.session is second


def test_a_wrong_setting_at_start_is_shown_beside_its_field(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    path = tmp_path / "xdg" / "lanyard" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('client_id = "<b>not-a-guid</b>"\n', encoding="utf-8")
    args = parse_args(["--profile-dir", str(tmp_path / "profile")])
    with pytest.raises(ConfigError) as caught:
        load_config(config_flags(args))
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    host = SessionHost(window, args)
    host.begin(None, caught.value)
    page = window.setup_page
    assert host.session is None
    assert window.stack.currentWidget() is page
    assert "'client_id'" in page.problem.text()
    row = page.form.rows["client_id"]
    assert row.error.isVisibleTo(window)
    assert "GUID" in row.error.text()
    assert page.form.client_id.text() == "<b>not-a-guid</b>"  # literal, in a plain text field
    assert page.focusWidget() is page.form.client_id

    controls = [
        w
        for w in page.findChildren(QWidget)
        if isinstance(w, QLineEdit | QComboBox | QPushButton) and w.isVisibleTo(window)
    ]
    assert all(w.accessibleName() for w in controls)
    texts = [label.text() for label in page.findChildren(QLabel) if label.buddy() is not None]
    texts += [b.text() for b in page.findChildren(QPushButton) if "&" in b.text()]
    mnemonics = [QKeySequence.mnemonic(text).toString().lower() for text in texts]
    assert len(mnemonics) == len(set(mnemonics)) >= 9, mnemonics


def test_after_a_restart_the_window_drives_only_the_new_session(
    qtbot: QtBot,
    first_run: Start,
    standin_browser,  # type: ignore[no-untyped-def]
) -> None:
    """Settings saved (a session that cannot reach the cloud), then the sandbox: the window,
    attached twice, signs in once, with the new session, and the first one stays shut down."""
    standin_browser("")
    window, host = first_run()
    page = window.setup_page
    page.form.client_id.setText(CLIENT)
    page.save_button.click()
    qtbot.waitUntil(lambda: host.session is not None, timeout=5_000)
    first = host.session
    assert first is not None
    qtbot.waitUntil(lambda: first.state is State.ERROR, timeout=30_000)

    page.demo_button.click()  # what the set-up page offers; the window is the same
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.welcome_page, timeout=30_000)
    second = host.session
    assert second is not None and second is not first
    window.welcome_page.sign_in_button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.tabs, timeout=30_000)
    assert second.state is State.SIGNED_IN
    assert first.state is State.ERROR  # untouched by the clicks meant for the new session
    services = second.services
    assert services is not None and services.sandbox is not None
    redeemed = [
        r for r in services.sandbox.requests() if r.get("grant_type") == "authorization_code"
    ]
    assert len(redeemed) == 1


def test_the_host_stops_the_session_in_force_within_the_bound(
    qtbot: QtBot, first_run: Start
) -> None:
    """What run_window calls on aboutToQuit and again once the event loop has returned."""
    window, host = first_run()
    host.use_sandbox()  # on a first run: the sandbox, with the settings Lanyard started with
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.welcome_page, timeout=30_000)
    session = host.session
    assert session is not None
    threads = live_worker_threads()
    assert threads
    began = time.monotonic()
    host.shutdown()
    assert time.monotonic() - began < SHUTDOWN_BOUND_S + 0.5
    assert not any(t.is_alive() for t in threads)
    host.shutdown()  # the second call finds it stopped
    assert host.session is session  # still the one the window shows, stopped


def test_the_first_run_page_explains_the_registration_itself(
    qtbot: QtBot, first_run: Start, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installed app has no README: the page gives the steps, the value to enter in Entra
    with a Copy button, and opens Microsoft's guide in the system browser."""
    opened = tmp_path / "opened.txt"
    recorder = tmp_path / "browser.py"
    recorder.write_text(
        f"import sys\nopen({str(opened)!r}, 'a').write(sys.argv[1] + '\\n')\n", encoding="utf-8"
    )
    monkeypatch.setenv("BROWSER", f"{sys.executable} {recorder} %s")
    window, _host = first_run()
    page = window.setup_page
    help_ = page.registration
    assert help_.isVisibleTo(window)
    words = " ".join([page.instructions.text(), *(step.text() for step in help_.steps)])
    assert "README" not in words
    for needed in ("App registrations", "Public client", "Application (client) ID", "Tenant"):
        assert needed in words, needed
    assert help_.redirect_uri.text() == "http://localhost" and help_.redirect_uri.isReadOnly()

    help_.copy_uri_button.click()
    assert QGuiApplication.clipboard().text() == "http://localhost"
    assert help_.copy_uri_button.text() == "Copied"
    qtbot.waitUntil(lambda: help_.copy_uri_button.text() == "Copy", timeout=5_000)

    help_.guide_button.click()
    qtbot.waitUntil(lambda: opened.exists(), timeout=10_000)
    assert opened.read_text().split() == [GUIDE_URL]
    qtbot.waitUntil(lambda: "Opened in your browser" in help_.guide_status.text(), timeout=10_000)
    assert GUIDE_URL in help_.guide_status.text()


def test_a_guide_no_browser_can_open_is_given_as_its_address(
    qtbot: QtBot, first_run: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BROWSER", "false")  # an opener that fails at once
    window, _host = first_run()
    help_ = window.setup_page.registration
    help_.guide_button.click()
    qtbot.waitUntil(lambda: "No browser" in help_.guide_status.text(), timeout=10_000)
    assert GUIDE_URL in help_.guide_status.text()
