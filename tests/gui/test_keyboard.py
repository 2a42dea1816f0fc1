"""The window by keyboard alone (issue 16, item 1): every page and panel has a first control with
the focus and a sensible Enter; Tab walks every control with a focus ring that can be seen, in a
light and a dark palette; no mnemonic (Alt+letter) is used twice in what is on screen together.

The ring is checked on pixels: the window is grabbed before and after Tab moves the focus, and the
control that got it must look different. A ring drawn in the colour of what it surrounds (the
blue primary button's old ring) changes nothing and fails (``test_an_invisible_ring_fails``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QMainWindow,
    QPushButton,
    QTabBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop_app.auth.claims import IdTokenClaims
from desktop_app.auth.models import Identity
from desktop_app.graph.profile import Profile
from desktop_app.session.state import DeviceCodePrompt
from desktop_app.ui import style, translation
from desktop_app.ui.keyboard import defaults_of
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.settings_dialog import SettingsDialog
from desktop_app.ui.style import stylesheet

ADMIN = Identity(IdTokenClaims({"name": "Megan Bowen", "roles": ["Admin", "Reader"]}))
PROFILE = Profile.from_graph(
    {
        "id": "4f1c",
        "displayName": "Megan Bowen",
        "userPrincipalName": "megan@contoso.test",
        "mail": "megan@contoso.test",
        "jobTitle": "Marketing Manager",
        "givenName": "Megan",
        "surname": "Bowen",
        "officeLocation": "12/1110",
        "mobilePhone": "+1 412 555 0109",
        "businessPhones": ["+1 412 555 0109"],
        "preferredLanguage": "en-US",
    }
)
PROMPT = DeviceCodePrompt(
    user_code="ABCD-EFGH",
    verification_uri="https://microsoft.com/devicelogin",
    expires_at=time.time() + 900,
)
LIGHT = ("#f6f7f9", "#000000")
DARK = ("#202124", "#e8eaed")


def scheme_palette(window: str, text: str) -> QPalette:
    result = QPalette()
    result.setColor(QPalette.ColorRole.Window, QColor(window))
    result.setColor(QPalette.ColorRole.WindowText, QColor(text))
    return result


@pytest.fixture(params=["light", "dark"])
def scheme(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """The application in a light or a dark palette (the window follows it, style.py)."""
    original = QApplication.palette()
    colours = LIGHT if request.param == "light" else DARK
    QApplication.setPalette(scheme_palette(*colours))
    try:
        yield str(request.param)
    finally:
        QApplication.setPalette(original)


def shown_window(qtbot: QtBot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.setStyleSheet(stylesheet(QApplication.palette()))
    window.resize(900, 760)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def signed_in(window: MainWindow) -> None:
    window.show_identity(ADMIN)  # the Admin tab too
    window.show_profile(PROFILE)
    window.stack.setCurrentWidget(window.tabs)


# -- the pages and panels, as a person meets them ---------------------------------------------


def page_welcome(window: MainWindow) -> QWidget:
    window.stack.setCurrentWidget(window.welcome_page)
    return window.welcome_page


def page_setup(window: MainWindow) -> QWidget:
    window.setup_page.show_setup(None)
    window.stack.setCurrentWidget(window.setup_page)
    return window.setup_page


def page_waiting(window: MainWindow) -> QWidget:
    window.stack.setCurrentWidget(window.waiting_page)
    window.waiting_page.set_url("https://login.example/authorize?x=1")
    return window.waiting_page


def page_device_code(window: MainWindow) -> QWidget:
    window.stack.setCurrentWidget(window.device_code_page)
    window.device_code_page.show_prompt(PROMPT)
    return window.device_code_page


def panel(name: str) -> Callable[[MainWindow], QWidget]:
    def show(window: MainWindow) -> QWidget:
        signed_in(window)
        assert window.tabs.select_panel(name)
        return window.tabs  # its tab bar has the focus first, then Tab goes into the panel

    show.__name__ = f"panel_{name}"
    return show


PAGES = [
    page_welcome,
    page_setup,
    page_waiting,
    page_device_code,
    *(panel(name) for name in ("profile", "roles", "token", "api", "admin")),
]


# -- the checks ------------------------------------------------------------------------------------


RING = 4  # px: the band along the control's edge where a focus ring is drawn
# a ring is a line around the control: the pixels of the band that change must make at least
# half its perimeter (a ring in the control's own colour changes only a few, at the corners)
VISIBLE = 0.5


def perimeter(widget: QWidget) -> int:
    rect = ring_rect(widget)
    return 2 * (rect.width() + rect.height())


def visible_enough(changed: int, widget: QWidget) -> bool:
    return changed >= VISIBLE * perimeter(widget)


def ring_rect(widget: QWidget) -> QRect:
    """Where the widget's ring goes, in its own coordinates: all of it, or a tab bar's current
    tab (the one the ring marks)."""
    rect = widget.tabRect(widget.currentIndex()) if isinstance(widget, QTabBar) else widget.rect()
    return rect.intersected(widget.visibleRegion().boundingRect())  # (a panel scrolls)


def area_of(widget: QWidget, window: QWidget) -> QRect:
    """The ring's rectangle in the window, with room for a ring drawn just outside it."""
    rect = ring_rect(widget)
    top_left = widget.mapTo(window, rect.topLeft())
    return QRect(top_left, rect.size()).adjusted(-2, -2, 2, 2).intersected(window.rect())


