"""Help > Save diagnostics… in a signed-in window: a real click, a real bundle, nothing secret."""

from __future__ import annotations

import json
import logging
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from desktop_app.core.logs import configure_logging
from desktop_app.sandbox import Sandbox, directory
from desktop_app.ui import diagnostics as ui_diagnostics
from tests.support.sandbox_helpers import sandbox_config
from tests.support.window_driver import TIMEOUT_MS, sign_in


@pytest.fixture
def quiet_logging(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Lanyard's logging as a person runs it (not verbose), to a file."""
    root = logging.getLogger()
    level = root.level
    log_file = tmp_path / "logs" / "lanyard.log"
    log_file.parent.mkdir()
    configure_logging(str(log_file), verbose=False)
    yield log_file
    for handler in [h for h in root.handlers if getattr(h, "lanyard", False)]:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(level)
    for name in ("msal", "msal_extensions", "urllib3"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def test_save_diagnostics_writes_a_redacted_bundle(
    qtbot: QtBot,
    sandbox: Sandbox,
    tmp_path: Path,
    standin_browser,
    open_window,
    quiet_logging: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    standin_browser(sandbox.info.ca_file, directory.ADMIN_UPN)
    window, session = open_window(sandbox_config(sandbox, tmp_path / "profile"))
    sign_in(qtbot, window, session)
    logging.getLogger("desktop_app.test").warning("signed in as %s", directory.ADMIN_UPN)

    target = tmp_path / "out" / "diagnostics.zip"
    asked: list[Path] = []

    def choose(win: QMainWindow, suggested: Path, chosen: Callable[[str], None]) -> None:
        asked.append(suggested)
        chosen(str(target))  # what the save dialog's fileSelected gives

    monkeypatch.setattr(ui_diagnostics, "ask_for_path", choose)
    menu_titles = [a.text() for a in window.menuBar().actions()]
    assert "&Help" in menu_titles
    assert window.diagnostics_action.text() == "Save &diagnostics…"
    with qtbot.waitSignal(window.diagnostics_saver.saved, timeout=TIMEOUT_MS) as saved:
        window.diagnostics_action.trigger()
    assert saved.args == [str(target)]
    assert asked and asked[0].name.startswith("lanyard-diagnostics-")
    qtbot.waitUntil(lambda: "Diagnostics saved" in window.statusBar().currentMessage())

    with zipfile.ZipFile(target) as zf:
        texts = {name: zf.read(name).decode() for name in zf.namelist()}
    summary = json.loads(texts["summary.json"])
    assert summary["token_cache"]["accounts"] == 1
    assert "plaintext" in summary["token_cache"]["protection"]
    assert summary["state"] == "SIGNED_IN"
    assert json.loads(texts["versions.json"])["PySide6"]
    assert "logs/lanyard.log" in texts and "[personal]" in texts["logs/lanyard.log"]
    everything = "\n".join(texts.values())
    assert directory.ADMIN_UPN not in everything and "Megan Bowen" not in everything
    issued = [t["value"] for t in sandbox.issued_tokens()]
    assert not [t for t in issued if t in everything]
