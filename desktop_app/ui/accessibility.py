"""What a screen reader needs beyond Qt's defaults: messages spoken when they appear, and labels
for combo boxes that have no visible one.

Qt sends an announcement to the platform's accessibility layer (AT-SPI's object:announcement on
Linux, UIA notifications on Windows, NSAccessibility announcements on macOS); a screen reader
speaks it without the focus moving. The test is tests/gui/test_atspi_tree.py, on the real bus.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QToolButton


def announce(source: QObject, message: str, assertive: bool = False) -> None:
    """Have a screen reader say ``message`` (from ``source``, a widget on screen). Polite waits
    for what is being read to finish; assertive (errors) interrupts it."""
    if not message or not QAccessible.isActive():
        return  # no assistive technology listening: nothing to build
    event = QAccessibleAnnouncementEvent(source, message)
    event.setPoliteness(
        QAccessible.AnnouncementPoliteness.Assertive
        if assertive
        else QAccessible.AnnouncementPoliteness.Polite
    )
    QAccessible.updateAccessibility(event)


def label_combo(combo: QComboBox, text: str) -> QLabel:
    """Label ``combo`` for a screen reader where no visible label stands beside it.

    Qt names a combo box by its current item on Linux (AT-SPI's name is the value there) and
    takes its label from a QLabel whose buddy it is (the labelled-by relation), so the accessible
    name alone is lost there. The label is a hidden sibling: what is seen stays as it was."""
    combo.setAccessibleName(text)  # Windows and macOS read the name
    parent = combo.parentWidget()
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setObjectName(f"{combo.objectName() or 'combo'}_label")
    label.setBuddy(combo)
    label.hide()
    return label


def name_clear_button(edit: QLineEdit, name: str) -> None:
    """The clear button Qt draws in a line edit (setClearButtonEnabled) has no name of its own:
    a screen reader would say only "push button"."""
    for button in edit.findChildren(QToolButton):
        button.setAccessibleName(name)
