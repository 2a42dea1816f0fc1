"""The offline demo as a person meets it (issue 16 item 2): chosen once on the set-up page, it
is there again at the next start, signed in; inside it the settings say so and saving them is
an explicit leave; the way back is one click, still signed in.

Wired as ``lanyard`` wires it (app.initial_config, app.SessionHost), with no profile directory
given (the desktop entry passes none), so the demo keeps its own folder in the data directory.
Real widgets, real sessions, the real in-process sandbox and the stand-in browser."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from desktop_app.cli import parse_args
from desktop_app.core import demo
from desktop_app.session.controller import SessionController
from desktop_app.session.state import State
from desktop_app.session.workers import live_worker_threads
from desktop_app.ui.app import SessionHost, initial_config
from desktop_app.ui.demo_controls import BACK_TEXT, LEAVE_TEXT
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.settings_dialog import DEMO_SAVE, SettingsDialog
from tests.conftest import REPO

CLIENT = "0c5f8f1a-7e21-4c8e-b3a4-6c1d9e2f7a10"
Start = Callable[..., tuple[MainWindow, SessionHost]]


def plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


@pytest.fixture
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A person's own config and data folders, empty: a first run."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("LANYARD_PROFILE_DIR", raising=False)
    monkeypatch.delenv("LANYARD_CLIENT_ID", raising=False)
    return tmp_path


@pytest.fixture
def start(qtbot: QtBot, homes: Path) -> Iterator[Start]:
    """One start of the window, as run_window makes it: stopped with its session at the end,
    or by ``stop`` to start again (a restart)."""
    hosts: list[SessionHost] = []

    def make(*argv: str) -> tuple[MainWindow, SessionHost]:
        args = parse_args(list(argv))
        config, problem = initial_config(args)
        window = MainWindow()
        qtbot.addWidget(window)
        window.show()
        host = SessionHost(window, args)
        host.begin(config, problem)
        hosts.append(host)
        return window, host

    yield make
    for host in hosts:
        session: SessionController | None = host.session
        if session is not None:
            assert session.shutdown(5.0)


def restart(host: SessionHost, window: MainWindow) -> None:
    host.shutdown()
    window.close()


def signed_in_as_megan(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.tabs, timeout=30_000)
    qtbot.waitUntil(lambda: window.profile_panel.value_text("displayName") != "", timeout=15_000)
    assert window.profile_panel.value_text("displayName") == "Megan Bowen"


def test_the_demo_chosen_once_is_there_at_the_next_start_signed_in(
    qtbot: QtBot,
    start: Start,
    homes: Path,
    standin_browser,  # type: ignore[no-untyped-def]
) -> None:
    browser_log = standin_browser("")
    window, host = start()
    assert window.stack.currentWidget() is window.setup_page
    window.setup_page.demo_button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.welcome_page, timeout=30_000)
    assert (homes / "data" / "lanyard" / "demo" / demo.CHOSEN_FILE).is_file()
    assert plain(window.demo_controls.button.text()) == plain(LEAVE_TEXT)
    assert window.demo_controls.button.isVisibleTo(window)
    window.welcome_page.sign_in_button.click()
    signed_in_as_megan(qtbot, window)
    visits = browser_log.read_text().count("/authorize")
    restart(host, window)

    # the next start: no flag, no setting; the demo, and still signed in (no browser)
    window, host = start()
    assert "sandbox" in window.windowTitle()
    signed_in_as_megan(qtbot, window)
    session = host.session
    assert session is not None and session.state is State.SIGNED_IN
    assert browser_log.read_text().count("/authorize") == visits
    assert not (homes / "config" / "lanyard" / "config.toml").exists()  # nothing was written
    restart(host, window)

    # the terminal shares the window's cache and settings: the demo chosen there, here too
    env = {k: v for k, v in os.environ.items() if k not in ("LANYARD_CLIENT_ID", "BROWSER")}
    whoami = subprocess.run(
        [sys.executable, "-m", "desktop_app", "whoami"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert whoami.returncode == 0, whoami.stderr
    assert "Megan Bowen" in whoami.stdout


def test_settings_inside_the_demo_say_so_and_saving_is_leaving_it_with_a_way_back(
    qtbot: QtBot,
    start: Start,
    homes: Path,
    standin_browser,  # type: ignore[no-untyped-def]
) -> None:
    standin_browser("")
    window, host = start()
    window.setup_page.demo_button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.welcome_page, timeout=30_000)
    window.welcome_page.sign_in_button.click()
    signed_in_as_megan(qtbot, window)

    window.settings_action.trigger()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.demo_notice.isVisibleTo(dialog)
    assert "demo is in force" in dialog.demo_notice.text()
    assert plain(dialog.save_button.text()) == plain(DEMO_SAVE)
    dialog.form.client_id.setText(CLIENT)
    dialog.save_button.click()

    # left the demo, explicitly: a session of one's own, and nothing of the demo's offered
    qtbot.waitUntil(lambda: host.session is not None and not host.in_demo, timeout=5_000)
    saved = tomllib.loads((homes / "config" / "lanyard" / "config.toml").read_text("utf-8"))
    assert saved["client_id"] == CLIENT
    assert not (homes / "data" / "lanyard" / "demo" / demo.CHOSEN_FILE).exists()
    assert "sandbox" not in window.windowTitle()
    assert window.welcome_page.account_buttons == []  # the demo's account is not this cache's
    back = window.demo_controls.button
    qtbot.waitUntil(lambda: back.isVisibleTo(window), timeout=5_000)
    assert plain(back.text()) == plain(BACK_TEXT)
    assert window.demo_controls.action.text() != LEAVE_TEXT

    # the way back: one click, still signed in (the demo's profile was kept)
    window.stack.setCurrentWidget(window.welcome_page)
    back.click()
    qtbot.waitUntil(lambda: host.in_demo, timeout=5_000)
    signed_in_as_megan(qtbot, window)
    assert (homes / "data" / "lanyard" / "demo" / demo.CHOSEN_FILE).is_file()
    window.settings_action.trigger()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None and dialog.demo_notice.isVisibleTo(dialog)
    dialog.reject()


def test_leave_the_demo_with_nothing_configured_shows_the_set_up_page(
    qtbot: QtBot, start: Start, homes: Path
) -> None:
    window, host = start()
    window.setup_page.demo_button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.welcome_page, timeout=30_000)
    leave = window.demo_controls.action
    assert plain(leave.text()) == plain(LEAVE_TEXT)
    leave.trigger()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.setup_page, timeout=5_000)
    assert not host.in_demo
    assert "sandbox" not in window.windowTitle()
    assert not live_worker_threads()  # the demo's session stopped; none runs in its place
    assert window.welcome_page.account_buttons == []
    restart(host, window)

    window, host = start()  # left for good: the next start asks for settings again
    assert window.stack.currentWidget() is window.setup_page
    assert host.session is None
    buttons = [b for b in window.findChildren(QPushButton) if b.isVisibleTo(window)]
    assert window.setup_page.demo_button in buttons  # and the demo is one click away


def test_a_client_id_given_for_one_start_wins_over_the_demo_for_that_start(
    qtbot: QtBot, start: Start, homes: Path
) -> None:
    window, host = start()
    window.setup_page.demo_button.click()
    qtbot.waitUntil(lambda: host.in_demo, timeout=5_000)
    restart(host, window)
    window, host = start("--client-id", CLIENT)
    assert not host.in_demo
    assert "sandbox" not in window.windowTitle()
    restart(host, window)
    window, host = start()
    assert host.in_demo  # still chosen: only Leave the demo forgets it


BROKEN_CONFIG = 'client_id = "not closed\n'


@pytest.mark.parametrize("profile_flag", [False, True])
def test_a_broken_config_file_neither_keeps_a_person_out_of_the_demo_nor_moves_it(
    qtbot: QtBot, start: Start, homes: Path, profile_flag: bool
) -> None:
    """The demo reads nothing of config.toml: chosen with a file that cannot load, it keeps its
    files in the profile folder the flag names (not the default one, the real tenant's), and it
    is there again at the next start; leaving it shows the file's problem."""
    config_file = homes / "config" / "lanyard" / "config.toml"
    config_file.parent.mkdir(parents=True)
    config_file.write_text(BROKEN_CONFIG, encoding="utf-8")
    mine = homes / "mine"
    argv = ("--profile-dir", str(mine)) if profile_flag else ()
    home = mine if profile_flag else homes / "data" / "lanyard" / "demo"
    window, host = start(*argv)
    assert window.stack.currentWidget() is window.setup_page
    window.setup_page.demo_button.click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.welcome_page, timeout=30_000)
    assert (home / demo.CHOSEN_FILE).is_file()
    assert demo.has_been_used(home)
    if profile_flag:
        assert not (homes / "data").exists()  # nothing of the demo's in the default profile
    restart(host, window)

    window, host = start(*argv)
    assert host.in_demo
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.welcome_page, timeout=30_000)
    window.demo_controls.action.trigger()  # Leave the demo: the file's problem is said
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.setup_page, timeout=5_000)
    assert "not valid TOML" in window.setup_page.problem.text()
    assert not (home / demo.CHOSEN_FILE).exists()
    assert window.setup_page.demo_button.isVisibleTo(window)  # and the way back is offered
