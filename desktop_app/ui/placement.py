"""Where the window goes on screen (and where a save dialog starts): a remembered size and position clamped to a screen that is
there now, and the window brought forward when the browser hands the sign-in back.

A geometry saved at one scale (or on a monitor since unplugged) can be larger than the screen,
or off it: at QT_SCALE_FACTOR=2 an 880x680 window needs 1760x1360 pixels, more than a 1280x800
display, and the header's account picker and Sign out end up off screen.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget


def _screen_for(frame: QRect, fallback: QScreen | None) -> QScreen | None:
    """The screen holding most of ``frame``; the fallback (or the primary screen) when it lies
    on none (a saved position on a monitor that is gone)."""
    best, best_area = None, 0
    for screen in QGuiApplication.screens():
        overlap = screen.availableGeometry().intersected(frame)
        area = overlap.width() * overlap.height() if overlap.isValid() else 0
        if area > best_area:
            best, best_area = screen, area
    return best or fallback or QGuiApplication.primaryScreen()


def fit_to_screen(window: QWidget) -> None:
    """Shrink and move the top-level ``window`` so its frame (title bar and borders included,
    once the window manager has put them on) lies inside its screen's available area."""
    if window.isMaximized() or window.isFullScreen():
        return  # the window manager sizes those to the screen itself
    frame, inner = window.frameGeometry(), window.geometry()
    left, top = inner.x() - frame.x(), inner.y() - frame.y()
    right, bottom = frame.right() - inner.right(), frame.bottom() - inner.bottom()
    screen = _screen_for(frame, window.screen())
    if screen is None:
        return
    area = screen.availableGeometry()
    max_width = max(1, area.width() - left - right)
    max_height = max(1, area.height() - top - bottom)
    minimum = window.minimumSize()
    if minimum.width() > max_width or minimum.height() > max_height:
        window.setMinimumSize(min(minimum.width(), max_width), min(minimum.height(), max_height))
    width, height = min(inner.width(), max_width), min(inner.height(), max_height)
    outer_width, outer_height = width + left + right, height + top + bottom
    x = min(max(frame.x(), area.left()), area.left() + area.width() - outer_width)
    y = min(max(frame.y(), area.top()), area.top() + area.height() - outer_height)
    if (width, height) != (inner.width(), inner.height()):
        window.resize(width, height)
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)  # a top-level's move() places its frame


_NO_WINDOW_SYSTEM = ("offscreen", "minimal")


def bring_forward(window: QWidget) -> None:
    """Raise and activate the window (the sign-in finished in the browser, which had the focus).
    requestActivate goes through xdg-activation on Wayland where Qt supports it; a window
    manager may still only mark the window as wanting attention, which is its call."""
    if QGuiApplication.platformName() in _NO_WINDOW_SYSTEM:
        return  # nothing to raise (and Qt warns that it cannot)
    if window.isMinimized():
        window.showNormal()
    window.raise_()
    window.activateWindow()
    handle = window.windowHandle()
    if handle is not None:
        handle.requestActivate()


def start_folder() -> Path:
    """Where a save dialog starts: the folder Lanyard was started from, as a terminal user
    expects (`lanyard` run in a project folder saves there), or home when that is gone."""
    try:
        folder = Path.cwd()
    except OSError:  # the folder was deleted since
        return Path.home()
    return folder if folder.is_dir() else Path.home()