def changed_pixels(before: QImage, after: QImage, area: QRect) -> int:
    """How many pixels differ between the two grabs in the band along ``area``'s edge (a ring
    is there; the text inside may shift by a pixel, which is no ring)."""
    ratio = before.devicePixelRatio()
    outer = QRect(
        int(area.x() * ratio), int(area.y() * ratio), int(area.width() * ratio),
        int(area.height() * ratio),
    )  # fmt: skip
    band = int((RING + 2) * ratio)
    inner = outer.adjusted(band, band, -band, -band)
    count = 0
    for y in range(outer.top(), outer.bottom() + 1):
        for x in range(outer.left(), outer.right() + 1):
            if inner.isValid() and inner.contains(x, y):
                continue
            if before.pixel(x, y) != after.pixel(x, y):
                count += 1
    return count


def grab(window: QWidget) -> QImage:
    QApplication.processEvents()
    return window.grab().toImage()


def focus_is_visible(window: QWidget, widget: QWidget, qtbot: QtBot) -> int:
    """Pixels that change in ``widget`` when it gets the focus (from a control elsewhere)."""
    park = window.findChild(QWidget, "focus_park")
    assert isinstance(park, QWidget)
    park.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(park.hasFocus)
    before = grab(window)
    widget.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(widget.hasFocus)
    after = grab(window)
    return changed_pixels(before, after, area_of(widget, window))


def add_focus_park(window: QWidget) -> None:
    """A control far from the page to put the focus on between two grabs."""
    park = QPushButton("park", window)
    park.setObjectName("focus_park")
    park.setGeometry(0, window.height() - 2, 2, 2)  # (under the status bar's corner)
    park.show()


def tab_walk(window: QWidget, page: QWidget, qtbot: QtBot) -> list[QWidget]:
    """The controls of ``page`` that Tab reaches, in order, from the page's first one."""
    seen: list[QWidget] = []
    current = QApplication.focusWidget()
    for _ in range(80):
        if current is None or not (page is current or page.isAncestorOf(current)):
            break
        if current in seen:
            break
        seen.append(current)
        qtbot.keyClick(current, Qt.Key.Key_Tab)
        current = QApplication.focusWidget()
    return seen


