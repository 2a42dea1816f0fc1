"""Every copy to the clipboard, and keeping secrets from staying there.

Every Copy button and action of the window goes through ``copy_text``. A secret (the access
token; anything token-shaped a person copies from a panel: a JSON answer holding a token, a
URL with an authorization code) is put on the clipboard

- marked for clipboard managers and histories not to keep it (``SECRET_HINTS``, per platform),
- and cleared again ``CLEAR_AFTER_S`` seconds later, when the session goes to signed out, and
  when Lanyard quits (before Qt hands the clipboard to a clipboard manager at exit, as it does
  on X11 and Windows),

but only while the clipboard still holds what Lanyard put there: what the person copied since
is theirs and never cleared. Lanyard keeps a digest of the secret, not a second copy of it.
"""

from __future__ import annotations

import hashlib
import sys

from PySide6.QtCore import QCoreApplication, QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QAbstractButton

from desktop_app.core.i18n import N_, _
from desktop_app.core.logs import contains_secret

CLEAR_AFTER_S = 45
COPIED_FOR_MS = 1500  # how long a Copy button says "Copied"
COPIED = N_("Copied")

_DWORD_0 = b"\x00\x00\x00\x00"
_DWORD_1 = b"\x01\x00\x00\x00"


def _windows_format(name: str) -> str:
    """A MIME type that Qt registers as the Windows clipboard format ``name`` itself."""
    return f'application/x-qt-windows-mime;value="{name}"'


# What clipboard managers and histories look for to leave content alone, by platform:
# - Linux and other Unix (X11, Wayland): KDE's hint, honoured by Klipper, CopyQ, cliphist and
#   wl-clip-persist filters, GPaste, and the password managers that set it (KeePassXC);
# - macOS: the nspasteboard.org concealed type, under the MIME name Qt-based tools (CopyQ) read;
#   see the README's notes: Qt puts an unknown MIME type on the pasteboard under its own UTI, not
#   as org.nspasteboard.ConcealedType, so native managers do not see it (the timed clear is what
#   protects there);
# - Windows: keep it out of Win+V history and the cloud clipboard, and out of monitors (Ditto,
#   CopyQ) that honour "Clipboard Viewer Ignore".
SECRET_HINTS: dict[str, dict[str, bytes]] = {
    "linux": {"x-kde-passwordManagerHint": b"secret"},
    "darwin": {"application/x-nspasteboard-concealed-type": b"secret"},
    "win32": {
        _windows_format("ExcludeClipboardContentFromMonitorProcessing"): _DWORD_1,
        _windows_format("CanIncludeInClipboardHistory"): _DWORD_0,
        _windows_format("CanUploadToCloudClipboard"): _DWORD_0,
        _windows_format("Clipboard Viewer Ignore"): _DWORD_1,
    },
}


def secret_hints(platform: str = sys.platform) -> dict[str, bytes]:
    if platform.startswith("win"):
        return SECRET_HINTS["win32"]
    if platform == "darwin":
        return SECRET_HINTS["darwin"]
    return SECRET_HINTS["linux"]  # and the BSDs: X11 or Wayland


def secret_mime(text: str, platform: str = sys.platform) -> QMimeData:
    """``text`` as plain text, with the hints that ask clipboard managers not to keep it."""
    mime = QMimeData()
    mime.setText(text)
    for name, value in secret_hints(platform).items():
        mime.setData(name, value)
    return mime


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


