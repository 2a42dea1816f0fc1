"""The "Call an API" panel: an endpoint and its scopes, Call, the status line and the result.

It talks to SessionController only (``attach``). Extra consent is asked for only when an API
needs it: the session tries silently first and, when the identity provider says a person must
agree, the panel offers "Grant access" (it never opens the browser by itself).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import LanyardError
from desktop_app.graph.api_call import (
    ApiFailure,
    ApiPreset,
    ApiRequest,
    ApiResponse,
    from_template,
    to_template,
)
from desktop_app.session.controller import SessionController
from desktop_app.session.state import MAY_CALL_API, State
from desktop_app.ui.banner import Banner
from desktop_app.ui.json_view import JsonView
from desktop_app.ui.widgets import muted, plain_label

EXPLANATION = (
    "Lanyard calls the API as you, with a token for these scopes. It asks for more permissions "
    "only when an API needs them, and only when you select Grant access."
)
SETTINGS_URL = "api_call/url"
SETTINGS_SCOPES = "api_call/scopes"
CAN_CALL = MAY_CALL_API


def _restyle(widget: QWidget, name: str, value: object) -> None:
    widget.setProperty(name, value)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class ApiPanel(QWidget):
    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        # its colours (invalid field, status) are in ui/style.py, light and dark
        # where the last endpoint and scopes are remembered (tests pass their own)
        self._settings = settings if settings is not None else QSettings()
        self.session: SessionController | None = None
        self._presets: list[ApiPreset] = []
        self._busy = False
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
        card.addWidget(muted(EXPLANATION, form_card))

        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        self.url_edit = QLineEdit(form_card)
        self.url_edit.setAccessibleName("Endpoint URL")
        self.url_edit.setAccessibleDescription("The https:// address to call with GET")
        self.url_edit.setPlaceholderText("https://graph.microsoft.com/v1.0/me")
        self.url_edit.setClearButtonEnabled(True)
        self.preset_box = QComboBox(form_card)
        self.preset_box.setPlaceholderText("Presets…")
        self.preset_box.setAccessibleName("Preset")
        self.preset_box.setAccessibleDescription("Fills in the endpoint URL and its scopes")
        self.preset_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.preset_box.setMaximumWidth(260)
        self.scopes_edit = QLineEdit(form_card)
        self.scopes_edit.setAccessibleName("Scopes")
        self.scopes_edit.setAccessibleDescription(
            "The permissions the API needs, separated by spaces"
        )
        self.scopes_edit.setPlaceholderText("User.Read")
        self.call_button = QPushButton("Ca&ll", form_card)
        self.call_button.setProperty("primary", True)
        self.call_button.setAccessibleName("Call the API")
        self.call_button.setDefault(True)
        for row, (text, field, extra) in enumerate(
            (
                ("Endpoint &URL", self.url_edit, self.preset_box),
                ("&Scopes", self.scopes_edit, self.call_button),
            )
        ):
            label = QLabel(text, form_card)
            label.setBuddy(field)
            grid.addWidget(label, row, 0)
            grid.addWidget(field, row, 1)
            grid.addWidget(extra, row, 2, alignment=Qt.AlignmentFlag.AlignLeft)
        grid.setColumnStretch(1, 1)
        self.validation = plain_label("", form_card)
        self.validation.setObjectName("validation")
        self.validation.setAccessibleName("Problem with the request")
        self.validation.hide()
        grid.addWidget(self.validation, 2, 1, 1, 2)
        card.addLayout(grid)

        row_layout = QHBoxLayout()
        self.status = plain_label("Not called yet.", form_card, selectable=True)
        self.status.setObjectName("status")
        self.status.setAccessibleName("Status")
        row_layout.addWidget(self.status, 1)
        self.detail = muted("", form_card)
        self.detail.setAccessibleName("Response details")
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setWordWrap(False)
        self.detail.hide()
        row_layout.addWidget(self.detail)
        card.addLayout(row_layout)
        outer.addWidget(form_card)

        self.banner = Banner(self)
        self.banner.setAccessibleName("Call problem")
        for button, name in (
            (self.banner.action_button, "Grant access"),
            (self.banner.copy_button, "Copy the problem's details"),
            (self.banner.close_button, "Dismiss the problem"),
        ):
            button.setAccessibleName(name)
        outer.addWidget(self.banner)
        self.waiting = QFrame(self)
        self.waiting.setObjectName("banner")
        self.waiting.setProperty("severity", "info")
        waiting_row = QHBoxLayout(self.waiting)
        waiting_row.setContentsMargins(14, 10, 10, 10)
        self.waiting_text = plain_label(
            "Waiting for you to grant access in your browser…", self.waiting
        )
        waiting_row.addWidget(self.waiting_text, 1)
        self.cancel_button = QPushButton("Cancel", self.waiting)
        self.cancel_button.setAccessibleName("Cancel granting access")
        waiting_row.addWidget(self.cancel_button)
        self.waiting.hide()
        outer.addWidget(self.waiting)

        result_card = QFrame(self)
        result_card.setObjectName("card")
        result_layout = QVBoxLayout(result_card)
        result_layout.setContentsMargins(16, 12, 16, 12)
        self.result = JsonView(result_card)
        result_layout.addWidget(self.result)
        outer.addWidget(result_card, 1)

        # the order people fill it in: where, with what, go (the presets are a shortcut)
        self.setTabOrder(self.url_edit, self.scopes_edit)
        self.setTabOrder(self.scopes_edit, self.call_button)
        self.setTabOrder(self.call_button, self.preset_box)

        self.preset_box.activated.connect(self._choose_preset)
        self.call_button.clicked.connect(self.call)
        self.url_edit.returnPressed.connect(self.call)
        self.scopes_edit.returnPressed.connect(self.call)
        self.url_edit.textEdited.connect(lambda _text: self._mark_invalid(""))
        self.scopes_edit.textEdited.connect(lambda _text: self._mark_invalid(""))
        self.result.copied.connect(lambda what: self.detail.setText(f"Copied the {what}."))
        self._update_enabled()

    # -- wiring ----------------------------------------------------------------------------------

    def attach(self, session: SessionController) -> None:
        self.session = session
        session.state_changed.connect(self._on_state)
        session.api_call_started.connect(self._on_started)
        session.api_answered.connect(self.show_response)
        session.api_failed.connect(self.show_failure)
        session.api_consent_waiting.connect(self._on_consent_waiting)
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
        if state is State.SIGNED_OUT and self.status.text() != "Not called yet.":
            # signed out, or another account next: the answer was for the one who left
            self._forget_answer("Not called yet.")
        self._update_enabled()

    def _load_presets(self) -> None:
        setup = self.session.setup if self.session is not None else None
        assert setup is not None
        self._presets = list(setup.api_presets)
        self.preset_box.clear()
        for preset in self._presets:
            self.preset_box.addItem(preset.name)
        self.preset_box.setCurrentIndex(-1)
        if self.url_edit.text():
            return
        bases = setup.api_bases
        url = str(self._settings.value(SETTINGS_URL, "") or "")
        remembered = from_template(url, bases) if url else None
        scopes = str(self._settings.value(SETTINGS_SCOPES, "") or "")
        if remembered and scopes:
            self.url_edit.setText(remembered)
            self.scopes_edit.setText(scopes)
        elif self._presets:
            self._choose_preset(0)

    def _choose_preset(self, index: int) -> None:
        if 0 <= index < len(self._presets):
            preset = self._presets[index]
            self.preset_box.setCurrentIndex(index)
            self.url_edit.setText(preset.url)
            self.scopes_edit.setText(" ".join(preset.scopes))
            self._mark_invalid("")

    def _update_enabled(self) -> None:
        session = self.session
        signed_in = session is not None and session.state in CAN_CALL
        self.call_button.setEnabled(signed_in and not self._busy and not self._consenting)
        self.call_button.setToolTip("" if signed_in else "Sign in first")

    # -- calling ---------------------------------------------------------------------------------

    def call(self) -> None:
        session = self.session
        if session is None or not self.call_button.isEnabled():
            return
        self._mark_invalid("")
        # the session checks the request (api_call.validate_request) and answers at once: a bad
        # field comes back as api_failed (show_failure marks it), a good request as
        # api_call_started with the checked ApiRequest (_on_started remembers it)
        session.call_api(self.url_edit.text(), self.scopes_edit.text())

    def _remember(self, request: ApiRequest) -> None:
        setup = self.session.setup if self.session is not None else None
        bases = setup.api_bases if setup is not None else {}
        self._settings.setValue(SETTINGS_URL, to_template(request.url, bases))
        self._settings.setValue(SETTINGS_SCOPES, " ".join(request.scopes))

    def _mark_invalid(self, field: str, message: str = "") -> None:
        for name, edit in (("url", self.url_edit), ("scopes", self.scopes_edit)):
            _restyle(edit, "invalid", name == field)
        self.validation.setText(message)
        self.validation.setVisible(bool(message))
        if field == "url":
            self.url_edit.setFocus()
        elif field == "scopes":
            self.scopes_edit.setFocus()

    def _on_started(self, request: ApiRequest) -> None:
        self._remember(request)
        self._busy = True
        self._update_enabled()
        self._forget_answer(f"Calling {request.host}…")

    def _forget_answer(self, status: str) -> None:
        """A new request, or nobody to call as: the last answer is not this one's, so it goes
        (status line, details, banner, result) rather than sit under a new outcome."""
        self.banner.hide()
        self._set_status(status, "")
        self.detail.setText("")
        self.detail.hide()
        self.result.clear()

    def _set_status(self, text: str, outcome: str) -> None:
        self.status.setText(text)
        _restyle(self.status, "outcome", outcome)

    def show_response(self, response: ApiResponse) -> None:
        self._busy = False
        self._update_enabled()
        self._set_status(response.status_line(), "ok" if response.ok else "error")
        details = [response.content_type or "no content type"]
        if response.final_url != response.request.url:
            details.append(f"redirected to {response.final_url}")
        if response.truncated:
            details.append("only the start is shown: the answer is too large to read as JSON")
        self.detail.setText(" · ".join(details))
        self.detail.show()
        self.result.set_document(response.document, response.text, response.is_json)
        if response.problem is not None:
            self.banner.show_error(response.problem, "error")
        else:
            self.banner.hide()

    def show_failure(self, failure: ApiFailure) -> None:
        self._busy = False
        self._update_enabled()
        if failure.field:
            # the message is beside the field; the answer below was to another request
            self._forget_answer("Not called: the request needs a change.")
            self._mark_invalid(failure.field, failure.error.message)
            return
        error: LanyardError = failure.error
        self._forget_answer("")
        # the status line says what happened; the banner below says why, once
        host = failure.request.host if failure.request is not None else ""
        self._set_status(
            f"The call to {host} did not complete." if host else "Not called.", "error"
        )
        if failure.can_grant:
            self.banner.show_error(error, "warning", action="Grant access")
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
            self._set_status("Waiting for the browser…", "")
            self.cancel_button.setFocus()
        elif self.status.text() == "Waiting for the browser…":
            self._set_status("Access was not granted.", "")
        self._update_enabled()
