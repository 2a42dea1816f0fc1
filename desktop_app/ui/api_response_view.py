"""The API console's answer: the body (a tree, raw text, or an image) and the response headers.

A body is shown opened a few levels deep (a collection's items and their fields). An image
(``/me/photo/$value``) is shown as the picture; other binary bodies by their size and type only.
Header values are plain text: an API is not trusted to format anything.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QImageReader, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.i18n import _
from desktop_app.core.text import shown
from desktop_app.graph.api_call import ApiResponse, format_size
from desktop_app.graph.json_tree import JsonValue
from desktop_app.ui.json_view import JsonView
from desktop_app.ui.widgets import plain_label

OPEN_DEPTH = 2  # a collection's items and their fields
MAX_IMAGE_SIDE = 4096  # a larger picture is described, not decoded into memory


class ResponseView(QTabWidget):
    """Tabs: Body and Headers (n)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("Response"))
        self.setDocumentMode(True)
        self.body_stack = QStackedWidget(self)
        self.json = JsonView(self.body_stack)
        self.image_area = QScrollArea(self.body_stack)
        self.image_area.setWidgetResizable(True)
        image_page = QWidget(self.image_area)
        image_layout = QVBoxLayout(image_page)
        self.image = QLabel(image_page)
        self.image.setTextFormat(Qt.TextFormat.PlainText)
        self.image.setAccessibleName(_("Image in the response"))
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_caption = plain_label("", image_page, selectable=True)
        self.image_caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        image_layout.addWidget(self.image, 1)
        image_layout.addWidget(self.image_caption)
        self.image_area.setWidget(image_page)
        self.body_stack.addWidget(self.json)
        self.body_stack.addWidget(self.image_area)

        self.headers = QTableWidget(0, 2, self)
        self.headers.setAccessibleName(_("Response headers"))
        self.headers.setHorizontalHeaderLabels([_("Header"), _("Value")])
        self.headers.verticalHeader().hide()
        rows = self.headers.verticalHeader()
        rows.setDefaultSectionSize(self.headers.fontMetrics().height() + 8)  # one line a header
        self.headers.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.headers.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.headers.setWordWrap(False)
        self.headers.setTabKeyNavigation(False)  # Tab leaves the table, arrows move inside
        header = self.headers.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        self.addTab(self.body_stack, _("Body"))
        self.addTab(self.headers, _("Headers"))
        self.clear()

    def clear(self) -> None:
        self.json.clear()
        self.image.clear()
        self.image_caption.setText("")
        self.body_stack.setCurrentWidget(self.json)
        self.headers.setRowCount(0)
        self.setTabText(1, _("Headers"))
        self.setCurrentIndex(0)

    def show_response(self, response: ApiResponse) -> None:
        self._show_headers(response.headers)
        if response.is_binary and self._show_image(response):
            return
        self.show_document(response.document, response.text, response.is_json)

    def show_document(self, document: JsonValue, raw: str, is_json: bool) -> None:
        """The body (or, while pages are read, every page so far as one document)."""
        self.body_stack.setCurrentWidget(self.json)
        self.json.set_document(document, raw, is_json)
        if is_json:
            self.json.expand_to_depth(OPEN_DEPTH)

    def _show_image(self, response: ApiResponse) -> bool:
        if not response.content_type.lower().startswith("image/"):
            return False
        buffer = QBuffer()
        buffer.setData(QByteArray(response.binary))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QImageReader(buffer)
        size = reader.size()  # from the header: a huge picture is not decoded at all
        if not size.isValid() or max(size.width(), size.height()) > MAX_IMAGE_SIDE:
            return False
        image = reader.read()
        if image.isNull():
            return False
        self.image.setPixmap(QPixmap.fromImage(image))
        self.image_caption.setText(
            _("{width} × {height} px · {format_size} · {content_type}").format(
                width=image.width(),
                height=image.height(),
                format_size=format_size(response.size),
                content_type=response.content_type,
            )
        )
        self.body_stack.setCurrentWidget(self.image_area)
        return True

    def _show_headers(self, headers: tuple[tuple[str, str], ...]) -> None:
        self.headers.setRowCount(len(headers))
        for row, (name, value) in enumerate(headers):
            for column, text in enumerate((name, value)):
                # an API's words: what reorders or hides text is shown as its escape
                visible = shown(text, one_line=True, limit=2000)
                item = QTableWidgetItem(visible)
                item.setToolTip(visible if column == 1 and len(visible) > 60 else "")
                self.headers.setItem(row, column, item)
        self.setTabText(1, _("Headers ({len})").format(len=len(headers)))

    @property
    def showing_image(self) -> bool:
        return self.body_stack.currentWidget() is self.image_area

    def header_rows(self) -> list[tuple[str, str]]:
        rows = []
        for row in range(self.headers.rowCount()):
            name, value = self.headers.item(row, 0), self.headers.item(row, 1)
            rows.append((name.text() if name else "", value.text() if value else ""))
        return rows
