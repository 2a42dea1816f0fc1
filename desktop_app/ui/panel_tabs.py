"""The signed-in view: Lanyard's panels as tabs (Profile, Roles, Token & claims, Token inspector,
Call an API, and Admin while the token carries the Admin role), and which one is shown, by name."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import QTabWidget, QToolButton, QWidget

from desktop_app.auth.models import CacheEntry, Identity
from desktop_app.core.i18n import _
from desktop_app.ui.admin_panel import AdminPanel, holds_admin_role
from desktop_app.ui.api_panel import ApiPanel
from desktop_app.ui.inspector_panel import InspectorPanel
from desktop_app.ui.keyboard import focus_page, set_defaults
from desktop_app.ui.profile_panel import ProfilePanel
from desktop_app.ui.roles_panel import RolesPanel
from desktop_app.ui.token_panel import TokenPanel


class PanelTabs(QTabWidget):
    """Each panel is named by its object name, ``panel_<name>``: the window remembers the one
    shown by that name. ``panels_changed``: a tab came or went (the View menu lists them)."""

    panels_changed = Signal()

    def __init__(
        self,
        access_token: Callable[[], str | None],
        load_inventory: Callable[[Callable[[list[CacheEntry]], None]], None],
        settings: QSettings | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("Panels"))
        self.profile_panel = ProfilePanel(self)
        self.roles_panel = RolesPanel(self)
        self.token_panel = TokenPanel(access_token, self)
        self.admin_panel = AdminPanel(load_inventory, self)
        self.inspector_panel = InspectorPanel(self)  # for everyone, not only admins
        for panel, name, label in (
            (self.profile_panel, "profile", _("&Profile")),
            (self.roles_panel, "roles", _("&Roles")),
            (self.token_panel, "token", _("&Token && claims")),
            (self.inspector_panel, "inspector", _("Token &inspector")),
        ):
            panel.setObjectName(f"panel_{name}")
            self.addTab(panel, label)
        self.api_panel = ApiPanel(self, settings=settings)
        self.api_panel.setObjectName("panel_api")
        self.addTab(self.api_panel, _("&Call an API"))
        self.admin_panel.setObjectName("panel_admin")
        self.admin_panel.hide()  # a tab only for holders of the Admin role
        self._wanted_panel = ""  # remembered from the last run: shown once it is there
        # the cache inventory is read when the Admin view is looked at, not on every refresh
        self.currentChanged.connect(self._on_panel_shown)
        # keyboard: the tab bar has the focus when the panels appear (arrows switch panels,
        # Tab goes into the one shown); each panel's Enter and first control
        set_defaults(self, None, focus=self.tabBar())
        for scroll_button in self.tabBar().findChildren(QToolButton):  # arrows scroll the tabs
            scroll_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        copy_buttons = list(self.profile_panel.copy_buttons.values())
        set_defaults(self.profile_panel, None, focus=copy_buttons[0] if copy_buttons else None)
        set_defaults(self.roles_panel, self.roles_panel.refresh_button)
        set_defaults(self.token_panel, None, focus=self.token_panel.reveal_button)
        # the inspector starts at its choice of token (Enter there must not reload: no default)
        set_defaults(self.inspector_panel, None, focus=self.inspector_panel.source)
        # (Enter in the API panel's fields calls already: its own returnPressed)
        set_defaults(self.api_panel, None, focus=self.api_panel.url_edit)
        set_defaults(self.admin_panel, self.admin_panel.reload_button)

    def select_panel(self, name: str) -> bool:
        """Show the panel ``name``; False when there is no such tab (now)."""
        for index in range(self.count()):
            widget = self.widget(index)
            if widget is not None and widget.objectName() == f"panel_{name}":
                self.setCurrentIndex(index)
                return True
        return False

    def show_panel_focused(self, index: int) -> None:
        """View → a panel (Ctrl+1…): shown, with its first control focused."""
        self.setCurrentIndex(index)
        focus_page(self.currentWidget())

    def restore_panel(self, name: str) -> None:
        """The panel shown when the window was last closed: now, or (Admin) once it appears."""
        self._wanted_panel = name
        self.select_panel(name)

    def current_panel(self) -> str:
        """The name of the panel shown ("" when none is)."""
        current = self.currentWidget()
        return current.objectName().removeprefix("panel_") if current is not None else ""

    def gate_admin_view(self, identity: Identity | None) -> None:
        """The Admin tab exists only while the signed-in token carries the Admin role."""
        index = self.indexOf(self.admin_panel)
        if holds_admin_role(identity):
            self.admin_panel.show_identity(identity)
            if index < 0:
                self.addTab(self.admin_panel, _("&Admin"))
                self.panels_changed.emit()
                self.admin_panel.reload()
                if self._wanted_panel == "admin":
                    self.select_panel("admin")
            elif self.currentWidget() is self.admin_panel:
                self.admin_panel.reload()  # on screen: show what the refresh changed
        else:
            if index >= 0:
                self.removeTab(index)
                self.panels_changed.emit()
            self.admin_panel.hide()
            self.admin_panel.show_identity(None)
            self.admin_panel.clear_inventory()

    def _on_panel_shown(self, _index: int) -> None:
        if self.currentWidget() is self.admin_panel:
            self.admin_panel.reload()