@pytest.mark.parametrize("show_page", PAGES, ids=lambda f: f.__name__)
def test_every_control_tab_reaches_shows_its_focus(
    qtbot: QtBot, scheme: str, show_page: Callable[[MainWindow], QWidget]
) -> None:
    window = shown_window(qtbot)
    page = show_page(window)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    first = QApplication.focusWidget()
    assert first is not None and page.isAncestorOf(first), (
        f"nothing on {show_page.__name__} has the focus: {first!r}"
    )
    walked = tab_walk(window, page, qtbot)
    assert len(walked) >= 2, walked
    add_focus_park(window)
    invisible = []
    ratios: list[float] = []
    for widget in walked:
        changed = focus_is_visible(window, widget, qtbot)
        ratios.append(round(changed / perimeter(widget), 2))
        if not visible_enough(changed, widget):
            invisible.append((widget.metaObject().className(), widget.accessibleName(), changed))
    print(
        f"{show_page.__name__} ({scheme}): {len(walked)} controls walked with Tab; changed "
        f"pixels per perimeter pixel: min {min(ratios)}, max {max(ratios)}"
    )
    assert not invisible, f"focus not visible ({scheme}): {invisible}"


def test_an_invisible_ring_fails(qtbot: QtBot) -> None:
    """The check above is real: the blue primary button with its ring in its own colour (the
    rule before the fix) changes too few pixels when focused, and fails it."""
    window = shown_window(qtbot)
    light = scheme_palette(*LIGHT)
    own_colour = dataclasses.replace(style.LIGHT, focus_on_accent=style.ACCENT)
    # on the page (the window's own sheet follows the palette and would replace a planted one)
    window.welcome_page.setStyleSheet(style.stylesheet(light, own_colour))
    page_welcome(window)
    add_focus_park(window)
    button = window.welcome_page.sign_in_button
    changed = focus_is_visible(window, button, qtbot)
    print(f"pixels changed by a ring in the button's own colour: {changed}")
    assert not visible_enough(changed, button)
    window.welcome_page.setStyleSheet(style.stylesheet(light))
    changed = focus_is_visible(window, button, qtbot)
    print(f"pixels changed by its ring now: {changed}")
    assert visible_enough(changed, button)


# -- first control and Enter ------------------------------------------------------------------


def test_each_page_starts_with_a_sensible_control_focused(qtbot: QtBot) -> None:
    window = shown_window(qtbot)
    expectations: list[tuple[Callable[[MainWindow], QWidget], QWidget]] = [
        (page_welcome, window.welcome_page.sign_in_button),
        (page_setup, window.setup_page.form.client_id),
        (page_waiting, window.waiting_page.copy_link_button),
        (page_device_code, window.device_code_page.copy_code_button),
    ]
    for show_page, expected in expectations:
        window.stack.setCurrentWidget(window.starting_page)
        show_page(window)
        qtbot.waitUntil(lambda expected=expected: QApplication.focusWidget() is expected)
    window.stack.setCurrentWidget(window.starting_page)
    signed_in(window)
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QTabBar))
    wanted: list[QWidget | None] = [
        next(iter(window.profile_panel.copy_buttons.values())),
        window.roles_panel.refresh_button,
        None,  # (no token: Reveal is disabled, the first control that works has it)
        window.tabs.inspector_panel.source,
        window.api_panel.url_edit,
        window.admin_panel.reload_button,
    ]
    assert len(window.panel_actions) == len(wanted)  # a panel added gets its expectation here
    for index, expected in enumerate(wanted):
        window.panel_actions[index].trigger()  # View → the panel (Ctrl+1…)
        shown = window.tabs.currentWidget()
        assert shown is not None
        if expected is None:
            qtbot.waitUntil(lambda shown=shown: shown.isAncestorOf(QApplication.focusWidget()))
        else:
            qtbot.waitUntil(lambda expected=expected: QApplication.focusWidget() is expected)


def test_enter_on_the_welcome_page_signs_in(qtbot: QtBot) -> None:
    window = shown_window(qtbot)
    page_welcome(window)
    with qtbot.waitSignal(window.welcome_page.sign_in_requested, timeout=2000):
        qtbot.keyClick(window.welcome_page, Qt.Key.Key_Return)
    assert window.welcome_page.sign_in_button.isDefault()


