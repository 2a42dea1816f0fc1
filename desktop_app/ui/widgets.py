"""Small building blocks shared by the panels. Untrusted text only ever goes through plain_label."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLayout,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)


def plain_label(text: str = "", parent: QWidget | None = None, selectable: bool = False) -> QLabel:
    """A QLabel that can never interpret its text as rich text (claims and profiles are untrusted)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
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
