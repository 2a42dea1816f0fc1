"""The header's summary of the app roles: the first few as chips, as many as fit whole, then
"+N more". A chip is never cut: one that does not fit is counted in "+N more" instead, and when
not even one fits the summary says "N app roles". The Roles tab lists them all.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop_app.core.i18n import _, ngettext, number
from desktop_app.core.text import shown
from desktop_app.ui.widgets import muted, role_chip

MAX_CHIPS = 3
CHIP_CHARS = 32  # a longer role is shown to here, then "…" (the Roles tab shows more)
TOOLTIP_ROLES = 10
SPACING = 6


def app_roles(count: int) -> str:
    return ngettext("{count} app role", "{count} app roles", count).format(count=number(count))


class RoleSummary(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("role_summary")
        # made once and reused: a refresh or a 10,000-role token costs the same few labels
        self.chips = [role_chip("", self) for _ in range(MAX_CHIPS)]
        self.more = muted("", self)
        self.more.setObjectName("role_more")
        self.more.setWordWrap(False)
        self.roles: tuple[str, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.set_roles(())

    def set_roles(self, roles: tuple[str, ...]) -> None:
        self.roles = roles
        for chip, role in zip(self.chips, roles, strict=False):
            chip.setText(shown(role, one_line=True, limit=CHIP_CHARS))
        listed = ", ".join(shown(r, one_line=True, limit=80) for r in roles[:TOOLTIP_ROLES])
        rest = len(roles) - TOOLTIP_ROLES
        described = f"{app_roles(len(roles))}: {listed}" + (
            _(" and {count} more").format(count=number(rest)) if rest > 0 else ""
        )
        self.setToolTip(
            described + (_("; the Roles tab lists them all") if rest > 0 else "") if roles else ""
        )
        self.setAccessibleName(described if roles else _("No app roles"))
        self.setVisible(bool(roles))
        self.updateGeometry()
        self._arrange()

    def visible_chips(self) -> list[str]:
        """The chips on show, left to right (what a person reads, for tests and screen readers)."""
        return [chip.text() for chip in self.chips if not chip.isHidden()]

    def summary_text(self) -> str:
        """The whole line as a person reads it: the chips, then "+N more" or "N app roles"."""
        parts = self.visible_chips()
        if not self.more.isHidden():
            parts.append(self.more.text())
        return ", ".join(parts)

    def _height(self) -> int:
        return max(self.chips[0].sizeHint().height(), self.more.sizeHint().height())

    def sizeHint(self) -> QSize:
        wanted = [c.sizeHint().width() for c in self.chips[: len(self.roles)]]
        return QSize(
            sum(wanted) + SPACING * len(wanted) + self._more_width(len(self.roles)), self._height()
        )

    def minimumSizeHint(self) -> QSize:
        # room for "N app roles" at least, so the count is never squeezed out
        return QSize(self._more_width(len(self.roles), 0), self._height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _more_text(self, rest: int, chips: int) -> str:
        return _("+{count} more").format(count=number(rest)) if chips else app_roles(rest)

    def _more_width(self, rest: int, chips: int = 1) -> int:
        if rest <= 0:
            return 0
        metrics = self.more.fontMetrics()
        return metrics.horizontalAdvance(self._more_text(rest, chips)) + 4

    def _arrange(self) -> None:
        width, height, count = self.width(), self._height(), len(self.roles)
        x, placed = 0, 0
        for index, chip in enumerate(self.chips):
            hint = chip.sizeHint()
            rest = count - index - 1
            room_for_rest = SPACING + self._more_width(rest) if rest > 0 else 0
            fits = index < count and index == placed and x + hint.width() + room_for_rest <= width
            chip.setVisible(fits)
            if fits:
                chip.setGeometry(
                    QRect(x, (height - hint.height()) // 2, hint.width(), hint.height())
                )
                x += hint.width() + SPACING
                placed += 1
        rest = count - placed
        self.more.setText(self._more_text(rest, placed))
        more_width = self._more_width(rest, placed)
        # shown whole or not at all: a cut "+1,2" would misstate the count
        self.more.setVisible(rest > 0 and x + more_width <= max(width, 1))
        self.more.setGeometry(QRect(x, 0, more_width, height))
