"""OnScreenTimer: a countdown's once-a-second tick that runs only while someone can see it.

A 1 s timer on a hidden tab, a hidden window or a minimised one wakes the process for nothing
(issue 19, item 5: idle means idle). This one is wanted (start/stop) like a QTimer, but it runs
only while its widget is visible in a window that is not minimised; when it becomes visible
again it ticks at once, so the text is current the moment it is seen.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QWidget

_WATCHED = (QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.WindowStateChange)


class OnScreenTimer(QObject):
    def __init__(self, widget: QWidget, interval_ms: int, tick: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._tick = tick
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(tick)
        self._wanted = False
        self._window: QWidget | None = None
        widget.installEventFilter(self)

    def start(self) -> None:
        self._wanted = True
        self._follow()

    def stop(self) -> None:
        self._wanted = False
        self._timer.stop()

    def wanted(self) -> bool:
        return self._wanted

    def running(self) -> bool:
        """Whether it is ticking now (wanted and on screen)."""
        return self._timer.isActive()

    def _on_screen(self) -> bool:
        window = self._widget.window()
        minimised = bool(window.windowState() & Qt.WindowState.WindowMinimized)
        return self._widget.isVisible() and not minimised

    def _follow(self) -> None:
        window = self._widget.window()
        if window is not self._window and window is not self._widget:
            if self._window is not None:
                self._window.removeEventFilter(self)
            self._window = window
            window.installEventFilter(self)  # minimising changes the window, not the widget
        if not (self._wanted and self._on_screen()):
            self._timer.stop()
        elif not self._timer.isActive():
            self._timer.start()
            self._tick()  # seen again: current at once, not a second late

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _WATCHED and self._wanted:
            # after the event: isVisible() and the window state are updated by then
            QTimer.singleShot(0, self, self._follow)
        return False
