"""The "Call an API" panel end to end: real widgets, a real SessionController, real msal and
requests against the sandbox, and the stand-in browser for the consent a new API needs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QTreeWidgetItem, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.auth.browser import open_browser
from desktop_app.core.config import Config
from desktop_app.graph.api_call import TOKEN_PLACEHOLDER, ApiRequest, validate_request
from desktop_app.sandbox import Sandbox, directory
from desktop_app.sandbox.faults import FaultSpec
from desktop_app.session import api_calls as api_calls_module
from desktop_app.session.controller import SessionController
from desktop_app.session.state import State
from desktop_app.ui import api_panel as api_panel_module
from desktop_app.ui.api_panel import SETTINGS_SCOPES, SETTINGS_URL, ApiPanel
from desktop_app.ui.json_view import KEY, VALUE, NodeItem
from desktop_app.ui.main_window import MainWindow
from tests.support.window_driver import TIMEOUT_MS, sign_in

Opener = Callable[..., tuple[MainWindow, SessionController]]


class Browser:
    """The system browser as Lanyard launches it, with the URLs it was asked to open."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        return open_browser(url)


def signed_in_panel(
    qtbot: QtBot,
    tmp_path: Path,
    open_window: Opener,
    standin_browser,  # type: ignore[no-untyped-def]
    user: str,
) -> tuple[ApiPanel, SessionController, Browser, Sandbox]:
    """Lanyard as `--sandbox` runs it (its own sandbox, so the Orders API is a preset), signed in
    as ``user``, with the panel attached."""
    standin_browser("", user)  # the sign-in pages are plain HTTP on loopback in this mode
    browser = Browser()
    config = Config(sandbox=True, profile_dir=tmp_path / "profile")
    window, session = open_window(config, launch_browser=browser)
    sign_in(qtbot, window, session)
    assert session.services is not None and session.services.sandbox is not None
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    panel = ApiPanel(settings=settings)
    qtbot.addWidget(panel)
    panel.attach(session)
    panel.resize(900, 700)
    panel.show()
    browser.urls.clear()  # the sign-in's
    return panel, session, browser, session.services.sandbox


def rows(panel: ApiPanel) -> dict[str, QTreeWidgetItem]:
    tree = panel.result.tree
    found = {}
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        if item is not None:
            found[item.text(KEY)] = item
    return found


def call(qtbot: QtBot, panel: ApiPanel, status: str) -> None:
    qtbot.mouseClick(panel.call_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status.text().startswith(status), timeout=TIMEOUT_MS)


def authorize_requests(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests() if str(r["path"]).endswith("/oauth2/v2.0/authorize"))