def test_enter_on_the_device_code_page_copies_the_code_and_never_cancels(qtbot: QtBot) -> None:
    window = shown_window(qtbot)
    page = page_device_code(window)
    assert not window.device_code_page.cancel_button.isDefault()
    assert window.device_code_page.copy_code_button.isDefault()
    cancelled: list[bool] = []
    window.device_code_page.cancel_requested.connect(lambda: cancelled.append(True))
    qtbot.keyClick(page, Qt.Key.Key_Return)
    assert QApplication.clipboard().text() == "ABCD-EFGH"
    assert window.device_code_page.copy_code_button.text() == "Copied"  # for a moment
    assert not cancelled
    qtbot.waitUntil(lambda: window.device_code_page.copy_code_button.text() == "&Copy code")


def test_enter_on_the_waiting_page_does_not_cancel_the_sign_in(qtbot: QtBot) -> None:
    window = shown_window(qtbot)
    page = page_waiting(window)
    cancelled: list[bool] = []
    window.waiting_page.cancel_requested.connect(lambda: cancelled.append(True))
    window.waiting_page.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_Return)
    assert not cancelled
    defaults = defaults_of(page)
    assert defaults is not None and defaults.default is None


def test_settings_dialog_saves_on_enter_and_focuses_the_first_field(
    qtbot: QtBot, tmp_path: object
) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.load({"config": str(tmp_path) + "/config.toml"}, {})
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.save_button.isDefault() and not dialog.cancel_button.isDefault()
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.form.client_id)


# -- mnemonics --------------------------------------------------------------------------------


def mnemonic(text: str) -> str:
    return QKeySequence.mnemonic(text).toString().lower().removeprefix("alt+")


def mnemonics_on_screen(window: QWidget) -> dict[str, list[str]]:
    """Alt+letter -> what uses it, among everything shown together in ``window``: buttons,
    labels' buddies, tab bars' tabs and the menu bar."""
    used: dict[str, list[str]] = {}

    def note(text: str) -> None:
        key = mnemonic(text)
        if key:
            used.setdefault(key, []).append(text)

    for button in window.findChildren(QAbstractButton):
        if button.isVisibleTo(window):
            note(button.text())
    for label in window.findChildren(QLabel):
        if label.buddy() is not None and label.isVisibleTo(window):
            note(label.text())
    for bar in window.findChildren(QTabBar):
        if bar.isVisibleTo(window):
            for index in range(bar.count()):
                if bar.isTabVisible(index):
                    note(bar.tabText(index))
    if isinstance(window, QMainWindow):
        for action in window.menuBar().actions():
            if action.isVisible():
                note(action.text())
    return used


def clashes(window: QWidget) -> dict[str, list[str]]:
    return {key: texts for key, texts in mnemonics_on_screen(window).items() if len(texts) > 1}


@pytest.fixture(params=["en", "de", "ar"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """The window built in each shipped language: a translator picks the Alt+letters too."""
    translation.install(qapp, request.param)
    yield request.param
    translation.install(qapp, "en")


@pytest.mark.parametrize("show_page", PAGES, ids=lambda f: f.__name__)
def test_no_mnemonic_is_used_twice_on_screen(
    qtbot: QtBot, show_page: Callable[[MainWindow], QWidget], language: str
) -> None:
    window = shown_window(qtbot)
    show_page(window)
    window.token_panel.reveal_button.setChecked(window.tabs.current_panel() == "token")
    QApplication.processEvents()
    assert not clashes(window), clashes(window)
    assert len(mnemonics_on_screen(window)) >= 3  # the menu bar at least


def test_no_mnemonic_is_used_twice_in_the_settings_dialog(
    qtbot: QtBot, tmp_path: object, language: str
) -> None:
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.load({"config": str(tmp_path) + "/config.toml"}, {})
    dialog.show()
    assert not clashes(dialog), clashes(dialog)
    assert len(mnemonics_on_screen(dialog)) >= 8


def test_a_clash_is_found(qtbot: QtBot) -> None:
    """The check above can fail: the Call tab and a planted "&Call" button share Alt+C (the
    clash the issue found)."""
    window = shown_window(qtbot)
    panel("api")(window)
    planted = QPushButton("&Call", window.api_panel)
    planted.show()
    assert clashes(window) == {"c": ["&Call", "&Call an API"]}
