"""The signed-in view: Lanyard's panels as tabs (Profile, Roles, Token & claims, Token inspector,
Call an API, and Admin while the token carries the Admin role), and which one is shown, by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QToolButton, QWidget

from desktop_app.core.i18n import N_, _
from desktop_app.ui.keyboard import focus_page, set_defaults
from desktop_app.ui.profile_panel import ProfilePanel

if TYPE_CHECKING:
    from desktop_app.auth.models import CacheEntry, Identity
    from desktop_app.ui.admin_panel import AdminPanel
    from desktop_app.ui.api_panel import ApiPanel
    from desktop_app.ui.inspector_panel import InspectorPanel
    from desktop_app.ui.roles_panel import RolesPanel
    from desktop_app.ui.token_panel import TokenPanel

# the tabs in order, by name and label; Admin is added for holders of the Admin role
TABS = (
    ("profile", N_("&Profile")),
    ("roles", N_("&Roles")),
    ("token", N_("&Token && claims")),
    ("inspector", N_("Token &inspector")),
    ("api", N_("&Call an API")),
)


class PanelTabs(QTabWidget):
    """Each panel is named by its object name, ``panel_<name>``: the window remembers the one
    shown by that name. ``panels_changed``: a tab came or went (the View menu lists them).

    Only the Profile panel is built with the tabs: every other tab holds an empty page until it
    is shown (or its panel is asked for), when the panel is built, put in its place and
    announced with ``panel_built`` (the window then gives it what it shows). A start pays
    neither their imports nor their widgets before its first frame."""

    panels_changed = Signal()
    panel_built = Signal(str, object)  # name, the panel just built

    def __init__(
        self,
        access_token: Callable[[], str | None],
        load_inventory: Callable[[Callable[[list[CacheEntry]], None]], None],
        settings: QSettings | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("Panels"))
        self._access_token = access_token
        self._load_inventory = load_inventory
        self._settings = settings
        self._built: dict[str, QWidget] = {}
        self.profile_panel = ProfilePanel(self)
        self.profile_panel.setObjectName("panel_profile")
        self._built["profile"] = self.profile_panel
        for name, label in TABS:
            if name == "profile":
                self.addTab(self.profile_panel, _(label))
            else:  # an empty page, the panel's until it is built
                placeholder = QWidget(self)
                placeholder.setObjectName(f"panel_{name}")
                placeholder.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                self.addTab(placeholder, _(label))
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

    # -- the panels, built when first shown or asked for ----------------------------------------

    def built(self, name: str) -> QWidget | None:
        """The panel ``name`` if it has been built, else None (nothing is built)."""
        return self._built.get(name)

    def panel(self, name: str) -> QWidget:
        """The panel ``name``, built now if it is not yet."""
        panel = self._built.get(name)
        if panel is None:
            panel = self._build(name)
        return panel

    @property
    def roles_panel(self) -> RolesPanel:
        return cast("RolesPanel", self.panel("roles"))

    @property
    def token_panel(self) -> TokenPanel:
        return cast("TokenPanel", self.panel("token"))

    @property
    def inspector_panel(self) -> InspectorPanel:
        return cast("InspectorPanel", self.panel("inspector"))

    @property
    def api_panel(self) -> ApiPanel:
        return cast("ApiPanel", self.panel("api"))

    @property
    def admin_panel(self) -> AdminPanel:
        return cast("AdminPanel", self.panel("admin"))

    def _build(self, name: str) -> QWidget:
        panel = self._new_panel(name)
        panel.setObjectName(f"panel_{name}")
        self._built[name] = panel
        index = self._placeholder_index(name)
        if index >= 0:  # in the place of its empty page, the tab shown staying shown
            placeholder = self.widget(index)
            current, label = self.currentIndex(), self.tabText(index)
            blocked = self.blockSignals(True)
            try:
                self.removeTab(index)
                self.insertTab(index, panel, label)
                self.setCurrentIndex(current)
            finally:
                self.blockSignals(blocked)
            if placeholder is not None:
                placeholder.deleteLater()
        else:
            panel.hide()  # Admin: a tab only once gate_admin_view adds it
        self.panel_built.emit(name, panel)
        return panel

    def _placeholder_index(self, name: str) -> int:
        for index in range(self.count()):
            widget = self.widget(index)
            if widget is not None and widget.objectName() == f"panel_{name}":
                return index
        return -1

    def _new_panel(self, name: str) -> QWidget:
        """Build one panel, importing its module now; its keyboard defaults set."""
        if name == "roles":
            from desktop_app.ui.roles_panel import RolesPanel

            roles = RolesPanel(self)
            set_defaults(roles, roles.refresh_button)
            return roles
        if name == "token":
            from desktop_app.ui.token_panel import TokenPanel

            token = TokenPanel(self._access_token, self)
            set_defaults(token, None, focus=token.reveal_button)
            return token
        if name == "inspector":  # for everyone, not only admins
            from desktop_app.ui.inspector_panel import InspectorPanel

            inspector = InspectorPanel(self)
            # the inspector starts at its choice of token (Enter there must not reload)
            set_defaults(inspector, None, focus=inspector.source)
            return inspector
        if name == "api":
            from desktop_app.ui.api_panel import ApiPanel

            api = ApiPanel(self, settings=self._settings)
            # (Enter in the API panel's fields calls already: its own returnPressed)
            set_defaults(api, None, focus=api.url_edit)
            return api
        if name == "admin":
            from desktop_app.ui.admin_panel import AdminPanel

            admin = AdminPanel(self._load_inventory, self)
            set_defaults(admin, admin.reload_button)
            return admin
        raise KeyError(name)

    def _build_current(self) -> None:
        current = self.currentWidget()
        if current is not None:
            name = current.objectName().removeprefix("panel_")
            if name not in self._built:
                self._build(name)

    def showEvent(self, event: QShowEvent) -> None:
        self._build_current()  # the panel restored from the last run, now that it is seen
        super().showEvent(event)

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
        if identity is not None and _holds_admin_role(identity):
            admin = self.admin_panel
            index = self.indexOf(admin)
            admin.show_identity(identity)
            if index < 0:
                self.addTab(admin, _("&Admin"))
                self.panels_changed.emit()
                admin.reload()
                if self._wanted_panel == "admin":
                    self.select_panel("admin")
            elif self.currentWidget() is admin:
                admin.reload()  # on screen: show what the refresh changed
        elif "admin" in self._built:
            admin = self.admin_panel
            index = self.indexOf(admin)
            if index >= 0:
                self.removeTab(index)
                self.panels_changed.emit()
            admin.hide()
            admin.show_identity(None)
            admin.clear_inventory()

    def _on_panel_shown(self, _index: int) -> None:
        if self.isVisible():
            self._build_current()
        admin = self._built.get("admin")
        if admin is not None and self.currentWidget() is admin:
            self.admin_panel.reload()


def _holds_admin_role(identity: Identity) -> bool:
    from desktop_app.ui.admin_panel import holds_admin_role  # with its panel: when it is needed

    return holds_admin_role(identity)
