"""The Token inspector panel, for everyone: a token Lanyard holds (the ID token, each API's access
token) or one pasted or dropped in, read as jwt.ms reads it (auth/token_inspect.py), its
signature checked against its issuer's keys on the network pool (session/inspector.py), and
what changed since the token shown before it (e.g. before and after Refresh roles).

Everything a token says is untrusted: labels are PlainLabels, table items plain text, the parts
view is filled as plain text with colours (never HTML). A token is a secret: it is copied only
with Copy token (marked and cleared as ui/clipboard.py does), and its parts view takes no
mouse selection (X11's primary selection would keep it).
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QPushButton,
    QTableWidgetItem,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.auth.claim_catalog import ClaimRow
from desktop_app.auth.signature import CANNOT_CHECK, NOT_VERIFIED, VERIFIED, SignatureCheck
from desktop_app.auth.token_inspect import (
    JWS,
    ClaimChange,
    Inspection,
    diff,
    inspect,
)
from desktop_app.core.i18n import N_, _, ngettext, number
from desktop_app.core.text import shown
from desktop_app.session.controller import SessionController
from desktop_app.session.inspector import HeldToken
from desktop_app.session.state import State
from desktop_app.ui.accessibility import label_combo
from desktop_app.ui.clipboard import copy_text
from desktop_app.ui.style import DARK, LIGHT, is_dark
from desktop_app.ui.widgets import CardPanel, FullHeightTable, heading, muted, plain_label

PASTED = N_("A token you paste or drop below")
# header, payload, signature (and a JWE's two more): jwt.ms's colours, readable on both themes
PART_COLOURS = ("#d63aff", "#0b8a3e", "#0098d6", "#c77700", "#8a5cf6")
PARTS_SHOWN = 20_000  # characters of the parts view (a huge paste is capped before this)


class InspectorPanel(CardPanel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Token inspector"), parent)
        self.session: SessionController | None = None
        self._held: list[HeldToken] = []
        self.inspection: Inspection = inspect("")
        self._previous: tuple[str, Inspection] | None = None  # (label, inspection) shown before
        self._label = ""
        self._check_id = 0
        card, layout = self.card, self.card_layout
        layout.addWidget(
            muted(
                _(
                    "Read any token: the ones Lanyard holds, or one you paste. Its signature is "
                    "checked against the keys its issuer publishes."
                ),
                card,
            )
        )
        row = QHBoxLayout()
        self.source = QComboBox(card)
        self.source.setObjectName("inspector_source")
        label_combo(self.source, _("Token to inspect"))
        self.source.currentIndexChanged.connect(self._source_chosen)
        self.reload_button = QPushButton(_("Re&load tokens"), card)
        self.reload_button.clicked.connect(self.reload)
        row.addWidget(self.source, 1)
        row.addWidget(self.reload_button)
        layout.addLayout(row)
        self.paste = QPlainTextEdit(card)
        self.paste.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # code: never mirrored
        self.paste.setObjectName("inspector_paste")
        self.paste.setPlaceholderText(
            _('Paste or drop a token here (a "Bearer " prefix, quotes and line breaks are fine)')
        )
        self.paste.setAccessibleName(_("Token to inspect, pasted"))
        self.paste.setMaximumHeight(64)
        self.paste.setTabChangesFocus(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self._pasted)
        self.paste.textChanged.connect(self._debounce.start)
        layout.addWidget(self.paste)

        self.summary = heading("", card, 12)
        self.summary.setObjectName("inspector_summary")
        layout.addWidget(self.summary)
        self.signature = plain_label("", card)
        self.signature.setObjectName("inspector_signature")
        layout.addWidget(self.signature)
        self.notes = plain_label("", card)
        self.notes.setObjectName("inspector_notes")
        self.notes.setProperty("muted", True)
        layout.addWidget(self.notes)

        parts_row = QHBoxLayout()
        parts_row.addWidget(muted(_("The parts: header . payload . signature"), card), 1)
        self.copy_token_button = QPushButton(_("Copy &token"), card)
        self.copy_token_button.setAccessibleName(_("Copy the token to the clipboard (a secret)"))
        self.copy_token_button.clicked.connect(self._copy_token)
        parts_row.addWidget(self.copy_token_button)
        layout.addLayout(parts_row)
        self.parts = QTextEdit(card)
        self.parts.setObjectName("inspector_parts")
        self.parts.setReadOnly(True)
        self.parts.setAcceptRichText(False)
        self.parts.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.parts.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.parts.setMaximumHeight(96)
        self.parts.setAccessibleName(_("The token's parts, colour-coded"))
        layout.addWidget(self.parts)

        self.views = QTabWidget(card)
        self.views.setObjectName("inspector_views")
        self.payload_table = self._claims_table(_("Payload claims"))
        self.header_table = self._claims_table(_("Header"))
        self.raw = QPlainTextEdit(card)
        self.raw.setLayoutDirection(Qt.LayoutDirection.LeftToRight)  # code: never mirrored
        self.raw.setReadOnly(True)
        self.raw.setObjectName("inspector_raw")
        self.raw.setMinimumHeight(240)
        self.diff_table = FullHeightTable(0, 4, card)
        self.diff_table.setHorizontalHeaderLabels(
            [_("Claim"), _("Change"), _("Before"), _("After")]
        )
        self.diff_table.setObjectName("inspector_diff")
        self._table_setup(self.diff_table, _("Differences from the token shown before"))
        self.diff_note = muted("", card)
        diff_page = QWidget(card)
        diff_layout = QVBoxLayout(diff_page)
        diff_layout.setContentsMargins(0, 6, 0, 0)
        diff_layout.addWidget(self.diff_note)
        diff_layout.addWidget(self.diff_table)
        diff_layout.addStretch(1)
        self.views.addTab(self.payload_table, _("Pa&yload"))
        self.views.addTab(self.header_table, _("&Header"))
        self.views.addTab(self.raw, _("Raw &JSON"))
        self.views.addTab(diff_page, _("&Differences"))
        layout.addWidget(self.views)
        copy_row = QHBoxLayout()
        self.copy_claim_button = QPushButton(_("Copy &value"), card)
        self.copy_claim_button.setAccessibleName(_("Copy the selected claim's value"))
        self.copy_claim_button.clicked.connect(self._copy_claim)
        copy_row.addWidget(self.copy_claim_button)
        copy_row.addStretch(1)
        layout.addLayout(copy_row)
        self._values: dict[int, list[str]] = {}
        self._fill_sources()
        self._show(inspect(""), "")

    # -- wiring ----------------------------------------------------------------------------------

    def attach(self, session: SessionController) -> None:
        self.session = session
        self._held = []
        self._previous = None
        session.identity_changed.connect(lambda _identity: self.reload())
        session.token_changed.connect(lambda _info: self.reload())
        session.state_changed.connect(self._on_state)
        self.reload()

    def _on_state(self, state: State) -> None:
        if state is State.SIGNED_OUT:
            self._held = []
            self._previous = None
            self._fill_sources()

    def reload(self) -> None:
        """Read again the tokens Lanyard holds (on the auth thread)."""
        if self.session is not None:
            self.session.inspector.held_tokens(self.show_held)

    def show_held(self, held: list[HeldToken]) -> None:
        self._held = held
        self._fill_sources()

    def _fill_sources(self) -> None:
        wanted = self.source.currentText()
        self.source.blockSignals(True)
        self.source.clear()
        for token in self._held:  # a label names scopes the token response gave: untrusted
            self.source.addItem(shown(token.label, one_line=True, limit=200))
        self.source.addItem(_(PASTED))
        labels = [self.source.itemText(i) for i in range(self.source.count())]
        self.source.setCurrentIndex(labels.index(wanted) if wanted in labels else 0)
        self.source.blockSignals(False)
        self._source_chosen(self.source.currentIndex())

    def _source_chosen(self, index: int) -> None:
        pasted = not 0 <= index < len(self._held)
        if pasted:
            self._pasted()
        else:
            held = self._held[index]
            self._show(inspect(held.token), held.label)

    def _pasted(self) -> None:
        if 0 <= self.source.currentIndex() < len(self._held):
            self.source.setCurrentIndex(len(self._held))  # typing in it means the pasted one
            return
        self._show(inspect(self.paste.toPlainText()), _("the pasted token"))

    def inspect_text(self, text: str) -> None:
        """Show ``text`` as the pasted token (a drop on the window, a test)."""
        self.source.setCurrentIndex(self.source.count() - 1)
        self.paste.setPlainText(text)
        self._debounce.stop()
        self._pasted()

    # -- showing -------------------------------------------------------------------------------

    def _show(self, inspection: Inspection, label: str) -> None:
        same = inspection.token == self.inspection.token
        if not same and self.inspection.readable and inspection.readable:
            self._previous = (self._label, self.inspection)
        self.inspection, self._label = inspection, label
        self.summary.setText(inspection.summary)
        notes = list(inspection.notes)
        if inspection.problem and inspection.kind == JWS:
            notes.insert(0, _("Problem: {problem}").format(problem=inspection.problem))
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        self._show_parts(inspection)
        self._fill(self.payload_table, 0, inspection.payload_rows())
        self._fill(self.header_table, 1, inspection.header_rows())
        raw = [
            _("// header\n{header_json}").format(header_json=inspection.header_json())
            if inspection.header is not None
            else "",
            _("// payload\n{payload_json}").format(payload_json=inspection.payload_json())
            if inspection.payload is not None
            else "",
        ]
        self.raw.setPlainText("\n\n".join(r for r in raw if r))
        self._show_diff()
        self.copy_token_button.setEnabled(bool(inspection.token))
        if not same or not self.signature.text():
            self._check_signature(inspection)

    def _show_parts(self, inspection: Inspection) -> None:
        self.parts.clear()
        cursor = self.parts.textCursor()
        text_left = PARTS_SHOWN
        for index, part in enumerate(inspection.parts):
            if index:
                cursor.insertText(".", QTextCharFormat())
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(PART_COLOURS[index % len(PART_COLOURS)]))
            piece = shown(part, one_line=True, limit=max(text_left, 0))
            text_left -= len(part)
            cursor.insertText(piece, fmt)
            if text_left <= 0:
                break
        self.parts.moveCursor(QTextCursor.MoveOperation.Start)
        self.parts.setVisible(bool(inspection.parts))

    def _check_signature(self, inspection: Inspection) -> None:
        self._check_id += 1
        check_id = self._check_id
        if not inspection.token:
            self.signature.setText("")
            return
        self.signature.setText(_("Checking the signature against the issuer's published keys…"))
        self.signature.setStyleSheet("")
        if self.session is None:
            self._show_signature(
                SignatureCheck(CANNOT_CHECK, _("Lanyard has no network session yet.")), check_id
            )
            return
        self.session.inspector.check(inspection, lambda c: self._show_signature(c, check_id))

    def _show_signature(self, check: SignatureCheck, check_id: int) -> None:
        if check_id != self._check_id:
            return  # an answer for a token no longer shown
        self.signature.setText(check.words)
        colours = DARK if is_dark(self.palette()) else LIGHT
        colour = {VERIFIED: colours.ok, NOT_VERIFIED: colours.bad}.get(
            check.outcome, colours.warning
        )
        self.signature.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.signature.setProperty("outcome", check.outcome)

    def _show_diff(self) -> None:
        previous = self._previous
        changes: list[ClaimChange] = (
            diff(previous[1], self.inspection) if previous and self.inspection.readable else []
        )
        if previous is None:
            self.diff_note.setText(
                _("Choose or paste another token (or Refresh roles) to see what changed.")
            )
        else:
            what = ngettext("{count} difference", "{count} differences", len(changes)).format(
                count=number(len(changes))
            )
            self.diff_note.setText(
                _("{what} from the token shown before ({previous}).").format(
                    what=what, previous=previous[0]
                )
            )
        self.diff_table.setRowCount(len(changes))
        for row, change in enumerate(changes):
            for column, text in enumerate(
                (change.name, change.change, change.before, change.after)
            ):
                self.diff_table.setItem(row, column, _item(text))
        self._values[3] = [c.after or c.before for c in changes]
        self.diff_table.fit()

    # -- tables and copies ---------------------------------------------------------------------

    def _claims_table(self, name: str) -> FullHeightTable:
        table = FullHeightTable(0, 3, self.card)
        table.setHorizontalHeaderLabels([_("Claim"), _("Value"), _("What it means")])
        self._table_setup(table, name)
        return table

    @staticmethod
    def _table_setup(table: FullHeightTable, name: str) -> None:
        table.setAccessibleName(name)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for column in range(1, table.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        if table.columnCount() == 4:  # the diff's "Change" column: one word
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)

    def _fill(self, table: FullHeightTable, key: int, rows: list[ClaimRow]) -> None:
        table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            for column, text in enumerate((row.name, row.value, row.description)):
                table.setItem(index, column, _item(text))
        self._values[key] = [row.full_value for row in rows]
        table.fit()

    def cell(self, table: FullHeightTable, row: int, column: int) -> str:
        """A cell's text as shown, without the wrapping breaks."""
        item = table.item(row, column)
        return item.text().replace("\u200b", "") if item is not None else ""

    def claim_value(self, name: str, header: bool = False) -> str:
        table = self.header_table if header else self.payload_table
        for row in range(table.rowCount()):
            if self.cell(table, row, 0) == name:
                return self.cell(table, row, 1)
        raise KeyError(name)

    def _copy_claim(self) -> None:
        index = self.views.currentIndex()
        table = {0: self.payload_table, 1: self.header_table, 3: self.diff_table}.get(index)
        if table is None:  # the raw JSON: all of it (no token in it, only what it says)
            copy_text(self.raw.toPlainText())
            return
        row = table.currentRow()
        values = self._values.get(index, [])
        if 0 <= row < len(values):
            copy_text(values[row])

    def _copy_token(self) -> None:
        if self.inspection.token:
            copy_text(self.inspection.token, secret=True)


_BREAK_AFTER = re.compile(r"([/.:_,-]|[^\s/.:_,-]{24})(?=\S)")


def breakable(text: str) -> str:
    """``text`` with a zero-width space after URL punctuation and every 24 characters of an
    unbroken run: Qt wraps table cells only at breaks, and would cut an `iss` or `sub` short
    (Copy takes the value itself, without them)."""
    return _BREAK_AFTER.sub("\\1\u200b", text)


def _item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(breakable(shown(text, one_line=False, limit=2000)))
    item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
    return item
