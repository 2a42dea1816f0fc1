"""The API console's request headers and JSON body, folded away until someone needs them.

Most calls are a GET with no headers: the editors stay closed behind one button, which says what
they hold ("Headers and body: 1 header, 58 B"), and open by themselves when a sample or a
recent request fills them in or when the session says one of them is wrong.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QPlainTextEdit,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.i18n import N_, _
from desktop_app.graph.api_call import format_size
from desktop_app.graph.api_request import BODY_METHODS

HEADERS_HINT = N_("One per line, e.g.\nConsistencyLevel: eventual\nPrefer: return=representation")
BODY_HINT = N_('JSON for POST, PUT and PATCH, e.g.\n{\n  "securityEnabledOnly": false\n}')


def _restyle(widget: QWidget, name: str, value: object) -> None:
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class RequestEditor(QWidget):
    edited = Signal()  # a person typed in the headers or the body

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.toggle = QToolButton(self)
        self.toggle.setObjectName("request_toggle")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setAccessibleName(_("Request headers and body"))
        self.toggle.setAccessibleDescription(_("Shows or hides the request's headers and body"))
        layout.addWidget(self.toggle, alignment=Qt.AlignmentFlag.AlignLeft)

        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.headers_edit = QPlainTextEdit(self.tabs)
        self.headers_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # code: never mirrored
        self.headers_edit.setAccessibleName(_("Request headers"))
        self.headers_edit.setAccessibleDescription(_("One header per line, as Name: value"))
        self.headers_edit.setPlaceholderText(_(HEADERS_HINT))
        self.body_edit = QPlainTextEdit(self.tabs)
        self.body_edit.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # code: never mirrored
        self.body_edit.setAccessibleName(_("Request body"))
        self.body_edit.setAccessibleDescription(_("JSON sent with POST, PUT and PATCH"))
        self.body_edit.setPlaceholderText(_(BODY_HINT))
        for edit in (self.headers_edit, self.body_edit):
            edit.setFont(mono)
            edit.setTabChangesFocus(True)  # Tab moves on, as in every other field of the form
            edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 6 + 12)
            edit.textChanged.connect(self._on_text)
        self.tabs.addTab(self.headers_edit, _("H&eaders"))
        self.tabs.addTab(self.body_edit, _("Bo&dy"))
        layout.addWidget(self.tabs)
        self.tabs.hide()
        self._method = "GET"
        self.toggle.toggled.connect(self._show)
        self._update_toggle()

    # -- what it holds ---------------------------------------------------------------------------

    def headers_text(self) -> str:
        return self.headers_edit.toPlainText()

    def body_text(self) -> str:
        return self.body_edit.toPlainText()

    def set_request(self, headers: str, body: str) -> None:
        """Fill both editors (a sample, a recent request); opened when either has something."""
        self.headers_edit.setPlainText(headers)
        self.body_edit.setPlainText(body)
        self.mark_invalid("")
        if body.strip():
            self.tabs.setCurrentWidget(self.body_edit)
        self.toggle.setChecked(bool(headers.strip() or body.strip()))

    def set_method(self, method: str) -> None:
        self._method = method
        self.tabs.setTabText(
            1,
            _("Bo&dy")
            if method in BODY_METHODS
            else _("Bo&dy (not sent: {method})").format(method=method),
        )
        self._update_toggle()

    def mark_invalid(self, field: str) -> None:
        """Mark ``field`` ("headers", "body") and open it; "" clears the marks."""
        for name, edit in (("headers", self.headers_edit), ("body", self.body_edit)):
            _restyle(edit, "invalid", name == field)
        if field in ("headers", "body"):
            edit = self.headers_edit if field == "headers" else self.body_edit
            self.toggle.setChecked(True)
            self.tabs.setCurrentWidget(edit)
            edit.setFocus()

    @property
    def is_open(self) -> bool:
        return self.toggle.isChecked()

    # -- folding ---------------------------------------------------------------------------------

    def _show(self, shown: bool) -> None:
        self.tabs.setVisible(shown)
        self._update_toggle()

    def _on_text(self) -> None:
        self._update_toggle()
        self.edited.emit()

    def _update_toggle(self) -> None:
        headers = [line for line in self.headers_text().splitlines() if line.strip()]
        body = self.body_text()
        held = []
        if headers:
            held.append(f"{len(headers)} header{'s' if len(headers) != 1 else ''}")
        if body.strip():
            size = format_size(len(body.encode("utf-8", errors="replace")))
            held.append(
                size if self._method in BODY_METHODS else f"{size}, not sent with {self._method}"
            )
        summary = f": {', '.join(held)}" if held else ""
        self.toggle.setText(_("Re&quest headers and body{summary}").format(summary=summary))
        opened = self.toggle.isChecked()
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if opened else Qt.ArrowType.RightArrow)
