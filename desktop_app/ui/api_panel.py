"""The "Call an API" panel, an API console: method, endpoint, scopes, headers and a JSON body;
the answer's status, time, size, headers and body; the pages of a collection; recent requests.

It talks to SessionController only (``attach``): the session checks a request and sends it.
Anything but GET may change data, so the first such call to a URL is confirmed by the person.
Extra consent is asked for only when an API needs it: the session tries silently first and,
when the identity provider says a person must agree, the panel offers "Grant access" (it never
opens the browser by itself).

Why ~570 lines in one module: the request editor and the response view are modules of their own
(api_request_editor.py, api_response_view.py); what stays is the console's one state machine
(idle, calling, waiting for consent, reading pages) and the controls whose enabled state, text
and banner follow it, which would be split from the transitions that drive them.
"""

from __future__ import annotations

import itertools
import json

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import LanyardError
from desktop_app.core.i18n import N_, _
from desktop_app.core.text import shown
from desktop_app.graph import api_history
from desktop_app.graph.api_call import (
    ApiFailure,
    ApiPreset,
    ApiRequest,
    ApiResponse,
    from_template,
    to_template,
)
from desktop_app.graph.api_history import HistoryEntry
from desktop_app.graph.api_request import METHODS
from desktop_app.session.api_calls import Paging
from desktop_app.session.controller import SessionController
from desktop_app.session.state import MAY_CALL_API, State
from desktop_app.ui.accessibility import label_combo, name_clear_button
from desktop_app.ui.api_request_editor import RequestEditor
from desktop_app.ui.api_response_view import ResponseView
from desktop_app.ui.banner import Banner
from desktop_app.ui.widgets import muted, plain_label

EXPLANATION = N_(
    "Lanyard calls the API as you, with a token for these scopes. It asks for more permissions "
    "only when an API needs them, and only when you select Grant access."
)
SETTINGS_URL = "api_call/url"
SETTINGS_SCOPES = "api_call/scopes"
SETTINGS_METHOD = "api_call/method"
SETTINGS_HISTORY = "api_call/history"
CAN_CALL = MAY_CALL_API


