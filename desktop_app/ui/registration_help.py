"""How to register Lanyard in Microsoft Entra ID, on the set-up page itself: an installed app
has no README to point at. Short steps, the one value to type in Entra (the redirect URI) with a
Copy button, the two values to bring back named as Entra names them, and Microsoft's own guide
one click away (opened in the system browser the way sign-in opens it: auth/browser.py gives it
a clean environment, which a frozen bundle's would not be)."""

from __future__ import annotations

import threading

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop_app.auth.browser import open_browser
from desktop_app.core.i18n import N_, _
from desktop_app.ui.clipboard import copy_text
from desktop_app.ui.widgets import heading, muted, plain_label

REDIRECT_URI = "http://localhost"
COPIED_SHOWN_MS = 2000
# Microsoft's page for exactly this case: a desktop app, system browser, loopback redirect
GUIDE_URL = "https://learn.microsoft.com/entra/identity-platform/scenario-desktop-app-registration"
ADMIN_CENTER = "https://entra.microsoft.com"
STEPS = (
    N_(
        "1. In the Microsoft Entra admin center ({admin_center}), open Identity › Applications › "
        "App registrations › New registration. Name it (for example Lanyard) and choose who may "
        "sign in (usually: accounts in this organizational directory only)."
    ),
    N_(
        "2. Under Redirect URI pick “Public client/native (mobile & desktop)” and enter the address "
        "below, then Register."
    ),
    N_(
        "3. On Authentication, set “Allow public client flows” to Yes (for signing in with a code "
        "from another device)."
    ),
    N_(
        "4. From the app's Overview, copy the Application (client) ID into Client ID below, and the "
        "Directory (tenant) ID into Tenant."
    ),
)


class RegistrationHelp(QFrame):
    """The steps, the redirect URI to copy, and the link to Microsoft's guide."""

    copied = Signal(str)  # what was copied, for the page to say so
    _guide_opened = Signal(bool)  # from the launcher's thread: queued to the GUI thread

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("registrationHelp")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(heading(_("Register Lanyard in Microsoft Entra ID"), self, 12))
        self.steps = [
            plain_label(_(step).format(admin_center=ADMIN_CENTER), self, selectable=True)
            for step in STEPS
        ]
        for step in self.steps[:2]:
            layout.addWidget(step)
        uri_row = QHBoxLayout()
        self.redirect_uri = QLineEdit(REDIRECT_URI, self)
        self.redirect_uri.setReadOnly(True)
        self.redirect_uri.setAccessibleName(_("Redirect URI to enter in Entra"))
        self.copy_uri_button = QPushButton(_("Copy"), self)
        self.copy_uri_button.setAccessibleName(_("Copy the redirect URI"))
        self.copy_uri_button.clicked.connect(self._copy_uri)
        uri_row.addWidget(self.redirect_uri, 1)
        uri_row.addWidget(self.copy_uri_button)
        layout.addLayout(uri_row)
        for step in self.steps[2:]:
            layout.addWidget(step)
        guide_row = QHBoxLayout()
        self.guide_button = QPushButton(_("Open Microsoft's guide"), self)
        self.guide_button.setFlat(True)
        self.guide_button.setToolTip(GUIDE_URL)
        self.guide_button.setAccessibleName(_("Open Microsoft's app registration guide"))
        self.guide_button.clicked.connect(self.open_guide)
        guide_row.addWidget(self.guide_button)
        guide_row.addStretch(1)
        layout.addLayout(guide_row)
        self.guide_status = muted("", self)
        self.guide_status.hide()
        layout.addWidget(self.guide_status)
        self._guide_opened.connect(self._say_guide_opened)

    def _copy_uri(self) -> None:
        copy_text(REDIRECT_URI, secret=False)
        self.copy_uri_button.setText(_("Copied"))
        QTimer.singleShot(COPIED_SHOWN_MS, lambda: self.copy_uri_button.setText(_("Copy")))
        self.copied.emit(REDIRECT_URI)

    def open_guide(self) -> None:
        """In the system browser, off the GUI thread (the launcher waits to see it started);
        the address is said too, for a machine with no browser."""
        self.guide_status.setText(
            _("Opening {GUIDE_URL} in your browser…").format(GUIDE_URL=GUIDE_URL)
        )
        self.guide_status.show()
        threading.Thread(target=self._launch, name="open-guide", daemon=True).start()

    def _launch(self) -> None:
        self._guide_opened.emit(open_browser(GUIDE_URL))

    def _say_guide_opened(self, opened: bool) -> None:
        self.guide_status.setText(
            _("Opened in your browser: {GUIDE_URL}").format(GUIDE_URL=GUIDE_URL)
            if opened
            else _("No browser could be opened. The guide is at {GUIDE_URL}").format(
                GUIDE_URL=GUIDE_URL
            )
        )
