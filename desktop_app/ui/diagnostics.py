"""Help > Save diagnostics…: asks where, then writes the redacted bundle (desktop_app/core/diagnostics.py)
on a thread of its own, so a large log never freezes the window."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import PySide6
from PySide6.QtCore import QObject, Signal, qVersion
from PySide6.QtWidgets import QFileDialog, QMainWindow

from desktop_app.core.diagnostics import DiagnosticsInput, default_name, write_bundle
from desktop_app.core.i18n import _
from desktop_app.core.logs import current_log_file, verbose_diagnostics
from desktop_app.session.controller import SessionController
from desktop_app.ui.placement import start_folder

STATUS_MESSAGE_MS = 8_000  # how long "Diagnostics saved: …" stays in the status bar


def ask_for_path(window: QMainWindow, suggested: Path, chosen: Callable[[str], None]) -> None:
    """A window-modal save dialog (never a nested event loop); tests replace this function."""
    dialog = QFileDialog(window, _("Save diagnostics"), str(suggested), _("Zip archives (*.zip)"))
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix("zip")
    dialog.fileSelected.connect(chosen)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()


def _account_count(session: SessionController | None) -> int:
    if session is None:
        return 0
    # session.accounts is re-read from the cache at start and when another process changes it;
    # the account signed in since is session.account
    ids = {a.home_account_id for a in session.accounts}
    if session.account is not None:
        ids.add(session.account.home_account_id)
    return len(ids)


def gather(window: QMainWindow) -> DiagnosticsInput:
    """What the window knows, read on its own thread: attributes only, no msal, no file."""
    session = getattr(window, "session", None)
    setup = session.setup if session is not None else None
    log_file = current_log_file()
    return DiagnosticsInput(
        config=setup.config if setup is not None else None,
        log_file=Path(log_file) if log_file else None,
        cache_protection=setup.protection if setup is not None else "",
        account_count=_account_count(session),
        verbose=verbose_diagnostics(),
        state=session.state.name if session is not None else "",
        extra_versions={"Qt": qVersion(), "PySide6": PySide6.__version__},
    )


class DiagnosticsSaver(QObject):
    """Help → Save diagnostics… (the window's menus call ``start``): asks where, writes there."""

    saved = Signal(str)  # the path written
    failed = Signal(str)  # why not

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window = window
        # a status-bar message hides the session's state while it shows: seconds, not minutes
        self.saved.connect(
            lambda path: window.statusBar().showMessage(
                f"Diagnostics saved: {path}", STATUS_MESSAGE_MS
            )
        )
        self.failed.connect(
            lambda why: window.statusBar().showMessage(
                f"Could not save diagnostics: {why}", 2 * STATUS_MESSAGE_MS
            )
        )

    def start(self) -> None:
        suggested = start_folder() / default_name()
        ask_for_path(self._window, suggested, self.save)

    def save(self, path: str) -> None:
        if not path:
            return
        inputs = gather(self._window)
        thread = threading.Thread(
            target=self._write, args=(inputs, Path(path)), name="lanyard-diagnostics", daemon=True
        )
        thread.start()

    def _write(self, inputs: DiagnosticsInput, target: Path) -> None:
        try:
            write_bundle(inputs, target)
        except OSError as exc:
            self.failed.emit(exc.strerror or exc.__class__.__name__)  # queued to the GUI thread
            return
        self.saved.emit(str(target))
