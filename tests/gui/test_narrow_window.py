"""A narrow window (issue 16 item 6: at 2x scale a 1280-pixel screen is 640 logical pixels wide):
the header's picker and buttons never overlap or cut their words, and the status bar's lines
stay inside the window, cut with "…" and whole on hover. Real widgets, offscreen."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.auth.claims import IdTokenClaims
from desktop_app.auth.models import Account, Identity
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.widgets import ElidedLabel

UPN = "megan.bowen@contoso.test"
PROTECTION = "plaintext file, readable only by you (no Secret Service is running)"


def _in(window: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def _signed_in_window(qtbot: QtBot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    claims = {"name": "Megan Bowen", "preferred_username": UPN, "tid": "tid"}
    window.header.show_identity(Identity(IdTokenClaims({**claims, "roles": ["Admin"]})), "Demo")
    window.header.show_accounts([Account("h", UPN, "localhost")], None)
    window.header.show()
    window.stack.setCurrentWidget(window.tabs)
    window.show_protection(PROTECTION, False)
    window.schedule_label.setText("Next refresh at 21:35")
    window.state_label.setText("Signed in")
    return window


def test_the_window_fits_a_2x_scaled_small_screen(qtbot: QtBot) -> None:
    window = _signed_in_window(qtbot)
    assert window.minimumSizeHint().width() <= 640  # it can be as narrow as the screen


def _settle(qtbot: QtBot, window: QWidget, size: tuple[int, int]) -> None:
    window.resize(*size)
    window.show()
    qtbot.waitUntil(lambda: window.size().width() == size[0])
    qtbot.wait(20)
    window.layout().activate()


def test_the_header_and_status_bar_fit_a_narrow_window(qtbot: QtBot) -> None:
    window = _signed_in_window(qtbot)
    header = window.header
    controls = (header.account_picker, header.refresh_button, header.sign_out_button)
    # (the offscreen screen is 800 pixels wide: the window is fitted into it, ui/placement.py)
    for size in ((640, 400), (700, 560), (790, 560), (640, 700)):
        _settle(qtbot, window, size)
        header.layout().activate()
        boxes = [_in(window, c) for c in controls]
        for i, box in enumerate(boxes):
            assert window.rect().contains(box), (size, controls[i].objectName(), box)
            for other in boxes[i + 1 :]:
                assert not box.intersects(other), (size, box, other)
        for button in controls[1:]:  # the words on the buttons whole
            assert button.width() >= button.sizeHint().width(), (size, button.text())
        bar = window.statusBar()
        for label in (window.state_label, window.schedule_label, window.protection_label):
            assert bar.rect().contains(
                QRect(label.mapTo(bar, label.rect().topLeft()), label.size())
            )
        assert window.schedule_label.shown_text() == "Next refresh at 21:35"  # kept whole
        if size[0] >= 790:  # room enough: the picker shows the whole name
            assert header.account_picker.width() >= header.account_picker.sizeHint().width()
    _settle(qtbot, window, (640, 400))
    label = window.protection_label
    assert label.text() == f"⚠ Token cache: {PROTECTION}"  # the whole text for code and tests
    assert label.shown_text().endswith("…") and len(label.shown_text()) < len(label.text())
    assert label.accessibleName() == label.text()


def test_the_header_puts_its_controls_in_one_row_only_where_the_row_fits(qtbot: QtBot) -> None:
    window = _signed_in_window(qtbot)
    header = window.header
    host = QWidget()  # a plain window, not fitted to the offscreen screen, to be wide
    qtbot.addWidget(host)
    QVBoxLayout(host).addWidget(header)
    arrangements = {}
    for size in ((1400, 560), (640, 400), (1400, 700), (640, 700), (1400, 560)):
        _settle(qtbot, host, size)
        arrangements[size] = (header.compact, header.stacked)
        boxes = [
            _in(host, c)
            for c in (header.account_picker, header.refresh_button, header.sign_out_button)
        ]
        assert not boxes[0].intersects(boxes[1]) and not boxes[1].intersects(boxes[2])
    assert arrangements[(1400, 560)] == (True, False)  # short and wide: one row
    assert arrangements[(640, 400)] == (True, True)  # short and narrow: the controls stacked
    assert arrangements[(1400, 700)] == (False, True) == arrangements[(640, 700)]


def test_an_elided_label_shows_the_whole_text_on_hover_unless_it_has_a_tooltip(
    qtbot: QtBot,
) -> None:
    label = ElidedLabel("Graham\u202egnp.exe " + "x" * 200)
    qtbot.addWidget(label)
    label.resize(120, 20)
    label.show()
    assert "\u202e" not in label.shown_text() and "\u202e" not in label.text()  # escaped
    assert label.shown_text().endswith("…")
    assert label.toolTip() == label.text()
    label.setToolTip("Why this matters")
    label.resize(100, 20)
    assert label.toolTip() == "Why this matters"
    label.setToolTip("")
    label.setText("short")
    assert label.shown_text() == "short" and label.toolTip() == ""
    assert label.minimumSizeHint().width() <= label.sizeHint().width()
