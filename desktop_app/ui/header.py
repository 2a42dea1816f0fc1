"""The account header: avatar, name, UPN, tenant and cloud; the account picker, Refresh, Sign out.

In a short window (below COMPACT_BELOW pixels) it compacts: a smaller picture, no job title or
tenant line, the roles beside the UPN and the controls in one row, so the panels keep the room.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.auth.models import Account, Identity
from desktop_app.core.i18n import N_, _
from desktop_app.core.text import shown
from desktop_app.graph.client import Photo
from desktop_app.graph.organization import Organization
from desktop_app.graph.profile import Profile
from desktop_app.ui.accessibility import label_combo
from desktop_app.ui.avatar import Avatar
from desktop_app.ui.role_summary import RoleSummary
from desktop_app.ui.widgets import heading, muted, plain_label

ADD_ACCOUNT = N_("Add another account…")
COMPACT_BELOW = 640  # window height (logical pixels) under which the header compacts
PICKER_MIN_CHARS = 12  # the account picker shrinks (its name cut with "…") to this, no further


class AccountPicker(QComboBox):
    """The account list: as wide as its longest name when there is room (``preferred``), and
    able to give way to about PICKER_MIN_CHARS characters in a narrow window (2x scale), so the
    buttons beside it are never squeezed over it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preferred = 0

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(max(hint.width(), self.preferred), hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        least = self.fontMetrics().averageCharWidth() * PICKER_MIN_CHARS + 48  # frame, arrow
        return QSize(min(hint.width(), least), hint.height())


AVATAR, COMPACT_AVATAR = 64, 36
NAME_POINTS, COMPACT_NAME_POINTS = 16, 13


class AccountHeader(QFrame):
    account_chosen = Signal(object)  # Account
    add_account_requested = Signal()
    sign_out_requested = Signal(bool, bool)  # every account?, end the browser session too?

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("header")
        # what the text is drawn from (_show_text), never from what an earlier one left
        self._identity: Identity | None = None
        self._profile: Profile | None = None
        self._organization: Organization | None = None
        self._cloud_label = ""
        self._home_tenant = ""
        self.compact = False
        self.stacked = True  # the picker above the buttons (not beside them)
        self._watched: QWidget | None = None  # the window whose height decides compactness
        layout = QHBoxLayout(self)
        self._layout = layout
        layout.setContentsMargins(20, 14, 20, 14)
        layout.setSpacing(16)
        self.avatar = Avatar(AVATAR, self)
        layout.addWidget(self.avatar)
        text = QVBoxLayout()
        text.setSpacing(2)
        self.name = heading("", self, NAME_POINTS)
        # the text column takes the header's spare width even without the (expanding) role
        # summary: a box of labels alone is no wider than its size hint, so a user with no
        # roles had their name wrapped beside an empty gap
        policy = self.name.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Expanding)
        self.name.setSizePolicy(policy)
        self.job_title = plain_label("", self)
        self.job_title.hide()
        self.username = plain_label("", self, selectable=True)
        self.tenant = muted("", self)
        self.tenant.setTextInteractionFlags(self.username.textInteractionFlags())
        self.role_summary = RoleSummary(self)
        # the UPN's line; in compact mode the roles move up onto it
        self._username_row = QHBoxLayout()
        self._username_row.setSpacing(12)
        self._username_row.addWidget(self.username)
        self._roles_row = QHBoxLayout()
        self._roles_row.setContentsMargins(0, 4, 0, 0)
        self._roles_row.addWidget(self.role_summary, 1)
        text.addWidget(self.name)
        text.addWidget(self.job_title)
        text.addLayout(self._username_row)
        text.addWidget(self.tenant)
        text.addLayout(self._roles_row)
        layout.addLayout(text, 1)
        controls = QVBoxLayout()
        self._controls = controls
        controls.setSpacing(8)
        self.account_picker = AccountPicker(self)
        label_combo(self.account_picker, _("Account"))
        self.account_picker.setToolTip(_("Switch between the accounts saved on this computer"))
        self.account_picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.account_picker.activated.connect(self._picked)
        controls.addWidget(self.account_picker)
        buttons = QHBoxLayout()
        self.refresh_button = QToolButton(self)
        self.refresh_button.setText(_("Refresh"))
        self.refresh_button.setAccessibleName(_("Refresh: get a new token and reload your profile"))
        self.sign_out_button = QToolButton(self)
        self.sign_out_button.setText(_("Sign out"))
        self.sign_out_button.setAccessibleName(_("Sign out of this account"))
        self.sign_out_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.sign_out_button.clicked.connect(lambda: self.sign_out_requested.emit(False, False))
        menu = QMenu(self.sign_out_button)
        self.sign_out_all_action = menu.addAction(_("Sign out of all accounts"))
        self.sign_out_all_action.triggered.connect(
            lambda: self.sign_out_requested.emit(True, False)
        )
        self.end_session_action = menu.addAction(_("Sign out here and in the browser"))
        self.end_session_action.setToolTip(
            _("Also open Microsoft's sign-out page so your browser forgets this sign-in")
        )
        self.end_session_action.triggered.connect(lambda: self.sign_out_requested.emit(False, True))
        self.sign_out_button.setMenu(menu)
        # a stretch first: the fixed-size buttons alone would cap the column's width (a box
        # layout is no wider than its narrowest maximum) and cut the picker's longest name
        buttons.addStretch(1)
        for button in (self.refresh_button, self.sign_out_button):
            button.setObjectName("headerButton")
            buttons.addWidget(button)
        controls.addLayout(buttons)
        # in a box of its own that is never wider than what it holds: the stretch above made the
        # column expanding, so beside a short name it took the spare width and the picker was
        # drawn ~600 px wide while the name and the tenant wrapped
        box = QWidget(self)
        controls.setContentsMargins(0, 0, 0, 0)
        box.setLayout(controls)
        box.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        layout.addWidget(box)
        self._accounts: list[Account] = []
        self._current = ""
        self._shown: tuple[object, ...] | None = None  # what show_identity last drew

    def show_accounts(self, accounts: list[Account], current: Account | None) -> None:
        """Fill the picker: every saved account, the current one selected, then Add."""
        self._accounts = list(accounts)
        self._current = current.home_account_id if current else ""
        self.account_picker.blockSignals(True)
        self.account_picker.clear()
        for account in self._accounts:
            self.account_picker.addItem(
                shown(account.username or account.home_account_id, one_line=True, limit=200)
            )
        self.account_picker.addItem(_(ADD_ACCOUNT))
        # room for the longest name: the style's frame and arrow would otherwise elide it
        metrics = self.account_picker.fontMetrics()
        widest = max(
            metrics.horizontalAdvance(self.account_picker.itemText(i))
            for i in range(self.account_picker.count())
        )
        self.account_picker.preferred = min(widest + 48, 360)
        self.account_picker.updateGeometry()
        ids = [a.home_account_id for a in self._accounts]
        self.account_picker.setCurrentIndex(
            ids.index(self._current) if self._current in ids else -1
        )
        self.account_picker.blockSignals(False)

    def _picked(self, index: int) -> None:
        if index == len(self._accounts):
            self.show_accounts(self._accounts, self._current_account())  # keep the selection
            self.add_account_requested.emit()
        elif (
            0 <= index < len(self._accounts)
            and self._accounts[index].home_account_id != self._current
        ):
            self.account_chosen.emit(self._accounts[index])

    def _current_account(self) -> Account | None:
        return next((a for a in self._accounts if a.home_account_id == self._current), None)

    def show_identity(
        self, identity: Identity | None, cloud_label: str, home_tenant: str = ""
    ) -> None:
        """``home_tenant``: the account's home tenant (client_info utid); a guest's differs."""
        claims = identity.claims if identity is not None else None
        self._identity, self._cloud_label, self._home_tenant = identity, cloud_label, home_tenant
        if identity is None:
            self._profile = None  # nobody: no profile either (a new one comes with the next)
        self._show_text()
        shown: tuple[object, ...] | None = None
        if claims is not None and identity is not None:
            shown = (claims.roles, identity.trusted)
        if shown is not None and shown == self._shown:
            return  # a refresh of the same person: the roles need no redraw
        self._shown = shown
        self.role_summary.set_roles(
            claims.roles if claims is not None and identity is not None and identity.trusted else ()
        )

    def show_profile(self, profile: Profile | None) -> None:
        """The /me profile, or None while the account's is still to be loaded (or signed out)."""
        self._profile = profile
        self._show_text()

    def show_organization(self, organization: Organization | None) -> None:
        """The tenant's name from Graph; None: unknown, the tenant is shown by its ID."""
        self._organization = organization
        self._show_text()

    def _show_text(self) -> None:
        """Every line of text from what is known now (identity, profile, organization), each
        time: nothing an earlier account, profile or state put there stays behind."""
        identity, profile = self._identity, self._profile
        claims = identity.claims if identity is not None else None
        if claims is None:
            for label in (self.name, self.job_title, self.username, self.tenant):
                label.setText("")
            self.tenant.setToolTip("")
            self.job_title.hide()
            self.avatar.set_name("")
            self._name_tooltip()
            return
        # A field Graph sent as a non-string reads as "": fall back to this person's ID token
        name = (profile.displayName if profile else "") or claims.name or claims.username
        self.name.setText(name)
        self.avatar.set_name(name)
        self.username.setText((profile.userPrincipalName if profile else "") or claims.username)
        job = profile.jobTitle if profile else ""
        self.job_title.setText(job)
        self.job_title.setVisible(bool(job) and not self.compact)
        home = self._home_tenant
        guest = (
            _(" · guest, home tenant {home}").format(home=home)
            if home and home != claims.tenant_id
            else ""
        )
        org = self._organization
        org_name = org.name_for(claims.tenant_id) if org is not None else ""
        tenant = org_name or _("Tenant {tenant_id}").format(tenant_id=claims.tenant_id)
        self.tenant.setText(f"{tenant}{guest} · {self._cloud_label}")
        self.tenant.setToolTip(
            _("Tenant ID {tenant_id}").format(tenant_id=claims.tenant_id) if org_name else ""
        )
        self._name_tooltip()

    def show_photo(self, photo: Photo | None) -> None:
        self.avatar.set_photo(photo.data if photo else None)

    # -- compact in a short window ------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        window = self.window()
        if window is not self._watched and window is not self:
            if self._watched is not None:
                self._watched.removeEventFilter(self)
            self._watched = window
            window.installEventFilter(self)
        self._arrange()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._watched and event.type() == QEvent.Type.Resize:
            self._arrange()
        return super().eventFilter(watched, event)

    def _arrange(self) -> None:
        """Compact in a short window; the controls in one row only when that row fits the
        window's width (a 2x-scaled window is narrow too), else stacked as in the tall header."""
        if self._watched is None:
            return
        self.set_compact(self._watched.height() < COMPACT_BELOW)
        self._set_stacked(not self.compact or self._watched.width() < self._one_row_width())

    def _one_row_width(self) -> int:
        """The compact header's width with everything on one row at its preferred size;
        from the widgets' own sizes, so it does not depend on the arrangement shown."""
        text = self.username.sizeHint().width() + 12 + self.role_summary.sizeHint().width()
        text = max(text, self.name.sizeHint().width())
        controls = self.account_picker.sizeHint().width() + self._controls.spacing()
        controls += sum(b.sizeHint().width() for b in (self.refresh_button, self.sign_out_button))
        margins = 16 + 16 + 2 * 12  # the compact margins and the spacing between three parts
        return self.avatar.sizeHint().width() + text + controls + margins + 16

    def _set_stacked(self, stacked: bool) -> None:
        if stacked == self.stacked:
            return
        self.stacked = stacked
        self._controls.setDirection(
            QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        )

    def _name_tooltip(self) -> None:
        """In compact mode what the hidden lines say stays a hover away."""
        lines = (self.job_title.text(), self.tenant.text()) if self.compact else ()
        self.name.setToolTip("\n".join(line for line in lines if line))

    def set_compact(self, compact: bool) -> None:
        if compact == self.compact:
            return
        self.compact = compact
        self.avatar.set_size(COMPACT_AVATAR if compact else AVATAR)
        self._layout.setContentsMargins(*((16, 6, 16, 6) if compact else (20, 14, 20, 14)))
        self._layout.setSpacing(12 if compact else 16)
        font = self.name.font()
        font.setPointSize(COMPACT_NAME_POINTS if compact else NAME_POINTS)
        self.name.setFont(font)
        self.tenant.setVisible(not compact)
        self._name_tooltip()
        self.job_title.setVisible(bool(self.job_title.text()) and not compact)
        (self._roles_row if compact else self._username_row).removeWidget(self.role_summary)
        (self._username_row if compact else self._roles_row).addWidget(self.role_summary, 1)
