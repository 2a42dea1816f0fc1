"""Small building blocks shared by the panels. Untrusted text only ever goes through plain_label."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLayout,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.i18n import is_right_to_left
from desktop_app.core.text import own_direction, shown, without_isolates

# a label longer than this is not read (profile and claim values are cut at 4,096 already)
LABEL_CHARS = 10_000


class PlainLabel(QLabel):
    """A QLabel for text that may be untrusted: plain text only, and what it shows is what the
    text holds (core/text.py: a right-to-left override or an invisible character is shown as its
    escape, not obeyed). Lanyard's own words pass through unchanged."""

    def setText(self, text: str) -> None:
        super().setText(_drawn(shown(text, limit=LABEL_CHARS)))

    def text(self) -> str:
        return without_isolates(super().text())


def _drawn(text: str) -> str:
    """In a right-to-left window (Arabic) text without a right-to-left letter keeps its own
    direction (core/text.py's own_direction); otherwise as it is."""
    return own_direction(text) if is_right_to_left() else text


class ElidedLabel(PlainLabel):
    """One line of plain text that never makes its window wider than the screen (a status bar
    at 2x scale): cut with "…" when there is no room, the whole text then a hover away (unless
    a tooltip of its own was set) and always its accessible name."""

    MIN_CHARS = 8  # what it keeps at least: enough to say what the line is about

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self._full = ""
        self._own_tooltip = ""
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = shown(text, limit=LABEL_CHARS)
        self.setAccessibleName(self._full)
        self.updateGeometry()
        self._elide()

    def text(self) -> str:
        """The whole text (what is drawn may be cut: shown_text)."""
        return self._full

    def shown_text(self) -> str:
        return without_isolates(QLabel.text(self))

    def setToolTip(self, tip: str) -> None:
        self._own_tooltip = tip
        super().setToolTip(tip)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        margins = self.contentsMargins()
        extra = margins.left() + margins.right() + 2 * self.margin() + 2
        return QSize(self.fontMetrics().horizontalAdvance(self._full) + extra, hint.height())

    def minimumSizeHint(self) -> QSize:
        kept = self._full[: self.MIN_CHARS] + "…"
        least = self.fontMetrics().horizontalAdvance(kept) + 4
        return QSize(min(least, self.sizeHint().width()), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        room = self.contentsRect().width() - 2 * self.margin()
        metrics = self.fontMetrics()
        fits = metrics.horizontalAdvance(self._full) <= room
        drawn = (
            self._full
            if fits
            else metrics.elidedText(self._full, Qt.TextElideMode.ElideRight, room)
        )
        QLabel.setText(self, _drawn(drawn))
        QLabel.setToolTip(self, self._own_tooltip or ("" if fits else self._full))


def plain_label(text: str = "", parent: QWidget | None = None, selectable: bool = False) -> QLabel:
    """A PlainLabel: never rich text, never reordered or hidden by its characters (claims,
    profiles and servers' words are untrusted)."""
    label = PlainLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)  # wrapped: its height depends on its width (else clipped)
    label.setSizePolicy(policy)
    return label


def heading(text: str, parent: QWidget | None = None, size: int = 15) -> QLabel:
    label = plain_label(text, parent)
    font = label.font()
    font.setPointSize(size)
    font.setBold(True)
    label.setFont(font)
    return label


class CardPanel(QScrollArea):
    """A scrollable tab page holding one titled card; subclasses fill ``card_layout``."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Tab goes to the controls, not to the scroll area (it scrolls to the one focused)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        body = QWidget(self)
        outer = QVBoxLayout(body)
        outer.setContentsMargins(20, 16, 20, 16)
        self.card = QFrame(body)
        self.card.setObjectName("card")
        self.card_layout = QVBoxLayout(self.card)
        self.card_layout.setContentsMargins(20, 16, 20, 16)
        self.card_layout.setSpacing(10)
        self.card_layout.addWidget(heading(title, self.card, 13))
        outer.addWidget(self.card)
        outer.addStretch(1)
        self.setWidget(body)


def role_chip(role: str, parent: QWidget | None = None) -> QLabel:
    """An app role as a pill (plain text: role values come from the token)."""
    chip = plain_label(role, parent)
    chip.setWordWrap(False)
    chip.setObjectName("role")
    chip.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return chip


def clear_layout(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.deleteLater()


def muted(text: str, parent: QWidget | None = None) -> QLabel:
    label = plain_label(text, parent)
    label.setProperty("muted", True)
    return label


class FullHeightTable(QTableWidget):
    """A table as tall as its rows, so the panel's one scroll bar scrolls it (no nested scrolling);
    rows re-wrap when the table's width changes."""

    def __init__(self, rows: int, columns: int, parent: QWidget | None = None) -> None:
        super().__init__(rows, columns, parent)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(True)
        self.verticalHeader().hide()
        self._fitted_width = -1
        self._refit = QTimer(self)  # after the header has laid its columns out for the new width
        self._refit.setSingleShot(True)
        self._refit.setInterval(0)
        self._refit.timeout.connect(self.fit)

    def fit(self) -> None:
        self._fitted_width = self.width()
        self.resizeRowsToContents()
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setFixedHeight(self.horizontalHeader().height() + rows + 2 * self.frameWidth() + 2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != self._fitted_width:
            self._refit.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._refit.start()
