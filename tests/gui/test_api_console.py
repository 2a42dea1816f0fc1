"""The API console as a person uses it: methods with a confirmation, headers and a JSON body,
the answer's headers, an image body, @odata.nextLink pages, and recent requests. Real widgets, a
real SessionController, real msal and requests against the sandbox."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.graph.api_pages import MAX_PAGES
from desktop_app.graph.api_request import ApiRequest
from desktop_app.sandbox import directory
from desktop_app.sandbox.faults import FaultSpec
from desktop_app.ui.api_panel import SETTINGS_HISTORY, ApiPanel, confirm_change
from desktop_app.ui.api_response_view import ResponseView
from tests.gui.test_api_panel import Opener, call, rows, signed_in_panel
from tests.support.window_driver import TIMEOUT_MS


def choose(panel: ApiPanel, ending: str) -> None:
    """Pick the sample whose name ends with ``ending``, as a person would from the list."""
    index = next(i for i, p in enumerate(panel._presets) if p.name.endswith(ending))
    panel.preset_box.setCurrentIndex(index)
    panel.preset_box.activated.emit(index)


def first_page_of_groups(
    qtbot: QtBot, tmp_path: Path, open_window: Opener, standin_browser
) -> ApiPanel:  # type: ignore[no-untyped-def]
    panel, _, _, _ = signed_in_panel(
        qtbot, tmp_path, open_window, standin_browser, directory.OVERAGE_UPN
    )
    choose(panel, "(/me/memberOf)")
    call(qtbot, panel, "200 OK")
    qtbot.waitUntil(panel.pages_row.isVisible, timeout=TIMEOUT_MS)
    return panel


def group_ids(panel: ApiPanel) -> list[str]:
    top = rows(panel)
    value = top["value"]
    panel.result.tree.expandItem(value)
    node = value.node  # type: ignore[attr-defined]
    return [item["id"] for item in node.value]


def test_load_all_reads_every_page_of_the_250_groups(
    qtbot: QtBot, tmp_path: Path, open_window, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    panel = first_page_of_groups(qtbot, tmp_path, open_window, standin_browser)
    assert panel.pages_summary.text() == "100 items in 1 page; more to load"
    assert panel.next_page_button.isEnabled() and panel.all_pages_button.isEnabled()
    assert "@odata.nextLink" in rows(panel)  # the first page as Graph sent it
    # the tree opens itself: the collection and each item's fields are visible
    assert rows(panel)["value"].isExpanded() and rows(panel)["value"].child(0).isExpanded()

    qtbot.mouseClick(panel.next_page_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: panel.pages_summary.text() == "200 items in 2 pages; more to load",
        timeout=TIMEOUT_MS,
    )
    assert not panel.pages_progress.isVisible()  # one page: no progress bar

    seen: list[tuple[int, bool]] = []
    session = panel.session
    assert session is not None
    session.api_paging.connect(lambda p: seen.append((p.pages, p.loading_all)))
    qtbot.mouseClick(panel.all_pages_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: panel.pages_summary.text() == "250 items in 3 pages", timeout=TIMEOUT_MS
    )
    ids = group_ids(panel)
    assert len(ids) == 250 and len(set(ids)) == 250
    assert "@odata.nextLink" not in rows(panel)  # nothing left to read
    assert not panel.next_page_button.isEnabled() and not panel.all_pages_button.isEnabled()
    assert not panel.stop_pages_button.isVisible()
    assert panel.pages_progress.maximum() == MAX_PAGES
    assert (2, True) in seen  # the progress bar was shown while Load all ran
    assert panel.status.text().startswith("200 OK")  # the first page's status line stays


def test_a_failed_later_page_keeps_the_pages_read_and_stop_ends_load_all(
    qtbot: QtBot, tmp_path: Path, open_window, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    panel = first_page_of_groups(qtbot, tmp_path, open_window, standin_browser)
    session = panel.session
    assert session is not None and session.services is not None
    sandbox = session.services.sandbox
    assert sandbox is not None
    sandbox.add_fault(FaultSpec("member-of", status=503, retry_after=7))
    qtbot.mouseClick(panel.next_page_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.banner.isVisible, timeout=TIMEOUT_MS)
    assert "Wait 7 s" in panel.banner.recommendation.text()
    assert len(group_ids(panel)) == 100  # what was read stays on screen
    assert panel.pages_summary.text() == "100 items in 1 page; more to load"
    assert panel.next_page_button.isEnabled()  # and the page can be asked for again

    # Stop while Load all waits for a slow page: the page is not added when it arrives
    sandbox.add_fault(FaultSpec("member-of", latency_ms=1500))
    qtbot.mouseClick(panel.all_pages_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.stop_pages_button.isVisible, timeout=TIMEOUT_MS)
    qtbot.mouseClick(panel.stop_pages_button, Qt.MouseButton.LeftButton)
    assert not panel.stop_pages_button.isVisible()
    qtbot.wait(2500)
    assert panel.pages_summary.text() == "100 items in 1 page; more to load"
    assert len(group_ids(panel)) == 100


def test_a_post_is_confirmed_once_per_url_and_its_201_headers_are_shown(
    qtbot: QtBot, tmp_path: Path, open_window, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    panel, _, _, sandbox = signed_in_panel(
        qtbot, tmp_path, open_window, standin_browser, directory.ADMIN_UPN
    )
    asked: list[ApiRequest] = []
    answers = [False, True]

    def person(_parent: QWidget, request: ApiRequest) -> bool:
        asked.append(request)
        return answers.pop(0)

    panel.confirm = person
    choose(panel, "place an order (POST)")
    assert panel.method_box.currentText() == "POST"
    assert panel.editor.is_open and '"quantity": 25' in panel.editor.body_text()
    orders = f"{sandbox.info.api_endpoint}/orders"
    before = [r for r in sandbox.requests() if r["path"].endswith("/orders")]

    qtbot.mouseClick(panel.call_button, Qt.MouseButton.LeftButton)
    assert [(r.method, r.url) for r in asked] == [("POST", orders)]
    assert panel.status.text() == "Not sent: POST was cancelled."
    assert [r for r in sandbox.requests() if r["path"].endswith("/orders")] == before

    # yes: Orders.ReadWrite needs consent first (Grant access), then the order is placed
    qtbot.mouseClick(panel.call_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(panel.banner.isVisible, timeout=TIMEOUT_MS)
    if panel.banner.action_button.isVisible():
        qtbot.mouseClick(panel.banner.action_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "201" in panel.status.text(), timeout=TIMEOUT_MS)
    assert panel.status.text().startswith("POST · 201 Created")
    headers = dict(panel.response.header_rows())
    assert headers["location"].startswith(f"{orders}/SO-")
    assert f"created: {headers['location']}" in panel.detail.text()
    assert panel.response.tabText(1) == f"Headers ({len(headers)})"
    assert "set-cookie" not in headers
    assert rows(panel)["item"].text(1) == "Lanyard lanyards"

    # the same URL again: no second question
    call(qtbot, panel, "POST · 201 Created")
    assert len(asked) == 2


def test_the_confirmation_names_the_method_and_url_and_defaults_to_cancel(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    request = ApiRequest("https://graph.test/v1.0/me/<b>x</b>", ("User.Read",), "DELETE")
    seen: list[tuple[str, str, bool]] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        default = box.defaultButton()
        seen.append(
            (
                box.text(),
                box.textFormat().name,
                default is box.button(QMessageBox.StandardButton.Cancel),
            )
        )
        qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter takes the default: Cancel

    QTimer.singleShot(0, answer)
    assert confirm_change(parent, request) is False
    assert seen == [("Send DELETE to https://graph.test/v1.0/me/<b>x</b>?", "PlainText", True)]


def test_a_bad_body_or_header_is_named_beside_its_editor_and_nothing_is_sent(
    qtbot: QtBot, tmp_path: Path, open_window, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    panel, _, _, sandbox = signed_in_panel(
        qtbot, tmp_path, open_window, standin_browser, directory.ADMIN_UPN
    )
    panel.confirm = lambda _parent, _request: True
    choose(panel, "(POST /me/getMemberObjects)")
    panel.editor.body_edit.setPlainText('{\n  "securityEnabledOnly": fals\n}')
    sent = len(sandbox.requests())
    qtbot.mouseClick(panel.call_button, Qt.MouseButton.LeftButton)
    assert panel.validation.text().startswith("Body: not valid JSON at line 2, column 26")
    assert panel.editor.tabs.currentWidget() is panel.editor.body_edit
    assert panel.editor.body_edit.property("invalid") is True
    assert panel.focusWidget() is panel.editor.body_edit
    qtbot.keyClicks(panel.editor.body_edit, " ")  # typing clears the mark
    assert not panel.validation.isVisible()

    panel.editor.set_request("Authorization: Bearer mine", "")
    panel.method_box.setCurrentText("GET")
    qtbot.mouseClick(panel.call_button, Qt.MouseButton.LeftButton)
    assert panel.validation.text().startswith("Headers, line 1: leave out Authorization")
    assert panel.editor.tabs.currentWidget() is panel.editor.headers_edit
    assert len(sandbox.requests()) == sent  # nothing reached the sandbox

    panel.editor.set_request("ConsistencyLevel: eventual", '{"a": 1}')
    qtbot.mouseClick(panel.call_button, Qt.MouseButton.LeftButton)
    assert panel.validation.text().startswith("Body: a GET request sends no body")
    assert "not sent with GET" in panel.editor.toggle.text()

    panel.editor.set_request("ConsistencyLevel: eventual", '{"securityEnabledOnly": true}')
    panel.method_box.setCurrentText("POST")
    call(qtbot, panel, "POST · 200 OK")
    assert rows(panel)["value"].childCount() > 0


def test_the_photo_is_shown_as_a_picture(
    qtbot: QtBot, tmp_path: Path, open_window, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    panel, _, _, _ = signed_in_panel(
        qtbot, tmp_path, open_window, standin_browser, directory.ADMIN_UPN
    )
    choose(panel, "(/me/photo/$value)")
    call(qtbot, panel, "200 OK")
    assert panel.response.showing_image
    pixmap = panel.response.image.pixmap()
    assert not pixmap.isNull() and pixmap.width() > 16
    caption = panel.response.image_caption.text()
    assert f"{pixmap.width()} × {pixmap.height()} px" in caption and "image/" in caption
    assert not panel.pages_row.isVisible()


def test_recent_requests_come_back_after_a_restart_without_secret_header_values(
    qtbot: QtBot, tmp_path: Path, open_window, standin_browser
) -> None:  # type: ignore[no-untyped-def]
    panel, session, _, sandbox = signed_in_panel(
        qtbot, tmp_path, open_window, standin_browser, directory.ADMIN_UPN
    )
    choose(panel, "(/organization)")
    panel.editor.set_request("X-Api-Key: s3cr3t-value\nConsistencyLevel: eventual", "")
    call(qtbot, panel, "200 OK")
    choose(panel, "(/me/manager)")
    call(qtbot, panel, "404")  # Megan Bowen has no manager: Graph's 404, kept with its status
    assert panel.history_box.count() == 2
    assert panel.history_box.itemText(0).startswith(f"GET {sandbox.info.graph_endpoint}/me/manager")
    assert " · 404 · " in panel.history_box.itemText(0)
    assert " · 200 · " in panel.history_box.itemText(1)
    stored = str(panel._settings.value(SETTINGS_HISTORY))
    assert "s3cr3t-value" not in stored and "{graph}/organization" in stored
    panel._settings.sync()
    assert "s3cr3t-value" not in (tmp_path / "settings.ini").read_text()

    # a new window with the same settings: the list is there, and a pick fills the form
    again = ApiPanel(settings=QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    again.attach(session)
    assert again.history_box.count() == 2
    again.history_box.activated.emit(1)
    assert again.url_edit.text() == f"{sandbox.info.graph_endpoint}/organization"
    assert again.editor.headers_text() == "X-Api-Key: [not kept]\nConsistencyLevel: eventual"
    assert again.editor.is_open


def test_hostile_response_headers_are_plain_visible_text(qtbot: QtBot) -> None:
    from desktop_app.graph.api_call import build_response

    view = ResponseView()
    qtbot.addWidget(view)
    request = ApiRequest("https://api.test/x", ("api://x/.default",))
    response = build_response(
        request,
        status=200,
        reason="OK",
        headers={"X-Name": "Graham\u202egnp.exe", "X-Html": "<b>bold</b>"},
        body=b"{}",
        truncated=False,
        elapsed_ms=1.0,
        final_url=request.url,
    )
    view.show_response(response)
    assert dict(view.header_rows()) == {
        "x-name": "Graham\\u202egnp.exe",  # the override made visible, not obeyed
        "x-html": "<b>bold</b>",  # a table cell never renders markup
    }