class SecretClipboard(QObject):
    """The application's clipboard, as Lanyard writes to it. One per application
    (``clipboard_guard``); a child of the application, so it lives until quit."""

    copied = Signal(bool)  # anything went on the clipboard: whether as a secret
    copied_secret = Signal(int)  # a secret went on the clipboard: seconds until it is cleared
    countdown = Signal(int)  # seconds left, each second, while it is there
    cleared = Signal(str)  # Lanyard cleared it: "timeout", "sign-out" or "quit"
    released = Signal()  # the clipboard holds something else now: nothing left to clear

    def __init__(self, clipboard: QClipboard, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clipboard = clipboard
        self.clear_after_ms = CLEAR_AFTER_S * 1000  # tests shorten it
        self._digest: bytes | None = None
        self._clear_timer = QTimer(self)
        self._clear_timer.setSingleShot(True)
        self._clear_timer.timeout.connect(lambda: self.clear_secret("timeout"))
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._count_down)
        clipboard.dataChanged.connect(self._changed)

    # -- copying ------------------------------------------------------------------------------

    def copy(self, text: str, secret: bool | None = None) -> bool:
        """Put ``text`` on the clipboard; ``secret`` None means: if it looks like one. Returns
        whether it went on as a secret."""
        is_secret = contains_secret(text) if secret is None else secret
        if self._digest is not None:  # Lanyard's earlier secret is replaced now
            self._forget()
            self.released.emit()
        if not is_secret:
            self._clipboard.setText(text)
            self.copied.emit(False)
            return False
        self._clipboard.setMimeData(secret_mime(text))
        self._digest = _digest(text)
        self._clear_timer.start(self.clear_after_ms)
        self._tick.start()
        self.copied.emit(True)
        self.copied_secret.emit(self.seconds_left())
        return True

    def holds_secret(self) -> bool:
        """Whether the clipboard still holds the secret Lanyard put there."""
        if self._digest is None:
            return False
        return _digest(self._clipboard.text()) == self._digest

    def seconds_left(self) -> int:
        if not self._clear_timer.isActive():
            return 0
        # (a coarse timer can report a little more than its interval: never say more than it is)
        remaining = min(self._clear_timer.remainingTime(), self.clear_after_ms)
        return max(0, -(-remaining // 1000))

    def clear_secret(self, reason: str) -> bool:
        """Clear the clipboard if it still holds Lanyard's secret (only then). True if it did."""
        if not self.holds_secret():
            self._forget()
            return False
        self._forget()
        self._clipboard.clear(QClipboard.Mode.Clipboard)
        self.cleared.emit(reason)
        return True

    # -- internals ----------------------------------------------------------------------------

    def _forget(self) -> None:
        self._digest = None
        self._clear_timer.stop()
        self._tick.stop()

    def _changed(self) -> None:
        if self._digest is not None and not self.holds_secret():
            self._forget()  # the person copied something else: it is theirs, never cleared
            self.released.emit()

    def _count_down(self) -> None:
        if self.holds_secret():
            self.countdown.emit(self.seconds_left())


_GUARD_PROPERTY = "lanyard_secret_clipboard"


def clipboard_guard() -> SecretClipboard:
    """The application's SecretClipboard, made on first use: it clears a secret left on the
    clipboard when the application is about to quit."""
    app = QCoreApplication.instance()
    assert isinstance(app, QGuiApplication), "the clipboard needs a QGuiApplication"
    guard = app.findChild(SecretClipboard, _GUARD_PROPERTY)
    if guard is None:
        guard = SecretClipboard(QGuiApplication.clipboard(), app)
        guard.setObjectName(_GUARD_PROPERTY)
        app.aboutToQuit.connect(lambda: guard.clear_secret("quit"))
    return guard


def copy_text(text: str, secret: bool | None = None) -> bool:
    """Every copy of the window: see the module docstring. Returns whether it was a secret."""
    return clipboard_guard().copy(text, secret)


_LABEL_PROPERTY = "lanyard_copy_label"


def copy_button_text(button: QAbstractButton, text: str, secret: bool | None = None) -> bool:
    """``copy_text`` from a Copy button, which says "Copied" for a moment (keeping its width,
    so nothing beside it moves) and then its own words again."""
    result = copy_text(text, secret)
    show_copied(button)
    return result


def reserve_copied_width(button: QAbstractButton) -> None:
    """Make the button wide enough for "Copied" now, so a column of Copy buttons stays
    aligned when one of them says it."""
    own = button.text()
    width = button.sizeHint().width()
    button.setText(_(COPIED))
    button.setMinimumWidth(max(button.minimumWidth(), width, button.sizeHint().width()))
    button.setText(own)


def show_copied(button: QAbstractButton) -> None:
    if not isinstance(button.property(_LABEL_PROPERTY), str):  # remember its own words
        reserve_copied_width(button)
        button.setProperty(_LABEL_PROPERTY, button.text())
    button.setText(_(COPIED))
    timer = button.findChild(QTimer, "copied_timer")
    if not isinstance(timer, QTimer):
        timer = QTimer(button)
        timer.setObjectName("copied_timer")
        timer.setSingleShot(True)

        def restore() -> None:
            original = button.property(_LABEL_PROPERTY)
            if isinstance(original, str):
                button.setText(original)
            button.setProperty(_LABEL_PROPERTY, None)

        timer.timeout.connect(restore)
    timer.start(COPIED_FOR_MS)
