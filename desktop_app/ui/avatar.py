"""The round account picture: the Graph photo, or initials on a colour derived from the name."""

from __future__ import annotations

import hashlib

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from desktop_app.core.i18n import _

_PALETTE = ("#2b5fd9", "#0f7b6c", "#8a3ffc", "#b5446e", "#c4610f", "#3a7d2c", "#4b5563")


def initials(name: str) -> str:
    words = [w for w in name.replace(",", " ").split() if w[:1].isalpha()]
    if not words:
        return "?"
    letters = words[0][0] + (words[-1][0] if len(words) > 1 else "")
    return letters.upper()


def initials_pixmap(name: str, size: int, ratio: float = 1.0) -> QPixmap:
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    colour = _PALETTE[hashlib.sha256(name.encode("utf-8", "replace")).digest()[0] % len(_PALETTE)]
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(QRectF(0, 0, size, size))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.38))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, initials(name))
    painter.end()
    return pixmap


def photo_pixmap(data: bytes, size: int, ratio: float = 1.0) -> QPixmap | None:
    image = QImage.fromData(data)
    if image.isNull():
        return None
    side = int(size * ratio)
    scaled = image.scaled(
        side,
        side,
        Qt.AspectRatioMode.KeepAspectRatioByExpanding,
        Qt.TransformationMode.SmoothTransformation,
    )
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = QPainterPath()
    path.addEllipse(QRectF(0, 0, side, side))
    painter.setClipPath(path)
    painter.drawImage((side - scaled.width()) // 2, (side - scaled.height()) // 2, scaled)
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


class Avatar(QLabel):
    def __init__(self, size: int = 64, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)  # shows a picture; never rich text
        self.setAccessibleName(_("Account picture"))
        self._size = size
        self.setFixedSize(size, size)
        self._name = ""
        self._photo: bytes | None = None
        self.has_photo = False
        self._render()

    # Every refresh shows the same person again: drawing only on a change keeps a long-running
    # window from churning pixmaps (the soak test measures memory over 1,000 refreshes).
    def set_name(self, name: str) -> None:
        if name != self._name:
            self._name = name
            self._render()

    def set_photo(self, data: bytes | None) -> None:
        if data != self._photo:
            self._photo = data
            self._render()

    def set_size(self, size: int) -> None:
        """A smaller picture when the header compacts (a short window)."""
        if size != self._size:
            self._size = size
            self.setFixedSize(size, size)
            self._render()

    def _render(self) -> None:
        ratio = self.devicePixelRatioF()
        pixmap = photo_pixmap(self._photo, self._size, ratio) if self._photo else None
        self.has_photo = pixmap is not None
        self.setPixmap(pixmap or initials_pixmap(self._name, self._size, ratio))
