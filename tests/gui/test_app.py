"""The window path as ``lanyard`` runs it: arguments, config, QApplication, shutdown."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop_app.app import run_window
from desktop_app.cli import parse_args
from desktop_app.ui.main_window import MainWindow


def run_and_capture(argv: list[str], check, after_ms: int = 300, limit_ms: int = 20_000) -> object:  # type: ignore[no-untyped-def]
    """Run the real window path; ``check(window)`` returns a value once it is done (None: not yet)."""
    seen: list[object] = []
    app = QApplication.instance()
    assert app is not None

    def poll() -> None:
        windows = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        value = check(windows[-1]) if windows else None
        if value is not None or poll.elapsed >= limit_ms:  # type: ignore[attr-defined]
            seen.append(value)
            for window in windows:
                window.close()
            app.quit()
            return
        poll.elapsed += 100  # type: ignore[attr-defined]
        QTimer.singleShot(100, poll)

    poll.elapsed = 0  # type: ignore[attr-defined]
    QTimer.singleShot(after_ms, poll)
    assert run_window(parse_args(argv)) == 0
    return seen[0]


def test_without_client_id_the_window_says_what_to_configure(qtbot: QtBot, tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    shown = run_and_capture(
        ["--config", str(empty)],
        lambda w: (
            w.setup_page.instructions.text() if w.stack.currentWidget() is w.setup_page else None
        ),
    )
    assert isinstance(shown, str) and "client_id" in shown and "LANYARD_CLIENT_ID" in shown


def test_bad_config_names_the_field_in_the_window(qtbot: QtBot, tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text('client_id = "not-a-guid"\n')
    shown = run_and_capture(
        ["--config", str(bad)],
        lambda w: w.setup_page.problem.text() if w.setup_page.problem.isVisibleTo(w) else None,
    )
    assert isinstance(shown, str) and "'client_id'" in shown and str(bad) in shown


def test_sandbox_demo_signs_in(qtbot: QtBot, tmp_path: Path, standin_browser) -> None:  # type: ignore[no-untyped-def]
    # --sandbox serves the sign-in pages over plain http on loopback (no certificate warning in a
    # real browser), so the stand-in browser needs no CA here
    standin_browser("")
    clicked: list[bool] = []

    def signed_in_name(window: MainWindow) -> str | None:
        if window.stack.currentWidget() is window.tabs:
            return window.profile_panel.value_text("displayName") or None
        if window.stack.currentWidget() is window.welcome_page and not clicked:
            clicked.append(True)
            window.welcome_page.sign_in_button.click()
        return None

    shown = run_and_capture(["--sandbox", "--profile-dir", str(tmp_path)], signed_in_name)
    assert shown == "Megan Bowen"
