"""Help > About Lanyard: the one version number (from the package metadata) and what Lanyard runs on."""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

import desktop_app
from desktop_app.core.config import Config
from desktop_app.core.i18n import N_, _
from desktop_app.ui.widgets import heading, muted, plain_label

LICENCE = "MIT"
SUMMARY = N_("Sign in with Microsoft Entra ID and see your profile and app roles.")


def _package_version(name: str) -> str:
    # importlib.metadata only when the box opens: ~15 ms the first window need not wait for
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:  # a bundle built without the package's metadata
        return "unknown"


def component_versions() -> list[tuple[str, str]]:
    """(component, version) pairs, in the order the About box lists them."""
    return [
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("MSAL Python", _package_version("msal")),
        ("Python", platform.python_version()),
    ]


def managed_lines(config: Config | None) -> list[str]:
    """The settings in force that the organisation's policy sets, and where."""
    if config is None or config.sandbox:  # the demo's settings are its own
        return []
    return [f"{key}: {source}" for key, source in config.policy_origins()]


class AboutDialog(QDialog):
    def __init__(
        self, parent: QWidget | None = None, icon: QIcon | None = None, config: Config | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("About Lanyard"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(8)
        if icon is not None and not icon.isNull():
            logo = QLabel(self)
            logo.setPixmap(icon.pixmap(64, 64))
            layout.addWidget(logo, 0, Qt.AlignmentFlag.AlignHCenter)
        self.title = heading(
            _("Lanyard {version}").format(version=desktop_app.__version__), self, 16
        )
        layout.addWidget(self.title, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(plain_label(_(SUMMARY), self))
        self.components = plain_label(
            "\n".join(f"{name} {number}" for name, number in component_versions()),
            self,
            selectable=True,
        )
        layout.addWidget(self.components)
        self.managed = plain_label("", self, selectable=True)
        self.managed.setAccessibleName(_("Settings set by your organisation"))
        layout.addWidget(self.managed)
        self.show_managed(config)
        self.licence = muted(
            _("Released under the {LICENCE} licence.").format(LICENCE=LICENCE), self
        )
        layout.addWidget(self.licence)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def show_managed(self, config: Config | None) -> None:
        """Which settings in force the organisation's managed policy sets, and where."""
        managed = managed_lines(config)
        self.managed.setText(_("Set by your organisation:\n") + "\n".join(managed))
        self.managed.setVisible(bool(managed))


def show_about(window: QWidget) -> None:
    """Help → About Lanyard: one box, window-modal (never a nested event loop); a second click
    brings the open one forward rather than opening another."""
    dialog = window.findChild(AboutDialog)
    session = getattr(window, "session", None)
    setup = getattr(session, "setup", None)
    config = getattr(setup, "config", None)
    if dialog is None:
        dialog = AboutDialog(window, window.windowIcon(), config)
    dialog.show_managed(config)  # the settings may have changed since it was last open
    if dialog.isVisible():
        dialog.activateWindow()
    else:
        dialog.open()
