"""Screenshots of the window on Xvfb: where they are kept (.artifacts/) and a blank-frame check."""

from __future__ import annotations

from PySide6.QtGui import QImage

from tests.conftest import REPO

ARTIFACTS = REPO / ".artifacts"


def distinct_colours(image: QImage, step: int = 7) -> int:
    colours = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colours.add(image.pixel(x, y))
    return len(colours)