def test_graph_me_by_default_shows_the_json_and_is_remembered(
    qtbot: QtBot, tmp_path: Path, open_window, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    panel, session, _, sandbox = signed_in_panel(
        qtbot, tmp_path, open_window, standin_browser, directory.ADMIN_UPN
    )
    assert panel.url_edit.text() == f"{sandbox.info.graph_endpoint}/me"
    assert panel.scopes_edit.text() == "User.Read"
    # Graph's samples (/me, memberOf, getMemberObjects, organization, manager, photo) and the
    # sandbox's Orders API (read; place an order)
    assert panel.preset_box.count() == 8
    call(qtbot, panel, "200 OK")
    assert " ms · " in panel.status.text() and "request-id " in panel.status.text()
    assert panel.detail.text().startswith("application/json")
    found = rows(panel)
    assert found["displayName"].text(VALUE) == "Megan Bowen"
    assert found["userPrincipalName"].text(VALUE) == directory.ADMIN_UPN
    assert found["businessPhones"].text(VALUE) == "[ 1 item ]"
    assert not panel.banner.isVisible()
    assert panel.call_button.isEnabled()
    settings = panel._settings
    assert settings.value(SETTINGS_URL) == "{graph}/me"  # survives the sandbox's next port
    assert settings.value(SETTINGS_SCOPES) == "User.Read"
    tokens = [t["value"] for t in sandbox.issued_tokens() if t["kind"] == "access"]
    assert not any(token in panel.result.raw_text.toPlainText() for token in tokens)

    # a second panel (next start) fills in what was called last
    again = ApiPanel(settings=settings)
    qtbot.addWidget(again)
    again.attach(session)
    assert again.url_edit.text() == f"{sandbox.info.graph_endpoint}/me"


def test_the_second_api_asks_for_consent_once_then_calls_without_it(
    qtbot: QtBot, tmp_path: Path, open_window, standin_browser, app_logging, caplog
) -> None:  # type: ignore[no-untyped-def]
    user = directory.READER_UPN
    panel, session, browser, sandbox = signed_in_panel(
        qtbot, tmp_path, open_window, standin_browser, user
    )
    orders = next(i for i, p in enumerate(panel._presets) if p.name.endswith("my orders"))
    panel.preset_box.setCurrentIndex(orders)
    panel.preset_box.activated.emit(orders)
    assert panel.url_edit.text() == f"{sandbox.info.api_endpoint}/orders"
    assert panel.scopes_edit.text() == sandbox.info.api_scope
    before = authorize_requests(sandbox)

    call(qtbot, panel, "The call to")
    assert panel.banner.isVisible()
    assert panel.banner.message.text().startswith("This API needs your consent first")
    assert panel.banner.action_button.text() == "Grant access"
    assert browser.urls == []  # offered, not opened
    assert authorize_requests(sandbox) == before

    waiting: list[bool] = []
    session.api_consent_waiting.connect(waiting.append)
    qtbot.mouseClick(panel.banner.action_button, Qt.MouseButton.LeftButton)
    assert panel.waiting.isVisible()
    assert not panel.call_button.isEnabled()
    qtbot.waitUntil(lambda: panel.status.text().startswith("200 OK"), timeout=TIMEOUT_MS)
    assert waiting == [True, False]
    assert not panel.waiting.isVisible()
    found = rows(panel)
    assert found["owner"].text(VALUE) == user
    assert found["value"].text(VALUE) == "[ 3 items ]"
    # the browser asked for just the API's scope, as the same account
    query = parse_qs(urlsplit(browser.urls[0]).query)
    assert query["login_hint"] == [user]
    assert sandbox.info.api_scope in query["scope"][0].split()
    assert "User.Read" not in query["scope"][0].split()
    assert session.account is not None and session.account.username == user

    # a second call needs no consent, no browser and no sign-in page
    after = authorize_requests(sandbox)
    call(qtbot, panel, "Calling")
    qtbot.waitUntil(lambda: panel.status.text().startswith("200 OK"), timeout=TIMEOUT_MS)
    assert authorize_requests(sandbox) == after
    assert len(browser.urls) == 1
    assert not panel.banner.isVisible()

    # no token or authorization code reached the log (verbose, msal's included)
    log_text = app_logging.read_text() + caplog.text
    assert "Calling an API on" in log_text
    secrets = [t["value"] for t in sandbox.issued_tokens()]
    assert secrets and not [s[:12] for s in secrets if s in log_text]


def test_api_errors_are_shown_plainly_with_their_details(
    qtbot: QtBot, tmp_path: Path, open_window, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    panel, session, _, sandbox = signed_in_panel(
        qtbot, tmp_path, open_window, standin_browser, directory.ADMIN_UPN
    )
    panel.url_edit.setText(f"{sandbox.info.api_endpoint}/orders")
    panel.scopes_edit.setText(sandbox.info.api_scope)
    call(qtbot, panel, "The call to")  # a new sandbox: the API needs consent first
    qtbot.mouseClick(panel.banner.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.status.text().startswith("200 OK"), timeout=TIMEOUT_MS)

    expected = {
        403: ("you do not have permission (Authorization_RequestDenied)", "administrator"),
        429: ("is throttling requests", "Wait 7 s and call it again."),
        500: ("is having problems (HTTP 500)", "Wait a little and call it again."),
    }
    for status, (message, recommendation) in expected.items():
        sandbox.add_fault(FaultSpec("api", status=status, retry_after=7 if status == 429 else None))
        call(qtbot, panel, str(status))
        assert panel.status.property("outcome") == "error"
        assert panel.banner.isVisible()
        assert message in panel.banner.message.text()
        assert panel.banner.message.text().startswith("Calling the API failed:")
        assert recommendation in panel.banner.recommendation.text()
        assert panel.banner.copy_button.isVisible()  # status, code, request-id for support
        assert rows(panel)["error"].text(VALUE) == "{ 3 keys }"  # the body is shown too

    panel.url_edit.setText(f"{sandbox.info.api_endpoint}/orders/SO-404")
    call(qtbot, panel, "404 Not Found")
    assert "There is no order 'SO-404'." in panel.banner.message.text()
    error = rows(panel)["error"]
    panel.result.tree.expandItem(error)
    assert {error.child(i).text(KEY) for i in range(error.childCount())} == {
        "code",
        "message",
        "innerError",
    }

    # no answer at all: the API's host does not listen (a network error, shown the same way)
    sandbox.add_fault(FaultSpec("api", reset=True))
    call(qtbot, panel, "The call to")
    assert "could not be reached" in panel.banner.message.text()
    assert session.state.name == "SIGNED_IN"  # the session itself is untouched


def test_html_in_a_json_value_stays_literal_text(
    qtbot: QtBot, tmp_path: Path, open_window, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    panel, _, _, _ = signed_in_panel(
        qtbot, tmp_path, open_window, standin_browser, directory.HOSTILE_UPN
    )
    call(qtbot, panel, "200 OK")
    hostile = directory.Directory().user(directory.HOSTILE_UPN)
    assert hostile is not None
    found = rows(panel)
    assert found["displayName"].text(VALUE) == hostile.display_name
    assert found["jobTitle"].text(VALUE) == hostile.job_title
    phones = found["businessPhones"]
    panel.result.tree.expandItem(phones)
    assert phones.child(1).text(VALUE) == "<a href='javascript:alert(1)'>call</a>"
    assert isinstance(phones.child(1), NodeItem)
    # every label on the panel is plain text
    for label in panel.findChildren(QLabel):
        if label.buddy() is None:  # the field captions carry a mnemonic, nothing untrusted
            assert label.textFormat() == Qt.TextFormat.PlainText, label.objectName()


@pytest.mark.parametrize(
    ("url", "scopes", "field", "message"),
    [
        ("http://{host}/v1.0/me", "User.Read", "url", "Endpoint URL: an https:// address"),
        ("https://{host}/v1.0/me", " ", "scopes", "Scopes: name at least one"),
        ("https://example.com/steal", "User.Read", "url", "is only sent to"),
    ],
)
def test_validation_names_the_field_and_sends_nothing(
    qtbot: QtBot,
    tmp_path: Path,
    open_window,
    standin_browser,
    url: str,
    scopes: str,
    field: str,
    message: str,
) -> None:  # type: ignore[no-untyped-def]
    panel, session, _, sandbox = signed_in_panel(
        qtbot, tmp_path, open_window, standin_browser, directory.NO_ROLES_UPN
    )
    started: list[object] = []
    session.api_call_started.connect(started.append)
    host = urlsplit(sandbox.info.graph_endpoint).netloc
    panel.url_edit.setText(url.format(host=host))
    panel.scopes_edit.setText(scopes)
    panel.scopes_edit.setFocus()
    qtbot.keyClick(panel.scopes_edit, Qt.Key.Key_Return)  # Enter calls, like the button
    assert panel.validation.isVisible()
    assert message in panel.validation.text()
    edit = panel.url_edit if field == "url" else panel.scopes_edit
    assert edit.property("invalid") is True
    assert panel.focusWidget() is edit  # the bad field is where the cursor goes
    qtbot.wait(200)
    assert started == []
    qtbot.keyClicks(edit, "x")  # typing clears the mark
    assert edit.property("invalid") is False
    assert not panel.validation.isVisible()


def test_the_request_is_checked_once_and_the_checked_one_is_what_is_called(
    qtbot: QtBot, tmp_path: Path, open_window, standin_browser, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    panel, session, _, sandbox = signed_in_panel(
        qtbot, tmp_path, open_window, standin_browser, directory.NO_ROLES_UPN
    )
    checked: list[ApiRequest] = []

    def counting(url: str, scopes: str, graph_endpoint: str, *more: str) -> ApiRequest:
        checked.append(validate_request(url, scopes, graph_endpoint, *more))
        return checked[-1]

    monkeypatch.setattr(api_calls_module, "validate_request", counting)
    assert not hasattr(api_panel_module, "validate_request")  # the panel leaves it to the session
    started: list[ApiRequest] = []
    session.api_call_started.connect(started.append)
    panel.url_edit.setText(f"  {sandbox.info.graph_endpoint}/me ")
    panel.scopes_edit.setText("User.Read, User.Read")
    call(qtbot, panel, "200 OK")
    assert len(checked) == 1
    assert started == checked  # the checked request is what flows on
    assert checked[0].scopes == ("User.Read",)
    assert panel._settings.value(SETTINGS_URL) == "{graph}/me"  # remembered as checked
    assert panel._settings.value(SETTINGS_SCOPES) == "User.Read"


def test_grant_access_can_be_cancelled_and_quitting_while_waiting_is_clean(
    qtbot: QtBot, tmp_path: Path, open_window, standin_browser, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    user = directory.OVERAGE_UPN
    panel, session, browser, sandbox = signed_in_panel(
        qtbot, tmp_path, open_window, standin_browser, user
    )
    monkeypatch.setenv("BROWSER", "true")  # "opens" and never comes back, like a closed tab
    panel.url_edit.setText(f"{sandbox.info.api_endpoint}/orders")
    panel.scopes_edit.setText(sandbox.info.api_scope)
    call(qtbot, panel, "The call to")
    qtbot.mouseClick(panel.banner.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(browser.urls) == 1, timeout=TIMEOUT_MS)
    assert panel.waiting.isVisible()
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert not panel.waiting.isVisible()
    assert not session.api_consent_pending
    assert panel.status.text() == "Access was not granted."
    assert panel.call_button.isEnabled()

    # waiting again, then the window closes: shutdown (the fixture) ends within its bound
    call(qtbot, panel, "The call to")
    qtbot.mouseClick(panel.banner.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(browser.urls) == 2, timeout=TIMEOUT_MS)
    assert session.api_consent_pending


def test_the_token_is_never_shown_even_when_echoed(
    qtbot: QtBot, tmp_path: Path, open_window, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    panel, _, _, sandbox = signed_in_panel(
        qtbot, tmp_path, open_window, standin_browser, directory.ADMIN_UPN
    )
    call(qtbot, panel, "200 OK")
    raw = panel.result.raw_text.toPlainText()
    assert TOKEN_PLACEHOLDER not in raw  # Graph echoes nothing: nothing to remove
    tokens = [t["value"] for t in sandbox.issued_tokens()]
    texts = [panel.status.text(), panel.detail.text(), raw, panel.banner.message.text()]
    assert not any(token in text for token in tokens for text in texts)


def test_access_granted_as_another_account_is_refused_with_a_way_out(
    qtbot: QtBot, tmp_path: Path, open_window, standin_browser, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    panel, session, _, sandbox = signed_in_panel(
        qtbot, tmp_path, open_window, standin_browser, directory.READER_UPN
    )
    panel.url_edit.setText(f"{sandbox.info.api_endpoint}/orders")
    panel.scopes_edit.setText(sandbox.info.api_scope)
    call(qtbot, panel, "The call to")
    monkeypatch.setenv("STANDIN_USER", directory.ADMIN_UPN)  # the person picks someone else
    qtbot.mouseClick(panel.banner.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: panel.banner.message.text().startswith("Access was granted as"),
        timeout=TIMEOUT_MS,
    )
    assert directory.ADMIN_UPN in panel.banner.message.text()
    assert f"choose {directory.READER_UPN}" in panel.banner.recommendation.text()
    assert panel.banner.action_button.text() == "Grant access"  # try again, as the right one
    assert not panel.waiting.isVisible()
    assert session.account is not None and session.account.username == directory.READER_UPN
    assert not panel.status.text().startswith("200")


def test_controls_have_names_a_tab_order_and_need_a_session(qtbot: QtBot, tmp_path: Path) -> None:
    panel = ApiPanel(settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(panel)
    panel.show()
    # headers and body folded away: Tab goes past their button to Call
    controls = [
        panel.method_box,
        panel.url_edit,
        panel.scopes_edit,
        panel.editor.toggle,
        panel.call_button,
        panel.preset_box,
    ]
    for control in [*controls, panel.cancel_button, panel.banner.close_button, panel.status]:
        assert control.accessibleName(), control
    # what Tab visits, from the method on: widgets that take focus by Tab, in the focus chain
    chain: list[QWidget] = [panel.method_box]
    widget = panel.method_box.nextInFocusChain()
    while len(chain) < len(controls) and widget is not panel.method_box:
        if widget.isVisible() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            chain.append(widget)
        widget = widget.nextInFocusChain()
    assert chain == controls
    assert not panel.call_button.isEnabled()
    assert panel.call_button.toolTip() == "Sign in first"
    panel.call()  # nothing to call with: no error, no crash
    assert panel.status.text() == "Not called yet."


def result_is_empty(panel: ApiPanel) -> bool:
    return panel.result.tree.topLevelItemCount() == 0 and not panel.result.raw_text.toPlainText()


def test_a_new_call_forgets_the_last_answer_and_says_its_error_once(
    qtbot: QtBot, tmp_path: Path, open_window, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    panel, session, _, sandbox = signed_in_panel(
        qtbot, tmp_path, open_window, standin_browser, directory.ADMIN_UPN
    )
    call(qtbot, panel, "200 OK")
    assert rows(panel)["displayName"].text(VALUE) == "Megan Bowen"

    # while the next call is under way, the last answer is not shown as if it were its
    sandbox.add_fault(FaultSpec("me", latency_ms=1500))
    qtbot.mouseClick(panel.call_button, Qt.MouseButton.LeftButton)
    assert panel.status.text().startswith("Calling ")
    assert result_is_empty(panel) and not panel.detail.isVisible()
    qtbot.waitUntil(lambda: panel.status.text().startswith("200 OK"), timeout=TIMEOUT_MS)

    # no answer at all: an empty result, the status line says what, the banner why, once each
    sandbox.add_fault(FaultSpec("me", reset=True))
    call(qtbot, panel, "The call to")
    host = urlsplit(panel.url_edit.text()).netloc.lower()
    assert panel.status.text() == f"The call to {host} did not complete."
    assert panel.status.property("outcome") == "error"
    assert panel.banner.isVisible()
    message = panel.banner.message.text()
    assert message and message not in panel.status.text()
    # nothing retries a call by itself: the advice says to call again, not "Lanyard tries"
    advice = panel.banner.recommendation.text()
    assert "call it again" in advice.lower() and "tries again" not in advice
    assert result_is_empty(panel)
    assert "Megan Bowen" not in panel.result.raw_text.toPlainText()

    # an answer again, then a request that cannot be sent: the field says why, nothing stale
    call(qtbot, panel, "200 OK")
    panel.url_edit.setText("https://example.com/steal")
    qtbot.mouseClick(panel.call_button, Qt.MouseButton.LeftButton)
    assert panel.validation.isVisible() and panel.validation.text()
    assert panel.status.text() == "Not called: the request needs a change."
    assert panel.validation.text() not in panel.status.text()
    assert result_is_empty(panel) and not panel.banner.isVisible()

    # signed out: nothing of the account that left stays in the panel
    call_url = f"{sandbox.info.graph_endpoint}/me"
    panel.url_edit.setText(call_url)
    call(qtbot, panel, "200 OK")
    session.sign_out()
    assert session.state is State.SIGNED_OUT
    assert panel.status.text() == "Not called yet."
    assert result_is_empty(panel)
