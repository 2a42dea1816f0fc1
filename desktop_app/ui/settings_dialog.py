"""File → Settings…: the settings form (settings_form.py) in a dialog of its own, with Save and
Cancel. What a save applies to is the caller's business (app.SessionHost restarts the session).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from desktop_app.core.config import Config
from desktop_app.core.i18n import N_, _
from desktop_app.ui.settings_form import SettingsForm
from desktop_app.ui.style import follow_scheme, stylesheet
from desktop_app.ui.widgets import heading, muted, plain_label

SAVE = N_("&Save")
DEMO_SAVE = N_("&Leave the demo and save")
DEMO_NOTICE = N_(
    "The offline demo is in force: Lanyard signs in to its built-in sandbox, not to the "
    "settings below. They are for your own tenant; saving them leaves the demo. The demo is "
    "kept as it is: File → Try the offline demo brings you back, still signed in."
)


class SettingsDialog(QDialog):
    """File → Settings…: the form with Save and Cancel. ``applied`` carries the saved Config."""

    applied = Signal(object)  # Config

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Lanyard settings"))
        # a window of its own: the main window's stylesheet does not reach it
        self.setStyleSheet(stylesheet(self.palette()))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 12)
        layout.setSpacing(10)
        layout.addWidget(heading(_("Settings"), self, 15))
        self.demo_notice = plain_label(_(DEMO_NOTICE), self)
        self.demo_notice.setProperty("notice", True)
        self.demo_notice.setAccessibleName(_("The offline demo is in force"))
        self.demo_notice.hide()
        layout.addWidget(self.demo_notice)
        self.form = SettingsForm(self)
        layout.addWidget(self.form)
        self.where = muted("", self)
        layout.addWidget(self.where)
        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(_(SAVE), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setAccessibleName(_("Save settings"))
        self.save_button.setProperty("primary", True)
        self.save_button.style().polish(self.save_button)  # the box polished it already
        self.save_button.setDefault(True)  # Enter saves; Escape cancels (QDialog)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName(_("Cancel"))
        self.cancel_button.setIcon(QIcon())  # like Save: text only
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        QWidget.setTabOrder(self.form.language, self.save_button)
        QWidget.setTabOrder(self.save_button, self.cancel_button)

    def changeEvent(self, event: QEvent) -> None:
        follow_scheme(self, event)
        super().changeEvent(event)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:  # an error or note appeared: make room
            QTimer.singleShot(0, self.fit_contents)
        return handled

    def fit_contents(self) -> None:
        """Grow to the height the wrapped hints and errors need at this width (a dialog only
        keeps its minimumSizeHint, which ignores wrapping, so they were clipped)."""
        layout = self.layout()
        if layout is None:
            return
        wanted = (
            layout.totalHeightForWidth(self.width())
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        screen = self.screen()
        if screen is not None:
            wanted = min(wanted, screen.availableGeometry().height())
        if self.height() < wanted:
            self.resize(self.width(), wanted)

    def load(
        self, flags: Mapping[str, object | None] | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        self.form.load(flags, env)
        self.where.setText(
            _("Saved in {path}. Applying restarts the session; saved sign-ins are kept.").format(
                path=self.form.path
            )
        )
        first_enabled = next(
            (
                row.editor
                for row in self.form.rows.values()
                if not row.fixed and row.editor.isVisibleTo(self)
            ),
            None,
        )
        if first_enabled is not None:
            first_enabled.setFocus()

    def show_demo(self, in_demo: bool) -> None:
        """Inside the demo the form holds the settings for a tenant of one's own, which the
        demo does not use: said above the form, and Save says that it leaves the demo."""
        self.demo_notice.setVisible(in_demo)
        self.save_button.setText(_(DEMO_SAVE) if in_demo else _(SAVE))
        self.save_button.setAccessibleName(
            _("Leave the demo and save settings") if in_demo else _("Save settings")
        )

    def _save(self) -> None:
        config = self.form.save()
        if config is None:
            return  # the problem is shown and focused; the dialog stays open
        self.applied.emit(config)
        self.accept()


def open_settings_dialog(
    window: QWidget,
    flags: Mapping[str, object | None],
    env: Mapping[str, str] | None,
    on_applied: Callable[[Config], None],
) -> SettingsDialog:
    """Show the one settings dialog (window-modal, no nested event loop); bring it forward when
    it is already open."""
    dialog = window.findChild(SettingsDialog)
    if dialog is not None and dialog.isVisible():
        dialog.activateWindow()
        return dialog
    if dialog is None:
        dialog = SettingsDialog(window)
        dialog.applied.connect(on_applied)
    dialog.load(flags, env)
    dialog.open()
    return dialog