def _restyle(widget: QWidget, name: str, value: object) -> None:
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def confirm_change(parent: QWidget, request: ApiRequest) -> bool:
    """Ask before the first call that may change data: it names the method and the URL."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(_("Send {method}?").format(method=request.method))
    box.setTextFormat(Qt.TextFormat.PlainText)  # the URL is the person's text, not markup
    box.setText(_("Send {method} to {url}?").format(method=request.method, url=request.url))
    box.setInformativeText(
        _(
            "A {method} request can change or delete data as you. Lanyard asks once for each address."
        ).format(method=request.method)
    )
    send = box.addButton(
        _("Send {method}").format(method=request.method), QMessageBox.ButtonRole.AcceptRole
    )
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)  # Enter does not change data
    box.exec()
    return box.clickedButton() is send


class ApiPanel(QWidget):
    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        # its colours (invalid field, status) are in ui/style.py, light and dark
        # where the last request and the history are remembered (tests pass their own)
        self._settings = settings if settings is not None else QSettings()
        self.session: SessionController | None = None
        self._presets: list[ApiPreset] = []
        self._history: list[HistoryEntry] = api_history.from_json(
            self._settings.value(SETTINGS_HISTORY, "")
        )
        self._shown_history: list[tuple[HistoryEntry, str]] = []  # (entry, its URL now)
        self._confirmed: set[tuple[str, str]] = set()  # (method, URL) sent after a yes
        self.confirm = confirm_change  # tests answer for the person
        self._sent: tuple[str, str, str, str, str] | None = None  # the texts of the last call
        self._busy = False
        self._paging_now = False
        self._consenting = False
        self._controls_connected = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 14, 20, 14)
        outer.setSpacing(10)
        form_card = QFrame(self)
        form_card.setObjectName("card")
        # the form keeps its height; a small window takes room from the result instead
        form_card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        card = QVBoxLayout(form_card)
        card.setContentsMargins(18, 12, 18, 12)
        card.setSpacing(8)
        card.addWidget(muted(_(EXPLANATION), form_card))

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        self.method_box = QComboBox(form_card)
        self.method_box.addItems(METHODS)
        label_combo(self.method_box, _("Method"))
        self.method_box.setAccessibleDescription(_("The HTTP method: GET reads, the others change"))
        self.url_edit = QLineEdit(form_card)
        self.url_edit.setAccessibleName(_("Endpoint URL"))
        self.url_edit.setAccessibleDescription(_("The https:// address to call"))
        self.url_edit.setPlaceholderText("https://graph.microsoft.com/v1.0/me")
        self.url_edit.setClearButtonEnabled(True)
        name_clear_button(self.url_edit, _("Clear the endpoint URL"))
        where = QHBoxLayout()
        where.setSpacing(6)
        where.addWidget(self.method_box)
        where.addWidget(self.url_edit, 1)
        self.preset_box = QComboBox(form_card)
        self.preset_box.setPlaceholderText(_("Samples…"))
        label_combo(self.preset_box, _("Sample requests"))
        self.preset_box.setAccessibleDescription(_("Fills in the method, address, scopes and body"))
        self.preset_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.preset_box.setMaximumWidth(260)
        self.scopes_edit = QLineEdit(form_card)
        self.scopes_edit.setAccessibleName(_("Scopes"))
        self.scopes_edit.setAccessibleDescription(
            _("The permissions the API needs, separated by spaces")
        )
        self.scopes_edit.setPlaceholderText(_("User.Read"))
        self.call_button = QPushButton(_("Ca&ll"), form_card)
        self.call_button.setProperty("primary", True)
        self.call_button.setAccessibleName(_("Call the API"))
        self.call_button.setDefault(True)
        self.history_box = QComboBox(form_card)
        self.history_box.setPlaceholderText(_("Recent requests…"))
        label_combo(self.history_box, _("Recent requests"))
        self.history_box.setAccessibleDescription(_("Fills in a request made before"))
        self.history_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.history_box.setMaximumWidth(260)
        url_label = QLabel(_("Endpoint &URL"), form_card)
        url_label.setBuddy(self.url_edit)
        grid.addWidget(url_label, 0, 0)
        grid.addLayout(where, 0, 1)
        grid.addWidget(self.preset_box, 0, 2, alignment=Qt.AlignmentFlag.AlignLeft)
        scopes_label = QLabel(_("&Scopes"), form_card)
        scopes_label.setBuddy(self.scopes_edit)
        grid.addWidget(scopes_label, 1, 0)
        grid.addWidget(self.scopes_edit, 1, 1)
        grid.addWidget(self.history_box, 1, 2, alignment=Qt.AlignmentFlag.AlignLeft)
        self.editor = RequestEditor(form_card)
        grid.addWidget(self.editor, 2, 1)
        grid.addWidget(
            self.call_button, 2, 2, alignment=Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        )
        grid.setColumnStretch(1, 1)
        self.validation = plain_label("", form_card)
        self.validation.setObjectName("validation")
        self.validation.setAccessibleName(_("Problem with the request"))
        self.validation.hide()
        grid.addWidget(self.validation, 3, 1, 1, 2)
        card.addLayout(grid)

        row_layout = QHBoxLayout()
        self.status = plain_label(_("Not called yet."), form_card, selectable=True)
        self.status.setObjectName("status")
        self.status.setAccessibleName(_("Status"))
        row_layout.addWidget(self.status, 1)
        self.detail = muted("", form_card)
        self.detail.setAccessibleName(_("Response details"))
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setWordWrap(False)
        self.detail.hide()
        row_layout.addWidget(self.detail)
        card.addLayout(row_layout)
        outer.addWidget(form_card)

        self.banner = Banner(self)
        self.banner.setAccessibleName(_("Call problem"))
        for button, name in (
            (self.banner.action_button, _("Grant access")),
            (self.banner.copy_button, _("Copy the problem's details")),
            (self.banner.close_button, _("Dismiss the problem")),
        ):
            button.setAccessibleName(name)
        outer.addWidget(self.banner)
        self.waiting = QFrame(self)
        self.waiting.setObjectName("banner")
        self.waiting.setProperty("severity", "info")
        waiting_row = QHBoxLayout(self.waiting)
        waiting_row.setContentsMargins(14, 10, 10, 10)
        self.waiting_text = plain_label(
            _("Waiting for you to grant access in your browser…"), self.waiting
        )
        waiting_row.addWidget(self.waiting_text, 1)
        self.cancel_button = QPushButton(_("Cancel"), self.waiting)
        self.cancel_button.setAccessibleName(_("Cancel granting access"))
        waiting_row.addWidget(self.cancel_button)
        self.waiting.hide()
        outer.addWidget(self.waiting)

        result_card = QFrame(self)
        result_card.setObjectName("card")
        result_layout = QVBoxLayout(result_card)
        result_layout.setContentsMargins(16, 12, 16, 12)
        self.pages_row = QWidget(result_card)
        pages = QHBoxLayout(self.pages_row)
        pages.setContentsMargins(0, 0, 0, 0)
        self.pages_summary = plain_label("", self.pages_row)
        self.pages_summary.setAccessibleName(_("Pages read"))
        self.pages_progress = QProgressBar(self.pages_row)
        self.pages_progress.setAccessibleName(_("Pages read of the most Load all reads"))
        self.pages_progress.setMaximumWidth(160)
        self.pages_progress.setTextVisible(False)
        self.next_page_button = QPushButton(_("Load &next page"), self.pages_row)
        self.all_pages_button = QPushButton(_("Load &all"), self.pages_row)
        self.stop_pages_button = QPushButton(_("S&top"), self.pages_row)
        self.stop_pages_button.setAccessibleName(_("Stop loading pages"))
        pages.addWidget(self.pages_summary, 1)
        for widget in (
            self.pages_progress,
            self.next_page_button,
            self.all_pages_button,
            self.stop_pages_button,
        ):
            pages.addWidget(widget)
        self.pages_row.hide()
        result_layout.addWidget(self.pages_row)
        self.response = ResponseView(result_card)
        self.result = self.response.json
        result_layout.addWidget(self.response)
        outer.addWidget(result_card, 1)

        # the order people fill it in: how, where, with what, go (samples and history are
        # shortcuts)
        order = [
            self.method_box,
            self.url_edit,
            self.scopes_edit,
            self.editor.toggle,
            self.editor.tabs,
            self.editor.headers_edit,
            self.editor.body_edit,
            self.call_button,
            self.preset_box,
            self.history_box,
        ]
        for first, second in itertools.pairwise(order):
            self.setTabOrder(first, second)

        self.preset_box.activated.connect(self._choose_preset)
        self.history_box.activated.connect(self._choose_history)
        self.method_box.currentTextChanged.connect(self.editor.set_method)
        self.call_button.clicked.connect(self.call)
        self.url_edit.returnPressed.connect(self.call)
        self.scopes_edit.returnPressed.connect(self.call)
        self.url_edit.textEdited.connect(lambda _text: self._mark_invalid(""))
        self.scopes_edit.textEdited.connect(lambda _text: self._mark_invalid(""))
        self.editor.edited.connect(lambda: self._mark_invalid("", keep_focus=True))
        self.next_page_button.clicked.connect(lambda: self._load_pages(False))
        self.all_pages_button.clicked.connect(lambda: self._load_pages(True))
        self.stop_pages_button.clicked.connect(self._stop_pages)
        self.result.copied.connect(lambda what: self.detail.setText(f"Copied the {what}."))
        self._fill_history()
        self._update_enabled()

    # -- wiring ----------------------------------------------------------------------------------

    def attach(self, session: SessionController) -> None:
        self.session = session
        session.state_changed.connect(self._on_state)
        session.api_call_started.connect(self._on_started)
        session.api_answered.connect(self.show_response)
        session.api_failed.connect(self.show_failure)
        session.api_consent_waiting.connect(self._on_consent_waiting)
        session.api_paging.connect(self.show_paging)
        if not self._controls_connected:  # once: attach runs again when new settings apply
            self._controls_connected = True
            self.banner.action_requested.connect(self._grant)
            self.cancel_button.clicked.connect(self._cancel_consent)
        self._on_state(session.state)

    def _cancel_consent(self) -> None:
        if self.session is not None:
            self.session.cancel_api_consent()

    def _on_state(self, state: State) -> None:
        if not self._presets and self.session is not None and self.session.setup is not None:
            self._load_presets()
        if state not in CAN_CALL:
            self._busy = False
            self._paging_now = False
        if state is State.SIGNED_OUT and self.status.text() != _("Not called yet."):
            # signed out, or another account next: the answer was for the one who left
            self._forget_answer(_("Not called yet."))
        self._update_enabled()

    def _bases(self) -> dict[str, str]:
        setup = self.session.setup if self.session is not None else None
        return dict(setup.api_bases) if setup is not None else {}

    def _load_presets(self) -> None:
        setup = self.session.setup if self.session is not None else None
        assert setup is not None
        self._presets = list(setup.api_presets)
        self.preset_box.clear()
        for preset in self._presets:
            self.preset_box.addItem(preset.name)
        self.preset_box.setCurrentIndex(-1)
        self._fill_history()
        if self.url_edit.text():
            return
        url = str(self._settings.value(SETTINGS_URL, "") or "")
        remembered = from_template(url, setup.api_bases) if url else None
        scopes = str(self._settings.value(SETTINGS_SCOPES, "") or "")
        method = str(self._settings.value(SETTINGS_METHOD, "GET") or "GET")
        if remembered and scopes:
            self._fill(method if method in METHODS else "GET", remembered, scopes, "", "")
        elif self._presets:
            self._choose_preset(0)

    def _fill(self, method: str, url: str, scopes: str, headers: str, body: str) -> None:
        self.method_box.setCurrentText(method)
        self.url_edit.setText(url)
        self.scopes_edit.setText(scopes)
        self.editor.set_request(headers, body)
        self._mark_invalid("")

    def _choose_preset(self, index: int) -> None:
        if 0 <= index < len(self._presets):
            preset = self._presets[index]
            self.preset_box.setCurrentIndex(index)
            self._fill(preset.method, preset.url, " ".join(preset.scopes), "", preset.body)

    def _fill_history(self) -> None:
        """The recent requests whose address is known now (a sandbox of another run is not)."""
        bases = self._bases()
        self._shown_history = [
            (entry, url)
            for entry in self._history
            if (url := from_template(entry.url, bases)) is not None
        ]
        self.history_box.clear()
        for entry, url in self._shown_history:
            self.history_box.addItem(shown(entry.label(url), one_line=True, limit=300))
        self.history_box.setCurrentIndex(-1)
        self.history_box.setEnabled(bool(self._shown_history))

    def _choose_history(self, index: int) -> None:
        if 0 <= index < len(self._shown_history):
            entry, url = self._shown_history[index]
            self._fill(entry.method, url, entry.scopes, entry.headers, entry.body)
            self.history_box.setCurrentIndex(-1)

    def _update_enabled(self) -> None:
        session = self.session
        signed_in = session is not None and session.state in CAN_CALL
        self.call_button.setEnabled(signed_in and not self._busy and not self._consenting)
        self.call_button.setToolTip("" if signed_in else _("Sign in first"))

    # -- calling ---------------------------------------------------------------------------------

    def call(self) -> None:
        session = self.session
        if session is None or not self.call_button.isEnabled():
            return
        self._mark_invalid("")
        texts = (  # in check_api_request's order
            self.url_edit.text(),
            self.scopes_edit.text(),
            self.method_box.currentText(),
            self.editor.headers_text(),
            self.editor.body_text(),
        )
        # the session checks the request (api_request.validate_request): a bad field comes back
        # as api_failed (show_failure marks it) and None here
        request = session.check_api_request(*texts)
        if request is None:
            return
        if request.changes_something and (request.method, request.url) not in self._confirmed:
            if not self.confirm(self, request):
                self._set_status(
                    _("Not sent: {method} was cancelled.").format(method=request.method), ""
                )
                return
            self._confirmed.add((request.method, request.url))
        self._sent = texts
        session.send_api_request(request)

    def _remember(self, request: ApiRequest) -> None:
        bases = self._bases()
        self._settings.setValue(SETTINGS_URL, to_template(request.url, bases))
        self._settings.setValue(SETTINGS_SCOPES, " ".join(request.scopes))
        self._settings.setValue(SETTINGS_METHOD, request.method)

    def _add_history(self, status: int) -> None:
        if self._sent is None:
            return
        url, scopes, method, headers, body = self._sent
        self._sent = None
        new = api_history.entry(
            method.upper(), to_template(url.strip(), self._bases()), scopes, headers, body, status
        )
        self._history = api_history.add(self._history, new)
        self._settings.setValue(SETTINGS_HISTORY, api_history.to_json(self._history))
        self._fill_history()

    def _mark_invalid(self, field: str, message: str = "", keep_focus: bool = False) -> None:
        for name, edit in (("url", self.url_edit), ("scopes", self.scopes_edit)):
            _restyle(edit, "invalid", name == field)
        if not keep_focus or field:
            self.editor.mark_invalid(field)
        self.validation.setText(message)
        self.validation.setVisible(bool(message))
        if field == "url":
            self.url_edit.setFocus()
        elif field == "scopes":
            self.scopes_edit.setFocus()
        elif field == "method":
            self.method_box.setFocus()

    def _on_started(self, request: ApiRequest) -> None:
        self._remember(request)
        self._busy = True
        self._update_enabled()
        self._forget_answer(_("Calling {host}…").format(host=request.host))

    def _forget_answer(self, status: str) -> None:
        """A new request, or nobody to call as: the last answer is not this one's, so it goes
        (status line, details, banner, result, pages) rather than sit under a new outcome."""
        self.banner.hide()
        self._set_status(status, "")
        self.detail.setText("")
        self.detail.hide()
        self.response.clear()
        self.pages_row.hide()

    def _set_status(self, text: str, outcome: str) -> None:
        self.status.setText(text)
        _restyle(self.status, "outcome", outcome)

    def show_response(self, response: ApiResponse) -> None:
        self._busy = False
        self._update_enabled()
        self._add_history(response.status)
        line = response.status_line()
        if response.request.method != "GET":
            line = f"{response.request.method} · {line}"
        self._set_status(line, "ok" if response.ok else "error")
        details = [response.content_type or _("no content type")]
        if response.final_url != response.request.url:
            details.append(f"redirected to {response.final_url}")
        if response.truncated:
            details.append("only the start is shown: the answer is too large to read as JSON")
        location = response.header("location")
        if location and response.status == 201:
            details.append(f"created: {location}")
        self.detail.setText(" · ".join(details))
        self.detail.show()
        self.pages_row.hide()
        self.response.show_response(response)
        if response.problem is not None:
            self.banner.show_error(response.problem, "error")
        else:
            self.banner.hide()

    def show_paging(self, paging: Paging) -> None:
        """The pages of a collection read so far, as one document, and what can be read next."""
        self._paging_now = paging.loading
        self.pages_row.show()
        text = paging.summary
        if paging.refused:
            text = f"{text}. {paging.refused}"
        self.pages_summary.setText(text)
        self.pages_progress.setVisible(paging.loading_all)
        self.pages_progress.setRange(0, paging.cap)
        self.pages_progress.setValue(min(paging.pages, paging.cap))
        self.next_page_button.setEnabled(paging.can_load_more and not paging.loading)
        self.all_pages_button.setEnabled(paging.can_load_more and not paging.loading)
        self.all_pages_button.setToolTip(
            _("Reads every page, at most {cap}").format(cap=paging.cap)
        )
        self.stop_pages_button.setVisible(paging.loading)
        # while Load all runs the progress bar says how far; the body is redrawn (and its raw
        # text written) once at the end, not for every page of up to 5,000 items
        if paging.pages > 1 and not paging.loading_all:
            raw = json.dumps(paging.document, indent=2, ensure_ascii=False)
            self.response.show_document(paging.document, raw, True)
        if not paging.loading and self.stop_pages_button.hasFocus():
            self.next_page_button.setFocus()

    def _load_pages(self, all_pages: bool) -> None:
        if self.session is not None:
            self.banner.hide()
            self.session.load_more_api_pages(all_pages)
            if self._paging_now:
                self.stop_pages_button.setFocus()

    def _stop_pages(self) -> None:
        if self.session is not None:
            self.session.stop_api_paging()

    def show_failure(self, failure: ApiFailure) -> None:
        self._busy = False
        self._update_enabled()
        if failure.field:
            # the message is beside the field; the answer below was to another request
            self._forget_answer(_("Not called: the request needs a change."))
            self._mark_invalid(failure.field, failure.error.message)
            return
        error: LanyardError = failure.error
        if failure.keeps_answer:  # a later page: the pages read stay, the problem above them
            self.banner.show_error(error, "error")
            return
        self._add_history(0)
        self._forget_answer("")
        # the status line says what happened; the banner below says why, once
        host = failure.request.host if failure.request is not None else ""
        self._set_status(
            _("The call to {host} did not complete.").format(host=host)
            if host
            else _("Not called."),
            "error",
        )
        if failure.can_grant:
            self.banner.show_error(error, "warning", action=_("Grant access"))
        else:
            self.banner.show_error(error, "error")

    def _grant(self) -> None:
        if self.session is not None:
            self.banner.hide()
            self.session.grant_api_access()

    def _on_consent_waiting(self, waiting: bool) -> None:
        self._consenting = waiting
        self.waiting.setVisible(waiting)
        self.waiting.style().unpolish(self.waiting)
        self.waiting.style().polish(self.waiting)
        if waiting:
            self._set_status(_("Waiting for the browser…"), "")
            self.cancel_button.setFocus()
        elif self.status.text() == _("Waiting for the browser…"):
            self._set_status(_("Access was not granted."), "")
        self._update_enabled()
