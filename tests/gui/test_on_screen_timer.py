"""Countdowns tick only while someone can see them (issue 19, item 5): the Token panel's expiry
on another tab, the status bar's "Trying again in" in a minimised window and the device-code
page's expiry when not shown wake nothing; seen again, each is current at once. Real widgets,
offscreen."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QTabWidget, QWidget
from pytestqt.qtbot import QtBot

from desktop_app.session.state import Schedule, TokenInfo
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.on_screen_timer import OnScreenTimer
from desktop_app.ui.token_panel import TokenPanel


def test_a_timer_runs_only_while_its_widget_is_on_screen(qtbot: QtBot) -> None:
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    seen, other = QWidget(), QWidget()
    tabs.addTab(seen, "seen")
    tabs.addTab(other, "other")
    ticks: list[float] = []
    timer = OnScreenTimer(seen, 1000, lambda: ticks.append(time.monotonic()))
    timer.start()
    assert not timer.running() and ticks == []  # nothing is shown yet
    tabs.show()
    qtbot.waitUntil(timer.running)
    assert len(ticks) == 1  # shown: ticked at once
    tabs.setCurrentWidget(other)
    qtbot.waitUntil(lambda: not timer.running())
    assert timer.wanted()
    tabs.setCurrentWidget(seen)
    qtbot.waitUntil(timer.running)
    assert len(ticks) == 2
    tabs.showMinimized()
    qtbot.waitUntil(lambda: not timer.running())
    tabs.showNormal()
    qtbot.waitUntil(timer.running)
    tabs.hide()
    qtbot.waitUntil(lambda: not timer.running())
    timer.stop()
    tabs.show()
    qtbot.wait(50)
    assert not timer.running() and not timer.wanted()  # stopped stays stopped


def _token(expires_in: float) -> TokenInfo:
    now = time.time()
    return TokenInfo(
        expires_on=now + expires_in,
        refresh_on=None,
        scopes=("User.Read",),
        source="identity_provider",
    )


def test_the_token_countdown_sleeps_on_another_tab(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.stack.setCurrentWidget(window.tabs)
    window.show()
    panel: TokenPanel = window.tabs.token_panel
    panel.show_token(_token(600))
    assert not panel._tick.running()  # the Profile tab is shown, not this one
    window.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(panel._tick.running)
    assert panel.expires.text().startswith("In 9 min") or panel.expires.text().startswith(
        "In 10 min"
    )
    window.tabs.setCurrentIndex(0)
    qtbot.waitUntil(lambda: not panel._tick.running())


def test_the_retry_countdown_sleeps_while_the_window_is_minimised(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    window.show_schedule(Schedule(at=time.time() + 30, retry=True))
    qtbot.waitUntil(window.status.countdown.running)
    window.showMinimized()
    qtbot.waitUntil(lambda: not window.status.countdown.running())
    window.show_schedule(Schedule(at=time.time() + 12, retry=True))
    window.showNormal()
    qtbot.waitUntil(window.status.countdown.running)
    assert window.schedule_label.text() in ("Trying again in 12 s", "Trying again in 11 s")
